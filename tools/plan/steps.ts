import type { PlanDiff } from "./diff";
import { beforeByAfterUrn } from "./identity";
import type { PlanResult, PlannedResource } from "./types";

// A transition is not a jump: `pulumi up` creates, updates and creates replacements in
// dependency order (independent steps in parallel, so in any order the graph allows), then
// deletes removed resources and the old copies of replaced ones last, dependents first. This
// module turns a diff into those steps and their order, and walks every state the cloud can pass
// through, so rules about intermediate states (Route 53 record sets, a pool a load balancer still
// names) can be checked in every allowed order, not only at the end.

export type StepKind = "create" | "update" | "replace-create" | "replace-delete" | "delete";

export interface Step {
  readonly index: number;
  readonly kind: StepKind;
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** the resource before the step (updates, deletes) */
  readonly before?: PlannedResource;
  /** the resource after the step (creates, updates) */
  readonly after?: PlannedResource;
  /** runs in the final delete phase (removed resources, old copies of create-before-delete replacements) */
  readonly deletePhase: boolean;
}

/** One live cloud object: a resource's current inputs. A replacement's new copy is a second object. */
export interface LiveObject {
  readonly key: string;
  readonly resource: PlannedResource;
}

export type CloudState = ReadonlyMap<string, LiveObject>;

export interface StepGraph {
  readonly steps: readonly Step[];
  /** precedes[a] has b when step a must run before step b */
  readonly precedes: readonly ReadonlySet<number>[];
  readonly before: PlanResult;
  readonly after: PlanResult;
}

const OLD = "old";
const NEW = "new";

/** The steps of a diff and the order Pulumi must keep between them. */
export function stepGraph(before: PlanResult, after: PlanResult, diff: PlanDiff): StepGraph {
  const a = beforeByAfterUrn(before, after);
  const b = customIndex(after);
  const steps: Step[] = [];
  const add = (s: Omit<Step, "index">) => steps.push({ ...s, index: steps.length });
  for (const c of diff.changes) {
    const old = a.get(c.urn);
    const now = b.get(c.urn);
    const base = { urn: c.urn, type: c.type, name: c.name };
    if (c.op === "+") add({ ...base, kind: "create", after: now, deletePhase: false });
    else if (c.op === "~") add({ ...base, kind: "update", before: old, after: now, deletePhase: false });
    else if (c.op === "-") {
      if (!c.retained) add({ ...base, kind: "delete", before: old, deletePhase: true });
    } else {
      const dbr = now?.deleteBeforeReplace === true;
      add({ ...base, kind: "replace-delete", before: old, deletePhase: !dbr });
      add({ ...base, kind: "replace-create", after: now, deletePhase: false });
    }
  }

  const depsAfter = transitiveDependencies(after);
  const depsBefore = transitiveDependencies(before);
  const mainOf = new Map<string, number[]>();
  for (const s of steps) if (!s.deletePhase) mainOf.set(s.urn, [...(mainOf.get(s.urn) ?? []), s.index]);
  const precedes = steps.map(() => new Set<number>());
  for (const s of steps) {
    if (s.deletePhase) {
      // deletes run after every create and update
      for (const m of steps) if (!m.deletePhase) precedes[m.index].add(s.index);
      // dependents are deleted before what they depend on (the old graph)
      for (const d of steps) if (d.deletePhase && d !== s && depsBefore.get(s.urn)?.has(d.urn)) precedes[s.index].add(d.index);
      continue;
    }
    // creates and updates wait for the steps of everything they depend on (the new graph)
    for (const dep of depsAfter.get(s.urn) ?? []) for (const i of mainOf.get(dep) ?? []) precedes[i].add(s.index);
    // deleteBeforeReplace: the old copy goes first
    if (s.kind === "replace-create") {
      const del = steps.find((d) => d.kind === "replace-delete" && d.urn === s.urn && !d.deletePhase);
      if (del) precedes[del.index].add(s.index);
    }
  }
  return { steps, precedes, before, after };
}

/** The objects live before the transition. */
export function initialState(g: StepGraph): Map<string, LiveObject> {
  return new Map([...beforeByAfterUrn(g.before, g.after)].map(([urn, r]) => [`${urn}#${OLD}`, { key: `${urn}#${OLD}`, resource: r }]));
}

/** The state after `done` (a set of steps closed under `precedes`): independent of their order. */
export function stateAfter(g: StepGraph, done: Iterable<number>): Map<string, LiveObject> {
  const state = initialState(g);
  for (const i of done) {
    const s = g.steps[i];
    const oldKey = `${s.urn}#${OLD}`;
    switch (s.kind) {
      case "create": state.set(`${s.urn}#${NEW}`, { key: `${s.urn}#${NEW}`, resource: s.after! }); break;
      case "update": state.set(oldKey, { key: oldKey, resource: s.after! }); break;
      case "replace-create": state.set(`${s.urn}#${NEW}`, { key: `${s.urn}#${NEW}`, resource: s.after! }); break;
      case "replace-delete":
      case "delete": state.delete(oldKey); break;
    }
  }
  return state;
}

/** A state rule: the problems in one cloud state (empty when the state is acceptable). */
export type StateRule = (state: CloudState) => string[];

