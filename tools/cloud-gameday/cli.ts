// `npm run gameday:cloud -- --stack S <switch-mode --to M | failover | failback | status> [--dry-run] [--yes] [--report-dir D] [--from-stage N]`
import * as path from "node:path";
import * as readline from "node:readline/promises";
import { parseCliCommand, UsageError } from "../cli-support";
import { Refusal } from "./stages";

const USAGE = `usage: npm run gameday:cloud -- --stack NAME <action> [--to MODE] [--dry-run] [--yes] [--report-dir DIR] [--from-stage N]

Runs a DR transition on a real stack through the Pulumi Automation API: sets the config of each
stage (pulumi config set --path), previews, checks the preview (the step check of plan --diff;
a failover changes nothing in the failed site; a replaced writer database or deleted data needs
--yes), runs pulumi up with one line per resource operation, then probes the endpoint until healthy
and writes a Markdown and JSON report with the times against the designed RTO.
Needs the Pulumi CLI, pulumi login, and the clouds' credentials.

  action               switch-mode --to MODE | failover | failback | status
  --stack NAME         the stack (required)
  --to MODE            switch-mode: backup-restore | pilot-light | warm-standby | active-active
  --dry-run            stop after the first stage's preview and its checks (config restored)
  --yes                no question before each up; accept data the stage removes
  --report-dir DIR     where reports go (default: reports/cloud-gameday)
  --from-stage N       resume a multi-stage action at stage N (after a failed up)
  --probe-deadline S   seconds to wait for a healthy endpoint (default 600)
  --cloud              accepted and ignored (the issue's spelling: gameday -- --cloud)

Probing reads and writes needs a game-day user: GAMEDAY_HANDLE and GAMEDAY_PASSWORD.

Exit codes: 0 done (or dry run accepted), 1 an up failed, the endpoint stayed unhealthy or the run
was declined, 2 bad arguments or missing CLI/credentials/prerequisites, 3 the preview was refused.`;

async function main(): Promise<number> {
  const { values, positionals } = parseCliCommand({
    stack: { type: "string" },
    to: { type: "string" },
    "dry-run": { type: "boolean", default: false },
    yes: { type: "boolean", default: false },
    "report-dir": { type: "string", default: "reports/cloud-gameday" },
    "from-stage": { type: "string" },
    "probe-deadline": { type: "string", default: "600" },
    cloud: { type: "boolean", default: false },
  }, USAGE);
  const action = positionals[0];
  if (!values.stack) throw new UsageError("--stack NAME is required");
  if (!["switch-mode", "failover", "failback", "status"].includes(action ?? "")) throw new UsageError(`action: one of switch-mode, failover, failback, status (got ${action ?? "nothing"})`);
  if (positionals.length > 1) throw new UsageError(`one action, got ${positionals.join(" ")}`);
  const fromStage = values["from-stage"] === undefined ? undefined : Number(values["from-stage"]);
  if (fromStage !== undefined && !(Number.isInteger(fromStage) && fromStage >= 1)) throw new UsageError("--from-stage N: a stage number from 1");
  const deadline = Number(values["probe-deadline"]);
  if (!(deadline > 0)) throw new UsageError("--probe-deadline S: seconds > 0");

  const root = path.resolve(__dirname, "../..");
  const { openStack, checkAwsCredentials } = require("./automation") as typeof import("./automation");
  const ws = await openStack(process.env.GAMEDAY_WORKDIR ?? root, values.stack);
  const reportDir = path.resolve(values["report-dir"]!);
  // the real AWS SDK clients exist only here (aws-clients.ts); the stack's aws:profile, if set, is theirs too
  const awsProfile = (await ws.getAllConfig())["aws:profile"]?.value;
  const awsClients = () => require("./aws-clients") as typeof import("./aws-clients");
  if (action === "status") {
    const { printStatus } = require("./status") as typeof import("./status");
    let why: string | undefined;
    try {
      checkAwsCredentials(await ws.getAllConfig());
    } catch (e) {
      why = e instanceof Refusal ? e.message.replace(/^needs AWS credentials: /, "no AWS credentials: ") : String(e);
    }
    return printStatus(ws, reportDir, (l) => console.log(l), why ? { why } : { client: (region) => awsClients().metricsClient(region, awsProfile) });
  }
  checkAwsCredentials(await ws.getAllConfig());
  const { runCloudGameday } = require("./runner") as typeof import("./runner");
  const { httpProber } = require("./probe") as typeof import("./probe");
  const { writeReport } = require("./report") as typeof import("./report");
  const { projectConfig, getPath } = require("./config-paths") as typeof import("./config-paths");
  const domain = getPath(projectConfig(await ws.getAllConfig()), "edge.domain");
  const user = process.env.GAMEDAY_HANDLE && process.env.GAMEDAY_PASSWORD ? { handle: process.env.GAMEDAY_HANDLE, password: process.env.GAMEDAY_PASSWORD } : undefined;
  const t0 = Date.now();
  const { offlineDependencies } = require("./dependencies") as typeof import("./dependencies");
  const { report, exitCode } = await runCloudGameday(ws, {
    action: action as "switch-mode" | "failover" | "failback", to: values.to, dryRun: values["dry-run"]!, yes: values.yes!, fromStage,
    confirm: process.stdin.isTTY && process.stdout.isTTY ? ask : undefined,
    progress: (l) => process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(7)} s] ${l}\n`),
    probe: httpProber({ baseUrl: process.env.GAMEDAY_ENDPOINT ?? `https://${String(domain)}`, user }),
    probeDeadlineSeconds: deadline,
    dependencies: process.env.GAMEDAY_OFFLINE_DEPENDENCIES === "0" ? undefined : (cfg) => offlineDependencies(values.stack!, cfg).catch(() => undefined),
    recoveryPoints: (region) => awsClients().backupClient(region, awsProfile),
  });
  const files = writeReport(reportDir, report);
  console.log(`\n${report.outcome}: ${report.message}\nreport: ${files.md}\n        ${files.json}`);
  return exitCode;
}

async function ask(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    const known = e instanceof UsageError || e instanceof Refusal;
    // one line, never a trace: the engine's own errors are cut to their first error line
    const text = e instanceof Error ? e.message : String(e);
    process.stderr.write(`gameday --cloud: ${known ? text : text.split("\n").find((l) => /error/i.test(l))?.trim() ?? text.split("\n")[0]}${e instanceof UsageError ? " (see --help)" : ""}\n`);
    process.exit(known ? 2 : 1);
  },
);
