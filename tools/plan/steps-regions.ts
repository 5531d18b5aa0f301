import type { PlanResult, PlannedResource } from "./types";
import type { Step } from "./steps";
import { handlesOf } from "./steps-digitalocean";
import { inputStrings } from "./steps-references";

// What a run calls in each region. During a regional outage every call into the failed region
// fails, and Pulumi stops at the first failure: a run that fences a site must make none there.
// Calls are the steps on the site's resources, the provider functions the program calls, and the
// providers' own start-up: the AWS provider validates credentials and asks for the account id
// through STS in its `stsRegion` (else its region) unless skipCredentialsValidation and
// skipRequestingAccountId are set (Pulumi AWS provider configuration reference). A DigitalOcean
// object without a region of its own (a cluster's firewall, database, user) is in the region of
// the object it names (its cluster); DigitalOcean's functions carry no region in the plan, so a
// fenced DigitalOcean site's functions are not counted here (its cluster CA is pinned in config).

export interface RegionCalls {
  /** provider functions per region ("-" for those answered inside the provider) */
  readonly invokes: Readonly<Record<string, number>>;
  /** the regions the AWS providers' start-up calls go to, with the provider that makes them */
  readonly startup: readonly { readonly provider: string; readonly region: string }[];
  /** calls into the fenced site's region: steps, functions, start-up */
  readonly intoFenced: readonly string[];
  readonly fencedRegion?: string;
}

export function regionCalls(after: PlanResult, steps: readonly Step[]): RegionCalls {
  const invokes: Record<string, number> = {};
  for (const i of after.invokes) invokes[i.region ?? "-"] = (invokes[i.region ?? "-"] ?? 0) + 1;
  const startup = awsStartup(after);
  const fenced = String((after.outputs as { fencedSite?: string }).fencedSite ?? "");
  const sites = (after.config.sites ?? {}) as Record<string, { region?: string; cloud?: string }>;
  const fencedRegion = fenced ? sites[fenced]?.region : undefined;
  const intoFenced: string[] = [];
  if (fencedRegion) {
    const regionOf = regionsByHandle([...after.resources, ...steps.flatMap((s) => (s.before ? [s.before] : []))]);
    for (const s of steps) {
      const r = s.after ?? s.before;
      if (r && (r.region ?? namedRegion(r, regionOf)) === fencedRegion) intoFenced.push(`${s.kind} ${s.type} ${s.name}`);
    }
    const calls = after.invokes.filter((i) => i.region === fencedRegion);
    for (const token of new Set(calls.map((c) => c.token))) intoFenced.push(`function ${token} ×${calls.filter((c) => c.token === token).length}`);
    for (const p of startup) if (p.region === fencedRegion) intoFenced.push(`start-up of the ${p.provider} (STS: credentials, account id)`);
  }
  return { invokes, startup, intoFenced, ...(fencedRegion ? { fencedRegion } : {}) };
}

/** The region of every object with one, by the handles other objects name it by. */
function regionsByHandle(resources: readonly PlannedResource[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of resources) if (r.custom && r.region && r.type.startsWith("digitalocean:")) for (const h of handlesOf(r)) out.set(h, r.region);
  return out;
}

/** A DigitalOcean object without a region: the region of the first object it names that has one. */
function namedRegion(r: PlannedResource, regionOf: ReadonlyMap<string, string>): string | undefined {
  if (!r.type.startsWith("digitalocean:")) return undefined;
  return inputStrings(r.inputs).map((v) => regionOf.get(v)).find((x) => x !== undefined);
}

function awsStartup(p: PlanResult): { provider: string; region: string }[] {
  const out: { provider: string; region: string }[] = [];
  const cfg = p.providerConfig ?? {};
  const add = (provider: string, c: Record<string, unknown>) => {
    for (const region of startupRegions(c)) out.push({ provider, region });
  };
  if (p.defaultProviders?.includes("aws")) add("default AWS provider", Object.fromEntries(Object.entries(cfg).filter(([k]) => k.startsWith("aws:")).map(([k, v]) => [k.slice(4), v])));
  for (const r of p.resources) if (r.type === "pulumi:providers:aws") add(`AWS provider ${r.name}`, r.inputs);
  return out;
}

/**
 * The regions an AWS provider's start-up calls go to: Pulumi's own credentials check (STS in
 * `region`; pulumi-aws provider/config.go reads no stsRegion) unless skipCredentialsValidation,
 * and the upstream validation and account-id request (STS in `stsRegion`, else `region`) unless
 * both are skipped.
 */
export function startupRegions(c: Record<string, unknown>): string[] {
  const skip = (k: string) => String(c[k]) === "true";
  const region = c.region as string | undefined;
  const sts = (c.stsRegion as string | undefined) ?? region;
  const out = new Set<string>();
  if (!skip("skipCredentialsValidation") && region) out.add(region);
  if (!(skip("skipCredentialsValidation") && skip("skipRequestingAccountId")) && sts) out.add(sts);
  return [...out];
}
