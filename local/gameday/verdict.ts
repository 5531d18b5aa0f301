import type { Designed } from "../site/objectives";

// Each drill judged against the mode's derived objectives (deriveObjectives with the local
// parameters). They are what the mode promises for losing the writer's whole site, the largest
// failure it plans for, so a smaller fault must recover within them too. RTO is judged on the
// error-free time, RPO on the age of the oldest lost acknowledged write.

export interface Judged {
  measuredSeconds: number;
  objectiveSeconds: number;
  met: boolean;
  /** objective − measured: ≥ 0 to spare when met, the overrun (< 0) when missed */
  marginSeconds: number;
}

export interface Verdict {
  recovered: boolean;
  rto: Judged;
  rpo: Judged & { lostWrites: number; lostAfterFault: number };
  /** recovered, RTO met and RPO met */
  met: boolean;
}

export interface DrillFigures {
  recovered: boolean;
  rtoErrorFreeSeconds: number;
  lostWrites: number;
  rpoSeconds: number;
  lostAfterFault: number;
}

const round = (n: number) => Math.round(n * 100) / 100;

function judge(measured: number, objective: number): Judged {
  return { measuredSeconds: measured, objectiveSeconds: objective, met: measured <= objective, marginSeconds: round(objective - measured) };
}

export function verdict(d: DrillFigures, designed: Pick<Designed, "rtoSeconds" | "rpoSeconds">): Verdict {
  const rto = judge(d.rtoErrorFreeSeconds, designed.rtoSeconds);
  // a write acknowledged after the fault and lost is covered by no RPO
  const rpo = { ...judge(d.rpoSeconds, designed.rpoSeconds), lostWrites: d.lostWrites, lostAfterFault: d.lostAfterFault };
  if (d.lostAfterFault > 0) rpo.met = false;
  return { recovered: d.recovered, rto, rpo, met: d.recovered && rto.met && rpo.met };
}

const secs = (n: number) => `${n.toFixed(2)} s`;

/** "met, 0.64 s of 3 s (2.36 s to spare)" / "missed by 1.20 s (4.20 s of 3 s)". */
function judgedText(j: Judged): string {
  const of = `${secs(j.measuredSeconds)} of ${j.objectiveSeconds} s`;
  return j.met ? `met, ${of} (${secs(j.marginSeconds)} to spare)` : `missed by ${secs(-j.marginSeconds)} (${of})`;
}

/** One short cell for the summary table. */
export function verdictCell(v: Verdict): string {
  if (!v.recovered) return "NOT recovered";
  const margin = (j: Judged) => (j.met ? `+${secs(j.marginSeconds)}` : `−${secs(-j.marginSeconds)}`);
  const rpo = v.rpo.lostAfterFault > 0 ? `missed (${v.rpo.lostAfterFault} lost after the fault)` : `${v.rpo.met ? "met" : "missed"} ${margin(v.rpo)}`;
  return `RTO ${v.rto.met ? "met" : "missed"} ${margin(v.rto)}; RPO ${rpo}`;
}

/** The verdict in words, for the drill's section. */
export function verdictLines(v: Verdict): string[] {
  const lines = [`- verdict: ${!v.recovered ? "NOT recovered" : v.met ? "objectives met" : "objectives missed"}`];
  lines.push(`  - RTO (error-free) ${judgedText(v.rto)}`);
  const lost = `${v.rpo.lostWrites} acknowledged write(s) lost`;
  if (v.rpo.lostAfterFault > 0) lines.push(`  - RPO missed: ${lost}, ${v.rpo.lostAfterFault} of them acknowledged after the fault`);
  else lines.push(`  - RPO ${judgedText(v.rpo)}; ${lost}`);
  return lines;
}
