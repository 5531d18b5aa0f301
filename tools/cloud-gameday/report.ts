import * as fs from "node:fs";
import * as path from "node:path";
import { compactUtc } from "../../local/gameday/report";
import type { SiteTotals } from "../plan/diff";
import type { ConfigChange } from "./config-paths";
import type { ProbeResult } from "./probe";

// A cloud game day's report, like the local ones: JSON (every figure) and Markdown, named after
// the action and the start time (gameday-cloud-failover-20261203T161500Z.md). The measured
// time from the first config change to healthy is judged against the mode's designed RTO.

export type Outcome = "completed" | "dry-run" | "refused" | "aborted" | "up-failed" | "unhealthy";

export interface StageRecord {
  readonly label: string;
  readonly changes: readonly ConfigChange[];
  previewSeconds?: number;
  totals?: Readonly<Record<string, SiteTotals>>;
  stepCheck?: { steps: number; refusedSteps: number; refusedDeletes: number; intoFenced: number; skipped: number };
  refusals: string[];
  dataLoss: string[];
  upSeconds?: number;
  upError?: string;
  /** the stage's config was put back (aborted before its `up`) */
  configRestored: boolean;
}

export interface CloudReport {
  stack: string;
  action: string;
  to?: string;
  startedAt: string;
  finishedAt: string;
  outcome: Outcome;
  message: string;
  stages: StageRecord[];
  times: { previewSeconds: number; upSeconds: number; healthySeconds: number | null; totalSeconds: number };
  designed: { mode: string; rtoSeconds: number } | null;
  /** total (first config change → healthy) against the designed RTO */
  rto: { measuredSeconds: number; objectiveSeconds: number; met: boolean; marginSeconds: number } | null;
  probe: ProbeResult | null;
  resume: string[];
}

const s = (n: number | null | undefined) => (n === null || n === undefined ? "–" : `${n.toFixed(1)} s`);

export function judgeRto(totalSeconds: number, designed: { rtoSeconds: number } | null): CloudReport["rto"] {
  if (!designed) return null;
  const margin = Math.round((designed.rtoSeconds - totalSeconds) * 10) / 10;
  return { measuredSeconds: totalSeconds, objectiveSeconds: designed.rtoSeconds, met: margin >= 0, marginSeconds: margin };
}

export function markdown(r: CloudReport): string {
  const totals = (t: StageRecord["totals"]) => Object.entries(t ?? {}).map(([site, x]) => `${site} ${x.create}/${x.delete}/${x.update}/${x.replace}`).join(", ") || "–";
  const verdict = r.rto ? `RTO ${r.rto.met ? "met" : "missed"}: ${s(r.rto.measuredSeconds)} of ${r.rto.objectiveSeconds} s (${r.rto.met ? `${s(r.rto.marginSeconds)} to spare` : `over by ${s(-r.rto.marginSeconds)}`})` : "no verdict (no designed RTO or not healthy)";
  return [
    `# Cloud game day: ${r.action}${r.to ? ` --to ${r.to}` : ""} (stack ${r.stack})`,
    "",
    `${r.startedAt} → ${r.finishedAt}. Outcome: **${r.outcome}**: ${r.message}`,
    "",
    `| preview | up | time to healthy | total | designed RTO (${r.designed?.mode ?? "?"}) | verdict |`,
    "|---|---|---|---|---|---|",
    `| ${s(r.times.previewSeconds)} | ${s(r.times.upSeconds)} | ${s(r.times.healthySeconds)} | ${s(r.times.totalSeconds)} | ${r.designed ? `${r.designed.rtoSeconds} s` : "–"} | ${verdict} |`,
    "",
    "| stage | config | preview | changes per site (create/delete/update/replace) | step check | up |",
    "|---|---|---|---|---|---|",
    ...r.stages.map((st) => `| ${st.label} | ${st.changes.map((c) => `${c.path} ${c.value === undefined ? "(removed)" : `= ${JSON.stringify(c.value)}`}`).join("; ")} | ${s(st.previewSeconds)} | ${totals(st.totals)} | ${st.stepCheck ? `${st.stepCheck.steps} steps, ${st.stepCheck.refusedSteps + st.stepCheck.refusedDeletes + st.stepCheck.intoFenced + st.stepCheck.skipped} refused` : "–"} | ${st.upError ? `FAILED: ${st.upError}` : st.upSeconds !== undefined ? s(st.upSeconds) : st.configRestored ? "not run (config restored)" : "not run"} |`),
    "",
    ...r.stages.flatMap((st) => [...st.refusals.map((x) => `- ${st.label}: refused: ${x}`), ...st.dataLoss.map((x) => `- ${st.label}: data: ${x}`)]),
    ...(r.probe ? [`- endpoint: ${r.probe.healthy ? "healthy" : "NOT healthy"} after ${r.probe.attempts} attempt(s), last: ${r.probe.last}; read and write ${r.probe.readWrite}`] : []),
    ...r.resume.map((x) => `- resume: ${x}`),
    "",
    "Times: preview and up are the sums over the stages; time to healthy runs from the end of the last `up` to the first healthy probe; total from the first config change to healthy, the figure judged against the designed RTO (the stack output `recoveryObjectives` after the run).",
    "",
  ].join("\n");
}

export function writeReport(dir: string, r: CloudReport): { json: string; md: string } {
  fs.mkdirSync(dir, { recursive: true });
  const stem = path.join(dir, `gameday-cloud-${r.action}-${compactUtc(r.startedAt)}`);
  let base = stem;
  for (let n = 2; fs.existsSync(`${base}.md`) || fs.existsSync(`${base}.json`); n++) base = `${stem}-${n}`;
  fs.writeFileSync(`${base}.json`, JSON.stringify(r, null, 2));
  fs.writeFileSync(`${base}.md`, markdown(r));
  return { json: `${base}.json`, md: `${base}.md` };
}
