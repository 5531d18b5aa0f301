import * as fs from "node:fs";
import * as path from "node:path";
import type { RecoveryParameters } from "../../infra/topology/objectives";
import type { Designed } from "../site/objectives";
import type { DrillResult } from "./drills";

// A game day's report: JSON (every figure) and Markdown (the summary a person reads), in a folder.

export interface GamedayReport {
  runId: string;
  startedAt: string;
  finishedAt: string;
  stack: string;
  host: { cpus: number; loadAverage: number[]; note: string };
  load: { clients: number; ratePerClient: number; writeShare: number; requests: number };
  designed: Designed;
  localParameters: RecoveryParameters;
  drills: DrillResult[];
}

const s = (n: number | null | undefined) => (n === null || n === undefined ? "–" : `${n.toFixed(2)} s`);

export function markdown(r: GamedayReport): string {
  const lines = [
    `# Game day ${r.runId} (stack ${r.stack}, mode ${r.designed.mode})`,
    "",
    `${r.startedAt} → ${r.finishedAt}. Load: ${r.load.clients} virtual users, ≤ ${r.load.ratePerClient} req/s each, ${Math.round(r.load.writeShare * 100)}% writes (posts with a unique marker), ${r.load.requests} requests recorded.`,
    `Host: ${r.host.cpus} CPUs, load average ${r.host.loadAverage.map((x) => x.toFixed(1)).join(" / ")}. ${r.host.note}`,
    "",
    `Derived for ${r.designed.mode} with the local parameters (deriveObjectives, the Topology's own derivation): RTO ${r.designed.rtoSeconds} s = ${r.designed.rto}; RPO ${r.designed.rpoSeconds} s = ${r.designed.rpo}. With the cloud's parameters: RTO ${r.designed.cloud.rtoSeconds} s, RPO ${r.designed.cloud.rpoSeconds} s.`,
    `Local parameters: edge health check every ${r.localParameters.healthCheckIntervalSeconds} s × ${r.localParameters.healthCheckFailureThreshold}, API boot ${r.localParameters.apiBootSeconds} s, promotion ${r.localParameters.replicaPromotionSeconds} s, backups every ${r.localParameters.backupIntervalSeconds} s. The derived figures are for losing the writer's site (lose-site); the other drills are compared with the issue's targets.`,
    "",
    "| drill | detect | RTO first success | RTO error-free | errors (of requests) | acknowledged writes lost | semi-sync before | writer after |",
    "|---|---|---|---|---|---|---|---|",
    ...r.drills.map((d) =>
      `| ${d.scenario} | ${s(d.detectSeconds)} | ${s(d.measure.rtoFirstSuccessSeconds)} | ${s(d.measure.rtoErrorFreeSeconds)} | ${d.measure.errors} (of ${d.measure.requests}) | ${d.lostWrites} of ${d.writesAcknowledgedSoFar} | ${d.semiSyncBeforeFault === null ? "–" : d.semiSyncBeforeFault ? "ON" : "OFF"} | ${d.writerSiteAfter} |`,
    ),
    "",
    ...r.drills.flatMap((d) => [
      `## ${d.scenario}`,
      "",
      `- errors: ${Object.entries(d.measure.errorKinds).map(([k, n]) => `${k} × ${n}`).join(", ") || "none"} (reads ${d.measure.readErrors}, writes ${d.measure.writeErrors}; sessions logged out ${d.measure.loggedOut})`,
      `- served by: ${Object.entries(d.measure.servedBy).map(([k, n]) => `${k} ${n}`).join(", ") || "–"}; answers from a fenced site: ${d.fencedAnswers}`,
      `- recovery actions took ${d.recoveryActionsSeconds.toFixed(2)} s${d.onlyOnReplicas !== undefined ? `; events only on re-pointed replicas (never acknowledged): ${d.onlyOnReplicas}` : ""}`,
      ...(d.lostMarkers.length ? [`- lost markers: ${d.lostMarkers.join(", ")}${d.lostWrites > d.lostMarkers.length ? " …" : ""}`] : []),
      ...d.notes.map((n) => `- ${n}`),
      "",
    ]),
  ];
  return lines.join("\n");
}

export function writeReport(dir: string, r: GamedayReport): { json: string; md: string } {
  fs.mkdirSync(dir, { recursive: true });
  const base = path.join(dir, `gameday-${r.runId}`);
  fs.writeFileSync(`${base}.json`, JSON.stringify(r, null, 2));
  fs.writeFileSync(`${base}.md`, markdown(r));
  return { json: `${base}.json`, md: `${base}.md` };
}
