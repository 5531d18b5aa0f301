import type { PlanDiff } from "./diff";
import { refusedDelete, type RefusedDelete } from "./steps-deletes";
import { digitaloceanOrder } from "./steps-digitalocean";
import { idsOfTypes, REFERENCE_TYPES, referenceProblems } from "./steps-references";
import { regionCalls, type RegionCalls } from "./steps-regions";
import { HEALTH_CHECK, RECORD, route53Problems } from "./steps-route53";
import { stepGraph, walkOrders, type RefusedStep, type Step } from "./steps";
import { wrap } from "./layout";
import type { PlanResult } from "./types";

// The step check of `plan --diff`: would the clouds accept every call of this transition, in
// every order Pulumi may make them? Route 53 record sets and Cloudflare references are checked in
// every intermediate state, DigitalOcean's references (steps-digitalocean.ts) pair by pair; deletes
// against what the cloud refuses to delete; and the calls of the run against the region of the
// site it fences.

export interface StepCheck {
  readonly steps: number;
  /** intermediate states walked (Route 53 and Cloudflare) */
  readonly states: number;
  readonly refusedSteps: readonly RefusedStep[];
  readonly refusedDeletes: readonly RefusedDelete[];
  readonly calls: RegionCalls;
  /** walks that were too large to finish (never counted as safe) */
  readonly skipped: readonly string[];
}

export function checkSteps(before: PlanResult, after: PlanResult, diff: PlanDiff): StepCheck {
  const g = stepGraph(before, after, diff);
  const route53 = walkOrders(g, (s) => s.type === RECORD || s.type === HEALTH_CHECK, route53Problems);
  const ids = idsOfTypes([...before.resources, ...after.resources]);
  const refs = walkOrders(g, (s) => REFERENCE_TYPES.has(s.type), (state) => referenceProblems(state, ids));
  const digitalocean = digitaloceanOrder(g);
  const refusedDeletes = g.steps.map(refusedDelete).filter((d): d is RefusedDelete => d !== undefined);
  return {
    steps: g.steps.length,
    states: route53.states + refs.states + digitalocean.states,
    refusedSteps: [...route53.refused, ...refs.refused, ...digitalocean.refused],
    refusedDeletes,
    calls: regionCalls(after, g.steps),
    skipped: [route53.skipped, refs.skipped, digitalocean.skipped].filter((s): s is string => s !== undefined),
  };
}

/** True when the transition can run as is. */
export function stepsAccepted(c: StepCheck): boolean {
  return c.refusedSteps.length === 0 && c.refusedDeletes.length === 0 && c.calls.intoFenced.length === 0 && c.skipped.length === 0;
}

export function formatStepCheck(c: StepCheck, width: number): string[] {
  // findings wrap, never cut: the rule and the step names are the point of the check
  const out = (text: string, first = "  ", rest = "      ") => wrap(text, width, first, rest);
  const step = (s: Step) => `${s.kind} ${s.name}`;
  const lines = ["", ...out(`Step check: ${c.steps} steps, ${c.states} intermediate states walked in every order the dependencies allow`, "", "  ")];
  lines.push(...out(`refused steps: ${c.refusedSteps.length}, refused deletes: ${c.refusedDeletes.length}, calls into a fenced region: ${c.calls.intoFenced.length}`));
  for (const r of c.refusedSteps) {
    lines.push(...out(`! refused: ${step(r.step)}: ${r.problem}`));
    lines.push(...out(`e.g. after: ${r.order.slice(0, -1).map(step).join(", ") || "nothing else"}`, "      ", "        "));
  }
  for (const d of c.refusedDeletes) lines.push(...out(`! refused delete: ${d.step.type} ${d.step.name}: ${d.problem}`));
  for (const call of c.calls.intoFenced) lines.push(...out(`! calls the fenced region ${c.calls.fencedRegion}: ${call}`));
  for (const s of c.skipped) lines.push(...out(`! not checked: ${s}`));
  const regions = Object.entries(c.calls.invokes).sort(([a], [b]) => a.localeCompare(b)).map(([r, n]) => `${r === "-" ? "in the provider" : r} ${n}`);
  lines.push(...out(`provider functions by region: ${regions.join(", ") || "none"}`));
  lines.push(...out(`provider start-up calls: ${c.calls.startup.map((p) => `${p.provider} → ${p.region}`).join(", ") || "none"}`));
  return lines;
}
