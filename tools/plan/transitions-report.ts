import { wrap } from "./layout";
import type { CheckedStage, RefusedTransition } from "./transitions";

// `plan --transitions`: one row per stage of every DR transition, with its step check's counts,
// then the transitions the stack's config refuses, each with the validation's reason.

export function formatTransitions(stages: readonly CheckedStage[], width: number, refused: readonly RefusedTransition[] = []): string[] {
  const fit = (line: string) => (line.length <= width ? line : `${line.slice(0, width - 1)}…`);
  const head = `${"transition / stage".padEnd(62)} ${"steps".padStart(5)} ${"refused".padStart(8)} ${"deletes".padStart(8)} ${"fenced".padStart(7)}`;
  const lines = [fit(head), fit("-".repeat(head.length))];
  let last = "";
  for (const s of stages) {
    if (s.transition !== last) lines.push(fit(s.transition));
    last = s.transition;
    const c = s.check;
    lines.push(fit(`  ${`${s.from} → ${s.to}`.slice(0, 60).padEnd(60)} ${String(c.steps).padStart(5)} ${String(c.refusedSteps.length).padStart(8)} ${String(c.refusedDeletes.length).padStart(8)} ${String(c.calls.intoFenced.length).padStart(7)}`));
    const finding = (text: string) => lines.push(...wrap(text, width, "    ! ", "      "));
    for (const r of c.refusedSteps) finding(`${r.step.kind} ${r.step.name}: ${r.problem}`);
    for (const d of c.refusedDeletes) finding(`delete ${d.step.name}: ${d.problem}`);
    for (const f of c.calls.intoFenced) finding(`fenced region ${c.calls.fencedRegion}: ${f}`);
    for (const k of c.skipped) finding(`not checked: ${k}`);
  }
  const bad = stages.filter((s) => s.check.refusedSteps.length + s.check.refusedDeletes.length + s.check.calls.intoFenced.length + s.check.skipped.length > 0).length;
  lines.push("", `${stages.length} stages checked, ${bad} with a refused step, a refused delete or a call into a fenced region`);
  if (refused.length > 0) {
    // grouped by the validation's reason: one mode refused refuses every transition through it
    lines.push("", `${refused.length} transitions the stack's config refuses (not checked):`);
    const byProblem = new Map<string, string[]>();
    for (const r of refused) byProblem.set(r.problem, [...(byProblem.get(r.problem) ?? []), r.name]);
    for (const [problem, names] of byProblem) {
      lines.push(...wrap(problem, width, "  ! ", "    "));
      lines.push(...wrap(names.join("; "), width, "      ", "      "));
    }
  }
  return lines;
}
