// `npm start [-- --stack prod] [--mode M] [--active-site S] [--detach] [--backup-interval S]`
// `npm stop`
import { parseArgs } from "node:util";
import { ConfigError } from "../../infra/config/errors";
import { loadTopology } from "./plan";
import { alive } from "./proc";
import { LocalSite } from "./site";
import { readState, stateDir } from "./state";
import { clearState, ensureSystemPackages, healthyState, startDetached, stopRecorded, supervise, type StartOptions } from "./supervisor";
import { summary } from "./summary";

const say = (l: string) => process.stdout.write(l + "\n");

async function start(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      stack: { type: "string", default: "prod" },
      mode: { type: "string" },
      "active-site": { type: "string" },
      detach: { type: "boolean", default: false },
      supervise: { type: "boolean", default: false },
      "backup-interval": { type: "string", default: "30" },
    },
  });
  const interval = Number(values["backup-interval"]);
  if (!Number.isInteger(interval) || interval < 5) throw new Error(`--backup-interval ${values["backup-interval"]}: a whole number of seconds ≥ 5`);
  const opts: StartOptions = { stack: values.stack!, mode: values.mode, activeSite: values["active-site"], backupIntervalSeconds: interval };
  loadTopology(opts.stack, opts); // bad config or flags fail here, before anything starts
  const dir = stateDir();
  if (values.supervise) {
    await supervise(dir, opts, say, (site) => say(`\n${summary(site)}\n\nhealthy; Ctrl-C stops everything`));
    return;
  }
  if (await healthyState(dir)) {
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
  if (!st) {
    say(`no local site recorded in ${dir}`);
    return;
  }
  const n = await stopRecorded(dir);
  clearState(dir);
  const left = [st.supervisorPid].filter((p) => alive(p));
  say(left.length ? `still running: ${left.join(", ")}` : `stopped the local site (${n} process group(s)); nothing of it is left running`);
}

async function main(): Promise<void> {
  const [cmd, ...rest] = process.argv.slice(2);
  if (cmd === "start") return start(rest);
  if (cmd === "stop") return stop();
  throw new Error(`usage: cli.ts start|stop [options]`);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof ConfigError ? e.message : `local site: ${(e as Error).message}`}\n`);
  process.exit(e instanceof ConfigError ? 2 : 1);
});
