import type { CloudState, LiveObject } from "./steps";

// Route 53's rules for the records of one name and type in a hosted zone, checked on a whole
// cloud state (the provider sends each record change as one change batch: an UPSERT when the
// record's type and set identifier stay, else a DELETE and a CREATE; Route 53 accepts a batch only
// if the zone is valid after it). Source: Route 53 Developer Guide, "Choosing a routing policy"
// and "Values specific for ... records", and the ChangeResourceRecordSets API errors
// (InvalidChangeBatch: "RRSet ... conflicts with ...", "Tried to create an alias that targets ...
// but it was not found", HealthCheckInUse).

export const RECORD = "aws:route53/record:Record";
export const HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck";

type Policy = "simple" | "failover" | "latency" | "geolocation" | "weighted" | "geoproximity" | "multivalue" | "cidr";

interface RecordView {
  readonly key: string;
  /** the resource's name (a replacement's two copies share it) */
  readonly label: string;
  readonly zone: string;
  readonly name: string;
  readonly type: string;
  readonly setIdentifier: string;
  readonly policy: Policy;
  readonly failoverRole?: string;
  readonly location?: string;
  readonly alias?: { readonly name: string; readonly zone: string };
  readonly healthCheckId?: string;
}

const POLICY_KEYS: readonly [string, Policy][] = [
  ["failoverRoutingPolicies", "failover"], ["latencyRoutingPolicies", "latency"], ["geolocationRoutingPolicies", "geolocation"],
  ["weightedRoutingPolicies", "weighted"], ["geoproximityRoutingPolicy", "geoproximity"], ["cidrRoutingPolicy", "cidr"],
];

export const dnsName = (n: unknown) => String(n ?? "").toLowerCase().replace(/\.$/, "");

export function recordView(o: LiveObject): RecordView {
  const i = o.resource.inputs as Record<string, any>;
  const policy = POLICY_KEYS.find(([k]) => hasValue(i[k]))?.[1] ?? (i.multivalueAnswerRoutingPolicy ? "multivalue" : "simple");
  const geo = Array.isArray(i.geolocationRoutingPolicies) ? i.geolocationRoutingPolicies[0] : undefined;
  const alias = Array.isArray(i.aliases) && i.aliases[0] ? { name: dnsName(i.aliases[0].name), zone: String(i.aliases[0].zoneId) } : undefined;
  return {
    key: o.key,
    label: o.resource.name,
    zone: String(i.zoneId),
    name: dnsName(i.name),
    type: String(i.type),
    setIdentifier: String(i.setIdentifier ?? ""),
    policy,
    failoverRole: Array.isArray(i.failoverRoutingPolicies) ? i.failoverRoutingPolicies[0]?.type : undefined,
    location: geo ? `${geo.continent ?? ""}/${geo.country ?? ""}/${geo.subdivision ?? ""}` : undefined,
    alias,
    healthCheckId: typeof i.healthCheckId === "string" ? i.healthCheckId : undefined,
  };
}

function hasValue(v: unknown): boolean {
  return Array.isArray(v) ? v.length > 0 : v !== undefined && v !== null;
}

/** Every Route 53 rule the state breaks, as stable sentences. */
export function route53Problems(state: CloudState): string[] {
  const records = [...state.values()].filter((o) => o.resource.type === RECORD).map(recordView);
  const checkIds = new Set([...state.values()].filter((o) => o.resource.type === HEALTH_CHECK).map((o) => `${o.resource.name}-id`));
  const problems: string[] = [];
  const sets = new Map<string, RecordView[]>();
  for (const r of records) sets.set(`${r.zone} ${r.name} ${r.type}`, [...(sets.get(`${r.zone} ${r.name} ${r.type}`) ?? []), r]);
  for (const rs of sets.values()) {
    const { name, type } = rs[0];
    const names = (xs: RecordView[]) => xs.map((x) => x.label).sort().join(", ");
    const simple = rs.filter((r) => r.policy === "simple");
    if (simple.length > 0 && rs.length > 1) problems.push(`${name} ${type}: a simple record stands alone (${names(rs)})`);
    const policies = new Set(rs.filter((r) => r.policy !== "simple").map((r) => r.policy));
    if (policies.size > 1) problems.push(`${name} ${type}: one routing policy per name, not ${[...policies].sort().join(" and ")} (${names(rs)})`);
    for (const role of ["PRIMARY", "SECONDARY"]) {
      const holders = rs.filter((r) => r.failoverRole === role);
      if (holders.length > 1) problems.push(`${name} ${type}: a failover set has one ${role} (${names(holders)})`);
    }
    const byId = groupBy(rs, (r) => r.setIdentifier);
    for (const [id, xs] of byId) if (xs.length > 1) problems.push(`${name} ${type}: set identifier "${id}" is taken (${names(xs)})`);
    const byLocation = groupBy(rs.filter((r) => r.location !== undefined), (r) => r.location!);
    for (const [loc, xs] of byLocation) if (xs.length > 1) problems.push(`${name} ${type}: two geolocation records for ${loc} (${names(xs)})`);
  }
  for (const r of records) {
    if (r.alias && r.alias.zone === r.zone && !sets.has(`${r.zone} ${r.alias.name} ${r.type}`)) problems.push(`${r.name} ${r.type}: alias ${r.label} targets ${r.alias.name}, which has no ${r.type} record`);
    if (r.healthCheckId !== undefined && !checkIds.has(r.healthCheckId)) problems.push(`${r.name} ${r.type}: record ${r.label} uses health check ${r.healthCheckId}, which does not exist (Route 53 refuses to delete a health check in use)`);
  }
  return problems;
}

function groupBy<T>(xs: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const x of xs) out.set(key(x), [...(out.get(key(x)) ?? []), x]);
  return out;
}
