// The usage the cost estimate assumes where a price is per use (requests, GB, writes): each figure
// has a documented default, a stack may set it as `cost:<name>` in its Pulumi.<stack>.yaml (a
// namespace of its own: the program's config schema is strict and never reads it), and
// `--usage NAME=VALUE` overrides both. The estimate prints every figure with where it came from.
import { UsageError } from "../cli-support";

export const USAGE_DEFAULTS = {
  /** API requests per month reaching the load balancers of the serving sites (all sites together) */
  apiRequestsPerMonth: 100_000_000,
  /** mean response size of the API, KB: the load balancers' processed bytes */
  apiResponseKb: 8,
  /** share of API requests that open a new connection at the load balancer */
  newConnectionShare: 0.25,
  /** GB per month through each NAT gateway of a site that serves traffic (package mirrors, AWS APIs) */
  natGbPerGatewayServing: 30,
  /** GB per month through each NAT gateway of a site that serves no traffic */
  natGbPerGatewayIdle: 1,
  /** GB per month CloudFront serves to viewers */
  cdnGbOut: 500,
  /** HTTPS requests per month CloudFront serves */
  cdnRequestsPerMonth: 30_000_000,
  /** share of CloudFront's traffic served in Japan (the rest priced at the South Korea rate) */
  cdnJapanShare: 0.5,
  /** requests per month through CloudFront's /api behavior (each runs the path-rewrite function) */
  cdnApiRequestsPerMonth: 10_000_000,
  /** GB stored in each static-site bucket */
  staticBucketGb: 5,
  /** GB stored in each app-artifact bucket */
  artifactBucketGb: 2,
  /** GB stored in each access-log bucket (kept 90 days) */
  logBucketGb: 50,
  /** PUT requests per month into each bucket (log deliveries, releases) */
  putsPerBucket: 30_000,
  /** GB per month written to the static bucket and replicated to the other region */
  staticReplicationGb: 1,
  /** GB per month of binlog the database ships to each cross-region replica (the write rate) */
  dbReplicationGbPerMonth: 30,
  /** GB of the database a backup holds (a full snapshot) */
  backupSizeGb: 100,
  /** share of the database that changes per day: each day adds this much to the snapshot chain */
  dbDailyChange: 0.02,
  /** DNS queries per month for the stack's domain */
  dnsQueriesPerMonth: 30_000_000,
  /** GB of application logs per month a serving site ingests */
  appLogGbPerSite: 10,
  /** GB of VPC flow logs per month per site */
  flowLogGbPerSite: 20,
} as const;

export type UsageName = keyof typeof USAGE_DEFAULTS;
export type Usage = Record<UsageName, number>;

export interface UsageAssumption {
  readonly name: UsageName;
  readonly value: number;
  readonly from: "default" | "stack config" | "--usage";
}


/** The usage figures: defaults, then the stack file's `cost:<name>` keys, then --usage NAME=VALUE. */
export function resolveUsage(stackFlat: Readonly<Record<string, string>>, overrides: readonly string[]): { usage: Usage; assumptions: UsageAssumption[] } {
  const values = new Map<UsageName, UsageAssumption>();
  for (const name of Object.keys(USAGE_DEFAULTS) as UsageName[]) values.set(name, { name, value: USAGE_DEFAULTS[name], from: "default" });
  for (const [key, raw] of Object.entries(stackFlat)) {
    if (!key.startsWith("cost:")) continue;
    const name = usageName(key.slice("cost:".length), `stack key ${key}`);
    values.set(name, { name, value: usageValue(raw, key), from: "stack config" });
  }
  for (const pair of overrides) {
    const at = pair.indexOf("=");
    if (at < 1) throw new UsageError(`--usage takes NAME=VALUE, got "${pair}"`);
    const name = usageName(pair.slice(0, at), "--usage");
    values.set(name, { name, value: usageValue(pair.slice(at + 1), pair), from: "--usage" });
  }
  const assumptions = [...values.values()];
  return { usage: Object.fromEntries(assumptions.map((a) => [a.name, a.value])) as Usage, assumptions };
}

function usageName(name: string, where: string): UsageName {
  if (name in USAGE_DEFAULTS) return name as UsageName;
  throw new UsageError(`${where}: unknown usage figure "${name}" (allowed: ${Object.keys(USAGE_DEFAULTS).join(", ")})`);
}

function usageValue(raw: string, where: string): number {
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value) || value < 0) throw new UsageError(`${where}: must be a number ≥ 0, got "${raw}"`);
  return value;
}
