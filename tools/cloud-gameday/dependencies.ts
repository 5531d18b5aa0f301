// Engine events name no dependencies, and the step check needs them to know which orders `up`
// may take. The program's own graph gives them: the offline evaluation (tools/plan/evaluate.ts)
// of the same config, keyed `type::name` (offline URNs leave out the parent chain real ones have).

export async function offlineDependencies(stack: string, config: Record<string, unknown>): Promise<Map<string, string[]> | undefined> {
  // loaded only here: the program's modules take seconds to load
  const { evaluateStack } = require("../plan/evaluate") as typeof import("../plan/evaluate");
  const plan = await evaluateStack({ stack, configOverrides: config });
  const key = (urn: string) => urn.split("::").slice(-2).join("::");
  return new Map(plan.resources.map((r) => [`${r.type}::${r.name}`, (r.dependencies ?? []).map(key)]));
}
