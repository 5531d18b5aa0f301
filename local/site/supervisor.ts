import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../infra/config/stack-file";
import { SITE_READINESS_PATH } from "../../infra/topology/health";
import { scheduleBackups } from "./backups";
import { isMarked, markedProcesses, markEnv } from "./marks";
import { alive, cmdline, httpStatus, processGroup, sleep, stopGroup } from "./proc";
import { LocalSite, type Progress } from "./site";
import { readState, recordedPids, stateFile, type LocalSiteState } from "./state";

// The lifecycle of the local site: system packages, a healthy state folder reused or a stale one
// cleaned (its recorded processes stopped by id), the supervisor (foreground, or detached), and stop.

export interface StartOptions {
  stack: string;
  mode?: string;
  activeSite?: string;
  backupIntervalSeconds: number;
}

const BINARIES: Array<[string, string]> = [["mariadbd", "mariadb-server"], ["mariadb-dump", "mariadb-client"], ["redis-server", "redis-server"], ["haproxy", "haproxy"]];

function onPath(bin: string): boolean {
  return ["/usr/sbin", "/usr/bin", "/usr/local/bin", "/usr/local/sbin", ...(process.env.PATH ?? "").split(":")].some((d) => fs.existsSync(path.join(d, bin)));
}

/** Installs missing Debian packages through scripts/install-system-deps.sh, or names them. */
export function ensureSystemPackages(progress: Progress): void {
  const missing = BINARIES.filter(([bin]) => !onPath(bin)).map(([, pkg]) => pkg);
  if (missing.length === 0) return;
  const canInstall = fs.existsSync("/etc/debian_version") && (process.getuid?.() === 0 || onPath("sudo"));
  if (!canInstall) throw new Error(`the local site needs these packages: ${[...new Set(missing)].join(", ")} (Debian/Ubuntu: sudo apt-get install ${[...new Set(missing)].join(" ")}; macOS: brew install mariadb redis haproxy)`);
  progress(`installing ${[...new Set(missing)].join(", ")} (scripts/install-system-deps.sh)`);
  execFileSync("bash", [path.join(PROJECT_ROOT, "scripts", "install-system-deps.sh")], { stdio: "inherit" });
}

/**
 * A recorded id still names our process (ids get reused): it carries the state folder's mark, its
 * command line names the state folder (MariaDB, HAProxy) or the project (API, worker, supervisor),
 * or it is Redis on a recorded port.
 */
function ours(pid: number, dir: string, st: LocalSiteState): boolean {
  if (isMarked(pid, dir)) return true;
  const cmd = cmdline(pid);
  const redisPorts = Object.values(st.sites).map((s) => `127.0.0.1:${s.redisPort}`);
  return cmd.includes(dir) || cmd.includes(PROJECT_ROOT) || (cmd.startsWith("redis-server") && redisPorts.some((p) => cmd.includes(p)));
}

/**
 * Stops every process a state records (only those that are still ours), then every process that
 * carries the state folder's mark or names a path in it, recorded or not (with no state at all too).
 */
export async function stopRecorded(dir: string, except: number[] = []): Promise<number> {
  // never this process's own group: a marked supervisor stopping the site, with its helpers (esbuild)
  const ownGroup = processGroup("self");
  const skip = (p: number) => except.includes(p) || p === process.pid || p === process.ppid || processGroup(p) === ownGroup;
  const st = readState(dir);
  const recorded = (s: LocalSiteState | undefined) => (s ? recordedPids(s).filter((p) => !skip(p) && alive(p) && ours(p, dir, s)) : []);
  const pids = recorded(st);
  // the supervisor first: it stops the rest in order; then whatever is left
  const sup = pids.find((p) => p === st?.supervisorPid);
  if (sup) await stopGroup(sup, 60_000);
  const rest = recorded(readState(dir) ?? st);
  await Promise.all(rest.map((p) => stopGroup(p, 10_000)));
  const unrecorded = leftoverProcesses(dir).filter((p) => !skip(p));
  await Promise.all(unrecorded.map((p) => stopGroup(p, 10_000)));
  return new Set([...pids, ...rest, ...unrecorded]).size;
}

