// `npm run gameday -- <scenario> [--mode M] [--to M] [--duration S] [--report-dir D]`
import * as path from "node:path";
import { parseCliCommand, UsageError } from "../../tools/cli-support";
import type { DrMode } from "../../infra/topology/types";
import { Refusal } from "../site/reuse";
import { stateDir } from "../site/state";
import { SCENARIOS, type Scenario } from "./drills";
import { runGameday } from "./run";
import { terminalSummary } from "./summary";

const MODES: DrMode[] = ["backup-restore", "pilot-light", "warm-standby", "active-active"];

const USAGE = `usage: npm run gameday -- <scenario> [--mode MODE] [--to MODE] [--duration S] [--report-dir DIR] [--backup-interval S]

Runs a DR drill against the local site (starting one for --mode if none runs) under a load of
reads and acknowledged writes, and writes a Markdown and JSON report.

  scenario             ${[...SCENARIOS, "all"].join(" | ")}
  --mode MODE          the DR mode of the site to start: ${MODES.join(" | ")} (default: the stack's)
  --to MODE            switch-mode: the mode to switch to, live
  --duration S         seconds of load after each drill's recovery (default 5, at most 600)
  --report-dir DIR     where reports go (default: reports/ in the state folder, .local-site/reports)
  --backup-interval S  backup-restore: seconds between the writer's scheduled backups (default 30)
  -h, --help           show this help

A drill that makes no sense in the site's state (lose-site on a site that already failed over,
failback when no site was lost, a --mode other than the running site's) is refused before
anything happens. Reports are named after the scenario and the start time, e.g.
gameday-lose-site-20261203T161500Z.md, and judge every drill against the derived RTO/RPO.

Exit codes: 0 every drill recovered, 1 a drill did not recover (or the site failed),
2 bad arguments, or a drill refused in the site's current state.`;

async function main(): Promise<void> {
  const { values, positionals } = parseCliCommand({
    mode: { type: "string" },
    to: { type: "string" },
    duration: { type: "string", default: "5" },
    "report-dir": { type: "string" },
    "backup-interval": { type: "string", default: "30" },
  }, USAGE);
  const scenario = positionals[0];
  if (!scenario || (scenario !== "all" && !(SCENARIOS as readonly string[]).includes(scenario))) {
    throw new UsageError(`scenario: one of ${[...SCENARIOS, "all"].join(", ")} (got ${scenario ?? "nothing"})`);
  }
  for (const [flag, v] of [["--mode", values.mode], ["--to", values.to]] as const) {
    if (v !== undefined && !MODES.includes(v as DrMode)) throw new UsageError(`${flag} ${v}: one of ${MODES.join(", ")}`);
  }
  if (scenario === "switch-mode" && values.to === undefined) throw new UsageError("switch-mode needs --to MODE");
  const duration = Number(values.duration);
  if (!(duration >= 0 && duration <= 600)) throw new UsageError(`--duration ${values.duration}: seconds between 0 and 600`);
  const backupInterval = Number(values["backup-interval"]);
  if (!Number.isInteger(backupInterval) || backupInterval < 5) throw new UsageError(`--backup-interval ${values["backup-interval"]}: a whole number of seconds ≥ 5`);
  await run(scenario as Scenario | "all", values, duration, backupInterval);
}

async function run(scenario: Scenario | "all", values: { mode?: string; to?: string; "report-dir"?: string }, duration: number, backupInterval: number): Promise<void> {
  const t0 = Date.now();
  const { report, files } = await runGameday({
    dir: stateDir(), scenario, mode: values.mode as DrMode | undefined, switchTo: values.to as DrMode | undefined,
    tailSeconds: duration, reportDir: path.resolve(values["report-dir"] ?? path.join(stateDir(), "reports")), backupIntervalSeconds: backupInterval,
    progress: (l) => process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${l}\n`),
  });
  const { text, failures } = terminalSummary(report, files);
  process.stdout.write(text);
  if (failures.length) {
    process.stderr.write(failures.map((f) => `gameday: FAILED: ${f}\n`).join(""));
    process.exitCode = 1;
  }
}

main().catch((e) => {
  process.stderr.write(`gameday: ${(e as Error).message}${e instanceof UsageError ? " (see --help)" : ""}\n`);
  process.exit(e instanceof UsageError || e instanceof Refusal ? 2 : 1);
});
