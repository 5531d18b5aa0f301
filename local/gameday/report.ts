import * as fs from "node:fs";
import * as path from "node:path";
import type { RecoveryParameters } from "../../infra/topology/objectives";
import type { Designed } from "../site/objectives";
import type { DrillResult, Scenario } from "./drills";
import { MEASUREMENT_NOTES } from "./measure";
import { verdict, verdictCell, verdictLines } from "./verdict";

// A game day's report: JSON (every figure) and Markdown (the summary a person reads), in a folder,
// named after the scenario and the time it started (gameday-lose-site-20261203T161500Z.md).

export interface GamedayReport {
  /** the marker prefix of this run's posts */
  runId: string;
  scenario: Scenario | "all";
  startedAt: string;
  finishedAt: string;
  stack: string;
  host: { cpus: number; loadAverage: number[]; note: string };
  load: { clients: number; ratePerClient: number; writeShare: number; requests: number };
  designed: Designed;
  localParameters: RecoveryParameters;
  drills: DrillResult[];
  /** drills of the chain left out after one failed to recover */
  notRun: Scenario[];
}

const s = (n: number | null | undefined) => (n === null || n === undefined ? "–" : `${n.toFixed(2)} s`);

/** The drill's verdict against the derived objectives. */
export const drillVerdict = (d: DrillResult, designed: Designed) =>
  verdict({ recovered: d.recovered, rtoErrorFreeSeconds: d.measure.rtoErrorFreeSeconds, lostWrites: d.lostWrites, rpoSeconds: d.rpoSeconds, lostAfterFault: d.lostAfterFault }, designed);

function perOperation(d: DrillResult): string {
  const ops = d.measure.failedOperations.map((op) => {
    const r = d.measure.perOperation[op]!;
    return `${op}s ${s(r.firstSuccessSeconds)} / ${s(r.errorFreeSeconds)}${r.recovered ? "" : " (no success after the last failure)"}`;
  });
  const clock = d.measure.clockStart === "fault" ? "" : ", clock from the first failed request (a planned change)";
  return ops.length ? `- RTO per failed operation (first success / error-free${clock}): ${ops.join("; ")}` : "- RTO: no request failed";
}

export function markdown(r: GamedayReport): string {
  const d0 = r.designed;
  const p = r.localParameters;
  const lines = [
    `# Game day: ${r.scenario} (stack ${r.stack}, mode ${d0.mode})`,
    "",
    `${r.startedAt} → ${r.finishedAt}. Load: ${r.load.clients} virtual users, ≤ ${r.load.ratePerClient} req/s each, ${Math.round(r.load.writeShare * 100)}% writes (posts with a unique marker gd-${r.runId}-…), ${r.load.requests} requests recorded.`,
    `Host: ${r.host.cpus} CPUs, load average ${r.host.loadAverage.map((x) => x.toFixed(1)).join(" / ")}. ${r.host.note}`,
    "",
    `Derived for ${d0.mode} with the local parameters (deriveObjectives, the Topology's own derivation): RTO ${d0.rtoSeconds} s = ${d0.rto}; RPO ${d0.rpoSeconds} s = ${d0.rpo}. With the cloud's parameters: RTO ${d0.cloud.rtoSeconds} s, RPO ${d0.cloud.rpoSeconds} s.`,
    `Local parameters: edge health check every ${p.healthCheckIntervalSeconds} s × ${p.healthCheckFailureThreshold}, API boot ${p.apiBootSeconds} s, promotion ${p.replicaPromotionSeconds} s, backups every ${p.backupIntervalSeconds} s.`,
    `Every drill is judged against these objectives. They are what the mode promises when the writer's whole site is lost, the largest failure it plans for, so a smaller fault (one API process, the cache, the database writer) must recover within them too. RTO is judged on the error-free time, RPO on the age of the oldest lost acknowledged write; the margin is what was left to spare (+) or the overrun (−).`,
    "",
    "| drill | detect | RTO first success | RTO error-free | errors (of requests) | acknowledged writes lost | verdict | writer after |",
    "|---|---|---|---|---|---|---|---|",
    ...r.drills.map((d) =>
      `| ${d.scenario} | ${s(d.detectSeconds)} | ${s(d.measure.rtoFirstSuccessSeconds)} | ${s(d.measure.rtoErrorFreeSeconds)} | ${d.measure.errors} (of ${d.measure.requests}) | ${d.lostWrites} of ${d.writesAcknowledgedSoFar} | ${verdictCell(drillVerdict(d, d0))} | ${d.writerSiteAfter} |`,
    ),
    ...(r.notRun.length ? ["", `Not run, because a drill before them did not recover: ${r.notRun.join(", ")}.`] : []),
    "",
    ...r.drills.flatMap((d) => [
      `## ${d.scenario}`,
      "",
      ...verdictLines(drillVerdict(d, d0)),
      perOperation(d),
      `- errors: ${Object.entries(d.measure.errorKinds).map(([k, n]) => `${k} × ${n}`).join(", ") || "none"} (reads ${d.measure.readErrors}, writes ${d.measure.writeErrors}; sessions logged out ${d.measure.loggedOut})`,
      `- served by: ${Object.entries(d.measure.servedBy).map(([k, n]) => `${k} ${n}`).join(", ") || "–"}; answers from a fenced site: ${d.fencedAnswers}`,
      `- semi-sync before the fault: ${d.semiSyncBeforeFault === null ? "– (no in-site standby)" : d.semiSyncBeforeFault ? "ON" : "OFF"}`,
      `- recovery actions took ${d.recoveryActionsSeconds.toFixed(2)} s${d.onlyOnReplicas !== undefined ? `; events only on re-pointed replicas (never acknowledged): ${d.onlyOnReplicas}` : ""}`,
      ...(d.lostMarkers.length ? [`- lost markers: ${d.lostMarkers.join(", ")}${d.lostWrites > d.lostMarkers.length ? " …" : ""}`] : []),
      ...d.notes.map((n) => `- ${n}`),
      "",
    ]),
    "## How the figures are measured",
    "",
    ...MEASUREMENT_NOTES.map((n) => `- ${n}`),
    "",
  ];
  return lines.join("\n");
}

/** 2026-12-03T16:15:00.123Z → 20261203T161500Z */
export function compactUtc(iso: string): string {
  return iso.replace(/\.\d+Z$/, "Z").replace(/[-:]/g, "");
}

/** gameday-<scenario>-<start time, UTC>; -2, -3 … when a report of that name exists already. */
export function reportBase(dir: string, r: Pick<GamedayReport, "scenario" | "startedAt">): string {
  const stem = path.join(dir, `gameday-${r.scenario}-${compactUtc(r.startedAt)}`);
  for (let n = 1; ; n++) {
    const base = n === 1 ? stem : `${stem}-${n}`;
    if (!fs.existsSync(`${base}.md`) && !fs.existsSync(`${base}.json`)) return base;
  }
}

export function writeReport(dir: string, r: GamedayReport): { json: string; md: string } {
  fs.mkdirSync(dir, { recursive: true });
  const base = reportBase(dir, r);
  fs.writeFileSync(`${base}.json`, JSON.stringify(r, null, 2));
  fs.writeFileSync(`${base}.md`, markdown(r));
  return { json: `${base}.json`, md: `${base}.md` };
}