export interface RefusedStep {
  readonly step: Step;
  /** the rule's words: what the cloud refuses and why */
  readonly problem: string;
  /** one order that reaches the refusal: the steps before it, then the refused one */
  readonly order: readonly Step[];
}

/** Beyond this many relevant steps the walk stops (2^n states at most): reported, never guessed. */
export const MAX_WALKED_STEPS = 16;

export interface WalkResult {
  readonly refused: RefusedStep[];
  /** number of distinct intermediate states checked */
  readonly states: number;
  /** set when the relevant steps were too many to walk every order */
  readonly skipped?: string;
}

/**
 * Checks `rule` in every state reachable through the `relevant` steps in any order the graph
 * allows (every prefix of every allowed order). Steps outside `relevant` do not change what the
 * rule reads. A step is refused when some allowed order makes the state break the rule right
 * after it, though it held right before.
 */
export function walkOrders(g: StepGraph, relevant: (s: Step) => boolean, rule: StateRule): WalkResult {
  const steps = g.steps.filter(relevant);
  if (steps.length > MAX_WALKED_STEPS) return { refused: [], states: 0, skipped: `${steps.length} steps (more than ${MAX_WALKED_STEPS}) to walk in every order` };
  const before = predecessorsWithin(g, steps);
  const seen = new Map<number, string[]>([[0, rule(stateAfter(g, []))]]);
  const refused = new Map<string, RefusedStep>();
  let frontier = [0];
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const mask of frontier) {
      const problemsBefore = seen.get(mask)!;
      for (let i = 0; i < steps.length; i++) {
        if (mask & (1 << i) || (before[i] & mask) !== before[i]) continue;
        const grown = mask | (1 << i);
        let problems = seen.get(grown);
        const fresh = problems === undefined;
        if (!problems) {
          problems = rule(stateAfter(g, indices(steps, grown)));
          seen.set(grown, problems);
        }
        const added = problems.filter((p) => !problemsBefore.includes(p));
        for (const p of added) {
          const key = `${steps[i].index}|${p}`;
          if (!refused.has(key)) refused.set(key, { step: steps[i], problem: p, order: [...orderOf(steps, before, mask), steps[i]] });
        }
        // a refused call stops the run: nothing after it happens in that order
        if (fresh && added.length === 0) next.push(grown);
      }
    }
    frontier = next;
  }
  return { refused: [...refused.values()], states: seen.size };
}

function indices(steps: readonly Step[], mask: number): number[] {
  return steps.filter((_, i) => mask & (1 << i)).map((s) => s.index);
}

/** Bit masks: for each relevant step, the relevant steps that must run before it. */
function predecessorsWithin(g: StepGraph, steps: readonly Step[]): number[] {
  const pos = new Map(steps.map((s, i) => [s.index, i]));
  const reach = transitiveOrder(g);
  return steps.map((s) => {
    let m = 0;
    for (const p of reach[s.index]) {
      const i = pos.get(p);
      if (i !== undefined) m |= 1 << i;
    }
    return m;
  });
}

/** For every step, every step that must run before it (transitively). */
function transitiveOrder(g: StepGraph): Set<number>[] {
  const preds = g.steps.map(() => new Set<number>());
  g.precedes.forEach((succ, a) => succ.forEach((b) => preds[b].add(a)));
  const memo: (Set<number> | undefined)[] = [];
  const visit = (i: number, path: Set<number>): Set<number> => {
    const cached = memo[i];
    if (cached) return cached;
    if (path.has(i)) throw new Error(`step check: the steps form a cycle at ${g.steps[i].name}`);
    path.add(i);
    const all = new Set<number>();
    for (const p of preds[i]) {
      all.add(p);
      for (const q of visit(p, path)) all.add(q);
    }
    path.delete(i);
    memo[i] = all;
    return all;
  };
  return g.steps.map((_, i) => visit(i, new Set()));
}

/** The steps of `mask` in one allowed order. */
function orderOf(steps: readonly Step[], before: readonly number[], mask: number): Step[] {
  const out: Step[] = [];
  let done = 0;
  while ((done & mask) !== mask) {
    const i = steps.findIndex((_, j) => mask & (1 << j) && !(done & (1 << j)) && (before[j] & done) === (before[j] & mask));
    if (i < 0) break;
    done |= 1 << i;
    out.push(steps[i]);
  }
  return out;
}

function customIndex(p: PlanResult): Map<string, PlannedResource> {
  return new Map(p.resources.filter((r) => r.custom).map((r) => [r.urn, r]));
}

/** Every resource each resource depends on, directly or through others. */
function transitiveDependencies(p: PlanResult): Map<string, Set<string>> {
  const direct = new Map(p.resources.map((r) => [r.urn, r.dependencies ?? []]));
  const memo = new Map<string, Set<string>>();
  const visit = (urn: string, path: Set<string>): Set<string> => {
    const cached = memo.get(urn);
    if (cached) return cached;
    const all = new Set<string>();
    if (path.has(urn)) return all;
    path.add(urn);
    for (const d of direct.get(urn) ?? []) {
      all.add(d);
      for (const x of visit(d, path)) all.add(x);
    }
    path.delete(urn);
    memo.set(urn, all);
    return all;
  };
  for (const urn of direct.keys()) visit(urn, new Set());
  return memo;
}
