import type { PlanResult, PlannedResource } from "./types";

// Which resource of the "before" plan a resource of the "after" plan is: the same URN, or a URN
// it lists among its aliases (Pulumi then renames the resource in state instead of creating one
// and deleting the other).

/** The before plan's custom resources keyed by the URN they have after the run. */
export function beforeByAfterUrn(before: PlanResult, after: PlanResult): Map<string, PlannedResource> {
  const afterUrns = new Set(after.resources.map((r) => r.urn));
  const renamed = new Map<string, string>();
  const beforeUrns = new Set(before.resources.map((r) => r.urn));
  // the engine takes the first alias that names a resource in state, and a resource once
  for (const r of after.resources) {
    if (beforeUrns.has(r.urn)) continue;
    const alias = (r.aliases ?? []).find((u) => beforeUrns.has(u) && !afterUrns.has(u) && !renamed.has(u));
    if (alias) renamed.set(alias, r.urn);
  }
  return new Map(before.resources.filter((r) => r.custom).map((r) => [renamed.get(r.urn) ?? r.urn, r]));
}
