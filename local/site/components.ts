import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../infra/config/stack-file";
import { LIVENESS_PATH } from "../../infra/topology/health";
import type { SiteKey } from "../../infra/topology/types";
import { checkHaproxyConfig, HAPROXY, haproxyCommand } from "../services/haproxy";
import { portOpen } from "../services/ports";
import { alive, httpStatus, spawnGroup, stopGroup, waitFor } from "./proc";
import { edgeConfig, siteProxyConfig, type EdgeSpec } from "./proxy-config";
import type { LocalSiteState, SiteRuntime, StateHandle } from "./state";

// Starting and stopping the site's non-database processes: the per-site HAProxy, Redis, API
// processes and the fan-out worker, and the global edge. Each is saved into the state by its id
// the moment it is spawned (before waiting for it), so a drill that fails later leaves nothing
// unrecorded; each also carries the state folder's mark (marks.ts).

const logDir = (dir: string) => {
  const d = path.join(dir, "logs");
  fs.mkdirSync(d, { recursive: true });
  return d;
};
export const proxySocket = (dir: string, site: SiteKey) => path.join(dir, `proxy-${site}.sock`);
export const edgeSocket = (dir: string) => path.join(dir, "edge.sock");

/** The per-site HAProxy: load balancer + database endpoints, pointing where the state says. */
export async function startSiteProxy(h: StateHandle, site: SiteKey, targets: { writer: number; reader: number }): Promise<void> {
  const { dir, st } = h;
  const rt = st.sites[site];
  const file = path.join(dir, `proxy-${site}.cfg`);
  fs.writeFileSync(file, siteProxyConfig({ site, socket: proxySocket(dir, site), lbPort: rt.lbPort, apiPorts: rt.apiPorts, dbWriterPort: rt.dbWriterPort, dbReaderPort: rt.dbReaderPort, writerTarget: targets.writer, readerTarget: targets.reader }));
  checkHaproxyConfig(file);
  rt.proxyPid = spawnGroup(HAPROXY, ["-f", file], { siteDir: dir, logFile: path.join(logDir(dir), `proxy-${site}.log`) }).pid;
  h.save();
  await waitFor(`HAProxy ${site}`, async () => (await portOpen(rt.lbPort)) && fs.existsSync(proxySocket(dir, site)), 20_000);
}

/** Re-points a site's database endpoint (runtime API, no reload) and cuts the sessions to the old target. */
export async function pointEndpoint(dir: string, site: SiteKey, which: "db_writer" | "db_reader", port: number): Promise<void> {
  const sock = proxySocket(dir, site);
  await haproxyCommand(sock, `set server ${which}/db addr 127.0.0.1 port ${port}`);
  await haproxyCommand(sock, `set server ${which}/db state ready`);
  await haproxyCommand(sock, `shutdown sessions server ${which}/db`);
}

