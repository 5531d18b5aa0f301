import type { GeoRule, SiteKey, SiteTopology, Topology } from "../topology/types";

// Which site the edge may send users to, and how: pure, shared by Route 53 and Cloudflare, so the
// no-split-brain rule lives in one place. A fenced site (the old writer after a failover) still
// runs its API against its old, still-writable database: it gets no record, pool, default or
// fallback, whatever the mode.

/**
 * The sites the edge routes to, in failover order (the writer first). A site qualifies when its
 * API tier exists (a pilot-light standby at 0 instances does: its ALB answers unhealthy until
 * scaled) and it is not fenced; a backup-restore standby has no API tier.
 */
export function routableSites(topology: Topology): SiteTopology[] {
  return topology.sites
    .filter((s) => s.api.provisioned && s.database.role !== "fenced" && s.database.role !== "none")
    .sort((a, b) => Number(b.key === topology.writerSite) - Number(a.key === topology.writerSite));
}

export type RecordPolicy =
  | { readonly kind: "single" }
  | { readonly kind: "failover"; readonly role: "PRIMARY" | "SECONDARY" }
  | { readonly kind: "geo"; readonly continent?: string; readonly country: string | undefined }
  | { readonly kind: "latency"; readonly region: string };

/** The routing policies that answer through a record set of their own. */
export type PolicySetLabel = "failover" | "latency" | "geo";

/**
 * One answer of a routing policy's record set. Records are named by what they answer for (the
 * failover role, the latency site, the geo rule), never by the site a failover moves them to:
 * a failover changes a record's alias and health check in place (one UPSERT), it never swaps
 * two records' roles, which Route 53 would refuse halfway (two PRIMARY records).
 */
export interface RecordPlan {
  /** the record's id and set identifier: stable per answer */
  readonly id: string;
  readonly site: SiteKey;
  readonly policy: RecordPolicy;
}

/**
 * What edge.domain answers with: one simple alias, to the writer site's load balancer (single
 * routing) or to the routing policy's own record set at `<policy>.<domain>`. A change of routing
 * policy then creates the new set under its own name, points this one record at it (an UPSERT)
 * and deletes the old set last: no step leaves two policies, or a simple record beside routed
 * ones, under one name.
 */
export type EntryPlan =
  | { readonly kind: "site"; readonly site: SiteKey }
  | { readonly kind: "set"; readonly label: PolicySetLabel; readonly name: string };

export function entryPlan(topology: Topology): EntryPlan {
  const routing = topology.edge.routing;
  if (routing === "single") return { kind: "site", site: writerOf(topology).key };
  return { kind: "set", label: routing, name: policySetName(topology, routing) };
}

/** The DNS name of a routing policy's record set: failover.feed.example.com, ... */
export function policySetName(topology: Topology, label: PolicySetLabel): string {
  return `${label}.${topology.edge.domain}`;
}

function writerOf(topology: Topology): SiteTopology {
  const writer = routableSites(topology).find((s) => s.key === topology.writerSite);
  if (!writer) throw new Error(`edge: the writer site ${topology.writerSite} serves no API, so nothing can answer for ${topology.edge.domain}`);
  return writer;
}

/**
 * The records of the routing policy's set (none for single routing). Failover: the writer is
 * PRIMARY, a serving-capable standby SECONDARY (after a failover there is none: the old writer is
 * fenced). Geo: one record per rule whose site is routable plus the default (`*`) to the writer.
 * Latency: one per routable site.
 */
export function recordPlans(topology: Topology): RecordPlan[] {
  const sites = routableSites(topology);
  const writer = writerOf(topology);
  const routable = new Set(sites.map((s) => s.key));
  switch (topology.edge.routing) {
    case "single":
      return [];
    case "failover":
      return sites.map((s) => {
        const role = s.key === writer.key ? "PRIMARY" : "SECONDARY";
        return { id: `failover-${role.toLowerCase()}`, site: s.key, policy: { kind: "failover", role } };
      });
    case "latency":
      return sites.map((s) => ({ id: `latency-${s.key}`, site: s.key, policy: { kind: "latency", region: s.region } }));
    case "geo":
      return [
        ...topology.edge.geo
          .filter((rule) => routable.has(rule.site))
          .map((rule): RecordPlan => ({ id: geoId(rule), site: rule.site, policy: { kind: "geo", continent: rule.continent, country: rule.country } })),
        { id: "geo-default", site: writer.key, policy: { kind: "geo", country: "*" } },
      ];
  }
}

/** "geo-continent-AS", "geo-country-JP": the record's name does not depend on the site it names. */
export function geoId(rule: GeoRule): string {
  return rule.country !== undefined ? `geo-country-${rule.country}` : `geo-continent-${rule.continent}`;
}

/** Cloudflare load-balancer regions per continent (Cloudflare Load Balancing region codes). */
export const CLOUDFLARE_REGIONS_OF_CONTINENT: Readonly<Record<string, readonly string[]>> = {
  AF: ["NAF", "SAF"],
  AS: ["ME", "SAS", "SEAS", "NEAS"],
  EU: ["WEU", "EEU"],
  NA: ["WNAM", "ENAM"],
  OC: ["OC"],
  SA: ["NSAM", "SSAM"],
  AN: [],
};

/** How a Cloudflare load balancer steers: its policy and, for geo, the site order per region/country. */
export interface SteeringPlan {
  /** off: defaultPools in order (failover); geo: region/country pools; dynamic_latency: fastest pool */
  readonly steeringPolicy: "off" | "geo" | "dynamic_latency";
  /** routable sites, failover order: defaultPools; the first is the fallback pool */
  readonly defaultOrder: readonly SiteKey[];
  readonly regionOrder: Readonly<Record<string, readonly SiteKey[]>>;
  readonly countryOrder: Readonly<Record<string, readonly SiteKey[]>>;
}

export function steeringPlan(topology: Topology): SteeringPlan {
  const order = routableSites(topology).map((s) => s.key);
  if (order.length === 0) throw new Error(`edge: no site can serve ${topology.edge.domain}`);
  const preferring = (site: SiteKey): SiteKey[] => [site, ...order.filter((s) => s !== site)];
  const regionOrder: Record<string, SiteKey[]> = {};
  const countryOrder: Record<string, SiteKey[]> = {};
  const routing = topology.edge.routing;
  if (routing === "geo") {
    for (const rule of topology.edge.geo) {
      if (!order.includes(rule.site)) continue; // a fenced site's rules fall back to defaultPools
      if (rule.country !== undefined) countryOrder[rule.country] = preferring(rule.site);
      else for (const region of CLOUDFLARE_REGIONS_OF_CONTINENT[rule.continent ?? ""] ?? []) regionOrder[region] = preferring(rule.site);
    }
  }
  const steeringPolicy = routing === "geo" ? "geo" : routing === "latency" && order.length > 1 ? "dynamic_latency" : "off";
  return { steeringPolicy, defaultOrder: order, regionOrder, countryOrder };
}
