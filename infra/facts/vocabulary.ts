// The program's vocabulary: the names the config schema, the topology, the components and the
// policy pack all speak. A leaf module (it imports nothing), so infra/config can read it without
// importing the topology; the schema's enums are built from these lists.

/** The DR modes, cheapest first; what each runs in the standby site is STANDBY_SHAPE (standby-shape.ts). */
export const DR_MODES = ["backup-restore", "pilot-light", "warm-standby", "active-active"] as const;
export type DrMode = (typeof DR_MODES)[number];

/** The two sites of a stack; the primary is the writer until a failover (dr.activeSite). */
export const SITE_KEYS = ["primary", "secondary"] as const;
export type SiteKey = (typeof SITE_KEYS)[number];

export const CLOUDS = ["aws", "digitalocean"] as const;
export type Cloud = (typeof CLOUDS)[number];

export const ENVIRONMENTS = ["dev", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];
