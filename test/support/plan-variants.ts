import type { PlannedResource, PlanResult } from "../../tools/plan/types";

// Broken variants of the offline plans: the tests edit the evaluated plan, because the mistakes
// they stand for cannot be expressed through the validated stack config.

/** The one resource of the plan matching `pred`; a test set-up error otherwise. */
export function find(plan: PlanResult, what: string, pred: (r: PlannedResource) => boolean): PlannedResource {
  const hits = plan.resources.filter(pred);
  if (hits.length !== 1) throw new Error(`broken-variant setup: expected exactly one ${what} in the ${plan.stack} plan, found ${hits.length}`);
  return hits[0];
}

/** A copy of the plan with one resource's inputs changed, removed (null) or a resource added. */
export function variant(plan: PlanResult, edit: { target?: PlannedResource; inputs?: Record<string, unknown> | null; add?: PlannedResource }): PlanResult {
  let resources = plan.resources.flatMap((r) => {
    if (r !== edit.target) return [r];
    if (edit.inputs === null) return [];
    return [{ ...r, inputs: { ...r.inputs, ...edit.inputs } }];
  });
  if (edit.add) resources = [...resources, edit.add];
  return { ...plan, resources };
}
