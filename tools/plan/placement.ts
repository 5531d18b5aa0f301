import type { PlanResult, PlannedResource } from "./types";

// Where the plan lists each resource: the site whose region it is created in (regionless ones
// follow their parent), under the component that created it, so a resource sits next to its
// siblings (a Secret with its SecretVersion, a bucket with its policy) and no "other" group exists.

export interface Placement {
  /** a site key, or "global" for what no site's region holds (Route 53, CloudFront, us-east-1) */
  readonly site: string;
  /** the name of the component the resource belongs to, or "stack" for resources under the stack */
  readonly group: string;
  /** the group's component type, short ("Network"); "" for "stack" */
  readonly groupType: string;
  /** the group is a stack-wide component (not a site's): listed after the site's own */
  readonly shared: boolean;
}

export const GLOBAL = "global";

const isSite = (r: PlannedResource) => !r.custom && /:Site$/.test(r.type);
const isRoot = (r: PlannedResource) => !r.custom && r.type.endsWith(":index:Deployment");

/** Site keys by region, from the stack's `sites` config. */
export function siteRegions(plan: PlanResult): Map<string, string> {
  const out = new Map<string, string>();
  const sites = (plan.config.sites ?? {}) as Record<string, { region?: string } | undefined>;
  for (const [key, s] of Object.entries(sites)) if (s?.region) out.set(s.region, key);
  return out;
}

/** Every resource's placement, by URN. */
export function placeResources(plan: PlanResult): Map<string, Placement> {
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  const regions = siteRegions(plan);
  const parentOf = (r: PlannedResource) => (r.parentUrn ? byUrn.get(r.parentUrn) : undefined);
  const ancestors = (r: PlannedResource): PlannedResource[] => {
    const out: PlannedResource[] = [];
    for (let p = parentOf(r); p && !out.includes(p); p = parentOf(p)) out.push(p);
    return out;
  };
  // a component's site: its Site's, else the one site all its regional resources are in
  const regional = new Map<string, Set<string>>();
  for (const r of plan.resources) {
    const site = r.region ? regions.get(r.region) ?? GLOBAL : undefined;
    if (site) for (const a of ancestors(r)) regional.set(a.urn, new Set([...(regional.get(a.urn) ?? []), site]));
  }
  const componentSite = (c: PlannedResource): string => {
    const site = [c, ...ancestors(c)].find(isSite);
    if (site) return site.name;
    const seen = [...(regional.get(c.urn) ?? [])];
    return seen.length === 1 ? seen[0] : GLOBAL;
  };
  const siteOf = (r: PlannedResource): string => {
    if (r.region) return regions.get(r.region) ?? GLOBAL;
    const p = parentOf(r);
    if (!p || isRoot(p)) return GLOBAL;
    return p.custom ? siteOf(p) : componentSite(p);
  };
  const out = new Map<string, Placement>();
  for (const r of plan.resources) {
    // the outermost component below the Deployment and the Sites
    const owners = ancestors(r).filter((a) => !a.custom && !isRoot(a) && !isSite(a));
    const owner = owners[owners.length - 1];
    const site = ancestors(r).find(isSite);
    const group = owner ? owner.name : site ? site.name : "stack";
    const groupType = owner ? shortComponent(owner.type) : site ? shortComponent(site.type) : "";
    out.set(r.urn, { site: siteOf(r), group, groupType, shared: !site });
  }
  return out;
}

function shortComponent(type: string): string {
  return type.split(":").pop() ?? type;
}
