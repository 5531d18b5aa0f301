// `npm run gameday -- <scenario> [--mode M] [--to M] [--duration S] [--report-dir D]`
import * as path from "node:path";
import { parseArgs } from "node:util";
import { PROJECT_ROOT } from "../../infra/config/stack-file";
import type { DrMode } from "../../infra/topology/types";
import { stateDir } from "../site/state";
import { SCENARIOS, type Scenario } from "./drills";
import { runGameday } from "./run";

const MODES: DrMode[] = ["backup-restore", "pilot-light", "warm-standby", "active-active"];

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      mode: { type: "string" },
      to: { type: "string" },
      duration: { type: "string", default: "5" },
      "report-dir": { type: "string", default: path.join(PROJECT_ROOT, ".local-site", "reports") },
      "backup-interval": { type: "string", default: "30" },
    },
  });
  const scenario = positionals[0];
  if (!scenario || (scenario !== "all" && !(SCENARIOS as readonly string[]).includes(scenario))) {
    throw new Error(`scenario: one of ${[...SCENARIOS, "all"].join(", ")} (got ${scenario ?? "nothing"})`);
  }
  for (const [flag, v] of [["--mode", values.mode], ["--to", values.to]] as const) {
    if (v !== undefined && !MODES.includes(v as DrMode)) throw new Error(`${flag} ${v}: one of ${MODES.join(", ")}`);
  }
  const duration = Number(values.duration);
  if (!(duration >= 0 && duration <= 600)) throw new Error(`--duration ${values.duration}: seconds between 0 and 600`);
  const t0 = Date.now();
  const { report, files } = await runGameday({
    dir: stateDir(), scenario: scenario as Scenario | "all", mode: values.mode as DrMode | undefined, switchTo: values.to as DrMode | undefined,
    tailSeconds: duration, reportDir: path.resolve(values["report-dir"]!), backupIntervalSeconds: Number(values["backup-interval"]),
    progress: (l) => process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${l}\n`),
  });
  const d = report.designed;
  process.stdout.write(`\nderived for ${d.mode} with local parameters: RTO ${d.rtoSeconds} s (${d.rto}), RPO ${d.rpoSeconds} s (${d.rpo}); cloud parameters: RTO ${d.cloud.rtoSeconds} s, RPO ${d.cloud.rpoSeconds} s\n`);
  for (const r of report.drills) {
    process.stdout.write(`${r.scenario.padEnd(18)} detect ${String(r.detectSeconds ?? "–").padStart(5)} s  RTO ${String(r.measure.rtoFirstSuccessSeconds).padStart(5)} / ${String(r.measure.rtoErrorFreeSeconds).padStart(5)} s  errors ${String(r.measure.errors).padStart(4)}  lost ${r.lostWrites}/${r.writesAcknowledgedSoFar}\n`);
  }
  process.stdout.write(`\nreport: ${files.md}\n        ${files.json}\n`);
}

main().catch((e) => {
  process.stderr.write(`gameday: ${(e as Error).message}\n`);
  process.exit(1);
});