export async function startRedis(h: StateHandle, site: SiteKey): Promise<void> {
  const { dir, st } = h;
  const rt = st.sites[site];
  const data = path.join(dir, `redis-${site}`);
  fs.mkdirSync(data, { recursive: true });
  const args = ["--port", String(rt.redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", data, "--maxmemory", "128mb", "--maxmemory-policy", "volatile-lru",
    // Redis would overwrite its command line and environment with a title: its mark would be gone
    "--set-proc-title", "no"];
  rt.redisPid = spawnGroup("redis-server", args, { siteDir: dir, logFile: path.join(logDir(dir), `redis-${site}.log`) }).pid;
  h.save();
  await waitFor(`Redis ${site}`, () => portOpen(rt.redisPort), 20_000);
}

/**
 * Auth limits for a site whose clients all come from 127.0.0.1. The client address is the one the
 * site's HAProxy appends to X-Forwarded-For (`option forwardfor`, one trusted hop).
 */
export const LOCAL_AUTH_ENV: Record<string, string> = {
  CLIENT_IP_SOURCE: "xff",
  TRUSTED_HOPS: "1",
  LOGIN_IP_PER_MINUTE: "100000",
  SIGNUP_IP_PER_HOUR: "100000",
  LOGIN_FREE_FAILURES: "1000",
  HASH_CONCURRENCY: "16",
  HASH_CONCURRENCY_PER_CLIENT: "16",
};

function appEnv(st: LocalSiteState, site: SiteKey, siteId: number, nodeId: number, extra: Record<string, string>): NodeJS.ProcessEnv {
  const rt = st.sites[site];
  const url = (port: number) => `mysql://${encodeURIComponent(st.cred.appUser)}:${encodeURIComponent(st.cred.appPassword)}@127.0.0.1:${port}/${st.cred.database}`;
  return {
    PATH: process.env.PATH ?? "",
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    SITE_ID: String(siteId),
    NODE_ID: String(nodeId),
    DB_PRIMARY_URL: url(rt.dbWriterPort),
    DB_REPLICA_URL: url(rt.dbReaderPort),
    // the writer is in the other site: site readiness does not check it (contract of /readyz)
    DB_PRIMARY_REMOTE: String(st.activeSite !== site),
    REDIS_URL: `redis://127.0.0.1:${rt.redisPort}`,
    SESSION_SECRET: st.sessionSecret,
    LOG_LEVEL: "warn",
    DRAIN_SECONDS: "5",
    REPLICA_LAG_CHECK_MS: "500",
    // each API's loopback metrics listener on any free port: two APIs a site share this host
    METRICS_PORT: "0",
    // every client of the local site is 127.0.0.1 (tests, benches, game days): generous auth limits
    ...LOCAL_AUTH_ENV,
    ...extra,
  };
}

const tsx = (script: string) => [process.execPath, ["-r", "tsx/cjs", path.join(PROJECT_ROOT, script)]] as const;

/** Starts API slot i of a site; resolves once its /healthz answers 200. Returns seconds taken. */
export async function startApi(h: StateHandle, site: SiteKey, siteId: number, slot: number): Promise<number> {
  const { dir, st } = h;
  const rt = st.sites[site];
  const t0 = Date.now();
  const [cmd, args] = tsx("app/src/server.ts");
  const env = appEnv(st, site, siteId, slot + 1, { PORT: String(rt.apiPorts[slot]) });
  const p = spawnGroup(cmd, [...args], { siteDir: dir, env, cwd: PROJECT_ROOT, logFile: path.join(logDir(dir), `api-${site}-${slot + 1}.log`) });
  rt.apiPids[slot] = p.pid;
  rt.apiRemote[slot] = env.DB_PRIMARY_REMOTE === "true";
  h.save();
  let exited = "";
  void p.exited.then((c) => (exited = c || "exit"));
  await waitFor(`API ${site}#${slot + 1}`, async () => {
    if (exited) throw new Error(`API ${site}#${slot + 1} exited (${exited}); see ${path.join(dir, "logs", `api-${site}-${slot + 1}.log`)}`);
    return (await httpStatus(rt.apiPorts[slot], LIVENESS_PATH)) === 200;
  }, 90_000, 200);
  return (Date.now() - t0) / 1000;
}

export async function stopApi(h: StateHandle, site: SiteKey, slot: number, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  const rt = h.st.sites[site];
  const pid = rt.apiPids[slot];
  if (pid) await stopGroup(pid, 10_000, signal);
  rt.apiPids[slot] = undefined;
  rt.apiRemote[slot] = undefined;
  h.save();
}

export async function startWorker(h: StateHandle, site: SiteKey, siteId: number): Promise<void> {
  const { dir, st } = h;
  const [cmd, args] = tsx("app/src/worker.ts");
  // the worker mints no ids; node ids above the API slots keep the pair unique anyway
  const env = appEnv(st, site, siteId, 100, { MIGRATE_ON_START: "false" });
  st.sites[site].workerPid = spawnGroup(cmd, [...args], { siteDir: dir, env, cwd: PROJECT_ROOT, logFile: path.join(logDir(dir), `worker-${site}.log`) }).pid;
  h.save();
}

/** Starts (or reloads, replacing the running one without dropping its listener) the global edge. */
export async function startEdge(h: StateHandle, sites: EdgeSpec["sites"]): Promise<void> {
  const { dir, st } = h;
  const file = path.join(dir, "edge.cfg");
  fs.writeFileSync(file, edgeConfig({ socket: edgeSocket(dir), port: st.edgePort, sites }));
  checkHaproxyConfig(file);
  const old = st.edgePid;
  const args = ["-f", file, ...(old ? ["-sf", String(old)] : [])];
  st.edgePid = spawnGroup(HAPROXY, args, { siteDir: dir, logFile: path.join(logDir(dir), "edge.log") }).pid;
  h.save();
  // -sf: the new process binds the port, then tells the old one to stop listening and finish its
  // connections; the old one exiting is the sign the new one took over (never a gap in listening)
  if (old) await waitFor("edge reload", () => !alive(old), 15_000).catch(() => stopGroup(old, 0, "SIGKILL"));
  await waitFor("edge", () => portOpen(st.edgePort), 20_000);
}

export function siteRuntime(ports: number[]): SiteRuntime {
  const [lbPort, dbWriterPort, dbReaderPort, redisPort, a1, a2] = ports;
  return { lbPort, dbWriterPort, dbReaderPort, redisPort, apiPorts: [a1, a2], apiPids: [undefined, undefined], apiRemote: [undefined, undefined], fenced: false };
}
