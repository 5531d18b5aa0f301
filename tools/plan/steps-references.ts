import type { CloudState } from "./steps";

// Objects that name other objects by id, where the cloud refuses to delete the named one while
// it is named (and to create a name for one that does not exist): a Cloudflare load balancer's
// pools (defaultPools, fallbackPool, region/country/pop pools), a pool's monitor. Cloudflare API:
// deleting a pool a load balancer uses fails ("pool is in use by load balancer"); so does a
// monitor a pool uses.

export const CF_LB = "cloudflare:index/loadBalancer:LoadBalancer";
export const CF_POOL = "cloudflare:index/loadBalancerPool:LoadBalancerPool";
export const CF_MONITOR = "cloudflare:index/loadBalancerMonitor:LoadBalancerMonitor";

const REFERENCES: readonly { readonly from: string; readonly to: string; readonly what: string }[] = [
  { from: CF_LB, to: CF_POOL, what: "Cloudflare load balancer names pool" },
  { from: CF_POOL, to: CF_MONITOR, what: "Cloudflare pool names monitor" },
];

export const REFERENCE_TYPES: ReadonlySet<string> = new Set(REFERENCES.flatMap((r) => [r.from, r.to]));

/** Every reference in the state to an object of the referenced type that is not live. */
export function referenceProblems(state: CloudState, knownIds: ReadonlyMap<string, string>): string[] {
  const live = new Set([...state.values()].map((o) => `${o.resource.type} ${o.resource.name}-id`));
  const problems: string[] = [];
  for (const o of state.values()) {
    for (const ref of REFERENCES) {
      if (o.resource.type !== ref.from) continue;
      for (const id of inputStrings(o.resource.inputs)) {
        if (knownIds.get(id) !== ref.to) continue;
        if (!live.has(`${ref.to} ${id}`)) problems.push(`${ref.what} ${id}: ${o.resource.name} names it, but it does not exist`);
      }
    }
  }
  return problems.sort();
}

/** Mock ids (`<name>-id`) of every resource of a referenced type, in either plan. */
export function idsOfTypes(resources: Iterable<{ type: string; name: string; custom: boolean }>): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of resources) if (r.custom && REFERENCE_TYPES.has(r.type)) out.set(`${r.name}-id`, r.type);
  return out;
}

/** Every string in a resource's inputs, nested ones included (references are ids, names, uuids). */
export function inputStrings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(inputStrings);
  if (value && typeof value === "object") return Object.values(value).flatMap(inputStrings);
  return [];
}