/** Processes of the state folder found through /proc: marked for it, or naming a path in it. */
export function leftoverProcesses(dir: string): number[] {
  return [...new Set([...markedProcesses(dir), ...processesNaming(dir)])].filter((p) => alive(p));
}

/** Processes whose command line names a path inside `dir` (from /proc). */
export function processesNaming(dir: string): number[] {
  const prefix = `${path.resolve(dir)}/`;
  let entries: string[];
  try {
    entries = fs.readdirSync("/proc");
  } catch {
    return [];
  }
  return entries.filter((e) => /^\d+$/.test(e)).map(Number).filter((pid) => cmdline(pid).includes(prefix));
}

/** Removes what a stopped site leaves (data, sockets, state); logs and reports stay. */
export function clearState(dir: string): void {
  if (!fs.existsSync(dir)) return;
  for (const f of fs.readdirSync(dir)) {
    if (f === "logs" || f === "reports") continue;
    fs.rmSync(path.join(dir, f), { recursive: true, force: true });
  }
}

/** healthy: the supervisor runs, the state says so and the edge answers /readyz. */
export async function healthyState(dir: string): Promise<boolean> {
  const st = readState(dir);
  return !!st && st.status === "healthy" && alive(st.supervisorPid) && (await httpStatus(st.edgePort, SITE_READINESS_PATH, 2000)) === 200;
}

/** Runs the site in this process until SIGINT/SIGTERM; resolves after everything stopped. */
export async function supervise(dir: string, opts: StartOptions, progress: Progress, onHealthy: (site: LocalSite) => void): Promise<void> {
  let stopping: Promise<void> | undefined;
  let stopBackups = () => {};
  const stop = (why: string) =>
    (stopping ??= (async () => {
      progress(`stopping (${why})…`);
      stopBackups();
      const st = readState(dir); // drills may have changed it since start
      if (st) await new LocalSite(dir, st, progress).stop().catch((e) => progress(`stop: ${(e as Error).message}`));
      await stopRecorded(dir, [process.pid]);
      clearState(dir);
      progress("stopped: no process of the local site is left");
    })());
  const onSignal = (sig: string) => void stop(sig).then(() => process.exit(0));
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const site = await LocalSite.create(dir, opts, progress);
    stopBackups = scheduleBackups(dir, opts.backupIntervalSeconds, progress);
    onHealthy(site);
  } catch (e) {
    progress(`start failed: ${(e as Error).message}`);
    await stop("start failed");
    process.exit(1);
  }
  await new Promise<void>(() => undefined); // until a signal
}

/** Starts a supervisor in the background and resolves once the site is healthy. */
export async function startDetached(dir: string, opts: StartOptions, progress: Progress): Promise<void> {
  fs.mkdirSync(path.join(dir, "logs"), { recursive: true });
  const log = path.join(dir, "logs", "supervisor.log");
  const out = fs.openSync(log, "w"); // this start's lines only
  const args = ["-r", "tsx/cjs", path.join(__dirname, "cli.ts"), "start", "--supervise", "--stack", opts.stack, "--backup-interval", String(opts.backupIntervalSeconds)];
  if (opts.mode) args.push("--mode", opts.mode);
  if (opts.activeSite) args.push("--active-site", opts.activeSite);
  const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, detached: true, stdio: ["ignore", out, out], env: markEnv(dir, { ...process.env, LOCAL_SITE_DIR: dir }) });
  fs.closeSync(out);
  child.unref();
  let printed = 0;
  const flush = () => {
    const text = fs.existsSync(log) ? fs.readFileSync(log, "utf8") : "";
    if (text.length > printed) {
      for (const l of text.slice(printed).split("\n").filter(Boolean)) progress(l);
      printed = text.length;
    }
  };
  for (;;) {
    await sleep(300);
    flush();
    if (await healthyState(dir)) return;
    if (child.exitCode !== null || !alive(child.pid)) {
      flush();
      throw new Error(`the local site did not start (see ${log})`);
    }
  }
}

export { stateFile };
