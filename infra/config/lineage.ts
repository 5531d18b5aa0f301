import type { SiteKey } from "../facts/vocabulary";

// Which database instance replicates which, from config alone. Every site's instance is a
// generation (dr.databaseGeneration). They were born in the order P0 < S0 < P1 < S1 < P2 ...:
// P0 was created empty as the first writer; every later instance was seeded as a replica of the
// other site's instance at the time. So the newer instance is (or was) a replica of the older one,
// and whether it has been promoted follows from which site writes (dr.activeSite).
// In config: the validation refuses generations that are not one step apart; the topology and
// the components read the same lineage.

export interface Generations {
  readonly primary: number;
  readonly secondary: number;
}

export interface Lineage {
  /** the site whose instance was seeded from the other's */
  readonly newer: SiteKey;
  /**
   * the old writer after the newer instance was promoted: left exactly as it was (no traffic, no
   * writes) until its generation is raised to re-seed it
   */
  readonly fenced?: SiteKey;
  /** per site: the instance was created empty (P0), or seeded as a replica and maybe promoted since */
  readonly origin: Readonly<Record<SiteKey, "created" | "seeded">>;
}

/** Place in the birth order P0 < S0 < P1 < S1 < ... */
export function birthOrder(site: SiteKey, generation: number): number {
  return 2 * generation + (site === "secondary" ? 1 : 0);
}

/** The two generations are one step apart in the birth order: primary = secondary or secondary + 1. */
export function consistentGenerations(g: Generations): boolean {
  return g.primary === g.secondary || g.primary === g.secondary + 1;
}

export function lineage(g: Generations, writer: SiteKey): Lineage {
  if (!consistentGenerations(g)) throw new Error(`lineage: generations primary ${g.primary}, secondary ${g.secondary} are not one step apart (config validation should have refused them)`);
  const newer: SiteKey = birthOrder("primary", g.primary) > birthOrder("secondary", g.secondary) ? "primary" : "secondary";
  const older: SiteKey = newer === "primary" ? "secondary" : "primary";
  return {
    newer,
    fenced: writer === newer ? older : undefined,
    origin: { primary: g.primary === 0 ? "created" : "seeded", secondary: "seeded" },
  };
}

/** The resource-name suffix of a generation: none for 0, so a stack that never failed back keeps its URNs. */
export function generationSuffix(generation: number): string {
  return generation === 0 ? "" : `-g${generation}`;
}
