// `npm start -- [--stack prod] [--mode M] [--active-site S] [--detach] [--backup-interval S]`
// `npm stop`
import { ConfigError } from "../../infra/config/errors";
import { parseCliArgs, UsageError } from "../../tools/cli-support";
import { loadTopology } from "./plan";
import { alive } from "./proc";
import { drillInProgress, Refusal, reuseConflict } from "./reuse";
import { LocalSite } from "./site";
import { readState, stateDir } from "./state";
import { clearState, ensureSystemPackages, healthyState, leftoverProcesses, startDetached, stopRecorded, supervise, type StartOptions } from "./supervisor";
import { summary } from "./summary";

const say = (l: string) => process.stdout.write(l + "\n");

const USAGE = `usage: npm start -- [--stack NAME] [--mode MODE] [--active-site primary|secondary] [--detach] [--backup-interval S]
       npm stop

Runs the stack's Topology on this machine: per site MariaDB, Redis, the API and worker
processes and an HAProxy load balancer, plus a global HAProxy standing in for the edge.

  --stack NAME          stack whose Pulumi.NAME.yaml is read (default: prod)
  --mode MODE           override dr.mode: backup-restore | pilot-light | warm-standby | active-active
  --active-site SITE    override dr.activeSite: primary | secondary
  --detach              return once the site is healthy; \`npm stop\` stops it
  --backup-interval S   backup-restore: seconds between the writer's backups (default 30, ≥ 5)
  -h, --help            show this help

A site that already runs is reused when it is the one asked for (--stack, --mode, --active-site
as given); otherwise, or while a game-day drill runs on it, start refuses and says how to switch.

Exit codes: 0 started (or stopped), 1 the site failed to start (stop: something still runs),
2 bad arguments or stack config, or a running site that is not the one asked for.`;

async function start(argv: string[]): Promise<void> {
  const values = parseCliArgs({
    stack: { type: "string", default: "prod" },
    mode: { type: "string" },
    "active-site": { type: "string" },
    detach: { type: "boolean", default: false },
    supervise: { type: "boolean", default: false },
    "backup-interval": { type: "string", default: "30" },
  }, USAGE, argv);
  const interval = Number(values["backup-interval"]);
  if (!Number.isInteger(interval) || interval < 5) throw new UsageError(`--backup-interval ${values["backup-interval"]}: a whole number of seconds ≥ 5`);
  const opts: StartOptions = { stack: values.stack!, mode: values.mode, activeSite: values["active-site"], backupIntervalSeconds: interval };
  loadTopology(opts.stack, opts); // bad config or flags fail here, before anything starts
  const dir = stateDir();
  if (values.supervise) {
    await supervise(dir, opts, say, (site) => say(`\n${summary(site)}\n\nhealthy; Ctrl-C stops everything`));
    return;
  }
  const running = readState(dir);
  const busy = running && alive(running.supervisorPid) ? drillInProgress(running) : undefined;
  if (busy) throw new Refusal(busy);
  if (await healthyState(dir)) {
    const conflict = reuseConflict(readState(dir)!, { stack: values.stack, mode: values.mode, activeSite: values["active-site"] });
    if (conflict) throw new Refusal(conflict);
    const site = new LocalSite(dir, readState(dir)!, say);
    say(`a healthy local site already runs (supervisor pid ${site.st.supervisorPid}); reusing it (npm stop stops it)\n`);
    say(summary(site));
    return;
  }
  const stale = await stopRecorded(dir);
  if (stale > 0) say(`replaced a stale local site: stopped ${stale} leftover process(es)`);
  clearState(dir);
  ensureSystemPackages(say);
  say(`starting the local site (stack ${opts.stack}) in ${dir}`);
  if (values.detach) {
    await startDetached(dir, opts, say);
    say(`\ndetached; npm stop stops it`);
    return;
  }
  await supervise(dir, opts, say, (site) => say(`\n${summary(site)}\n\nhealthy; Ctrl-C stops everything`));
}

async function stop(): Promise<void> {
  const dir = stateDir();
  const st = readState(dir);
  // processes marked for the folder are stopped even when no state records them
  if (!st && leftoverProcesses(dir).length === 0) {
    say(`no local site recorded in ${dir}`);
    return;
  }
  const n = await stopRecorded(dir);
  clearState(dir);
  const left = [...new Set([st?.supervisorPid, ...leftoverProcesses(dir)])].filter((p): p is number => alive(p) && p !== process.pid);
  if (left.length) {
    say(`still running: ${left.join(", ")}`);
    process.exitCode = 1;
  } else say(`stopped the local site (${n} process(es)); nothing of it is left running`);
}

async function main(): Promise<void> {
  const [cmd, ...rest] = process.argv.slice(2);
  if (cmd === "start") return start(rest);
  if (cmd === "stop") {
    parseCliArgs({}, USAGE, rest); // --help, or a UsageError for anything else
    return stop();
  }
  throw new UsageError(`the command is start or stop (got ${cmd ?? "nothing"})`);
}

main().catch((e) => {
  if (e instanceof ConfigError) process.stderr.write(`${e.message}\n`);
  else process.stderr.write(`local site: ${(e as Error).message}${e instanceof UsageError ? " (see --help)" : ""}\n`);
  process.exit(e instanceof ConfigError || e instanceof UsageError || e instanceof Refusal ? 2 : 1);
});
