import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { freePort, startRedis, startReplicatedMariaDb, type RedisService, type ReplicatedMariaDb } from "../../local/services";
import { migrate } from "../src/db/migrate";
import { IdGenerator } from "../src/ids";
import { hashPassword } from "../src/users/passwords";
import Redis from "ioredis";
import { cpuSeconds } from "./proc-cpu";
import { wrk, type WrkResult } from "./wrk";
import { fanoutRecovery, fanoutRecoveryLines } from "./fanout-lag";
import { FEED_GRAPH, seedFeedGraph, seedUsers } from "./seed";

// npm run bench: real MariaDB primary+replica and Redis (local/services), 100k seeded users, the API
// and a bare Hono hello-world each in its own process, the fan-out worker in another, all on
// 127.0.0.1. The compared scenarios (hello-world, profile reads, feed reads) run side by side with
// one fixed method: wrk, 1 thread, BENCH_CONNECTIONS connections; the warm-up and the post
// scenario use autocannon. Prints req/s, p50, p99 and errors per scenario, the profile/hello-world
// and feed/hello-world ratios, cache hit ratios and DB queries per 1000 reads (from the API's
// /metrics counters, on its loopback metrics listener).

const ROOT = path.resolve(__dirname, "../..");
const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const DURATION = Number(process.env.BENCH_DURATION_SEC ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ZIPF_S = Number(process.env.BENCH_ZIPF_S ?? 1.0);
/** The feed graph (seed.ts): readers (a Zipf mix over them), each following FOLLOWS_PER_READER authors, CELEBRITIES of them pulled. */
const { AUTHORS, POSTS_PER_AUTHOR, READERS, FOLLOWS_PER_READER, CELEBRITIES, FIRST_READER } = FEED_GRAPH;
/** The last CELEBRITIES authors are followed by every reader: over the API's CELEBRITY_FOLLOWERS, so pulled at read time. */
const CELEBRITY_FOLLOWERS = 100;
const POSTERS = 20;
/**
 * Measurement hook: node flags for the API process only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
 * (as arguments: Node 20 refuses --cpu-prof in NODE_OPTIONS). Summarize with cpuprofile-summary.ts.
 */
const API_NODE_ARGS = (process.env.BENCH_API_NODE_ARGS ?? "").split(/\s+/).filter(Boolean);
const PROFILING = API_NODE_ARGS.some((a) => a.startsWith("--cpu-prof"));

const children: ChildProcess[] = [];
let db: ReplicatedMariaDb | undefined;
let redis: RedisService | undefined;
let tmp: string | undefined;

function log(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/** A child process with stdout+stderr to a log file; ready when GET {readyUrl} answers 200 (or the log matches). */
async function startProcess(name: string, script: string, env: Record<string, string>, ready: { url?: string; log?: RegExp }, nodeArgs: string[] = []): Promise<ChildProcess> {
  const logFile = path.join(tmp!, `${name}.log`);
  const out = fs.openSync(logFile, "w");
  const child = spawn(process.execPath, [...nodeArgs, "-r", "tsx/cjs", script], { cwd: ROOT, env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", ...env }, stdio: ["ignore", out, out] });
  fs.closeSync(out);
  children.push(child);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}): ${fs.readFileSync(logFile, "utf8").slice(-2000)}`);
    if (ready.url) {
      const ok = await fetch(ready.url).then((r) => r.ok, () => false);
      if (ok) return child;
    } else if (ready.log && ready.log.test(fs.readFileSync(logFile, "utf8"))) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} not ready in 60 s; see ${logFile}`);
}

interface LoadResult {
  rps: number;
  total: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  timeouts: number;
}

function load(spec: Record<string, unknown>): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-r", "tsx/cjs", "app/bench/load.ts", JSON.stringify(spec)], { cwd: ROOT, env: { PATH: process.env.PATH ?? "" }, stdio: ["ignore", "pipe", "inherit"] });
    children.push(child);
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.once("exit", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").pop()!) as LoadResult) : reject(new Error(`load generator exited ${code}`))));
  });
}

async function metrics(base: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const m = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const i = line.lastIndexOf(" ");
    m.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return m;
}
const sum = (m: Map<string, number>, prefix: string, ...must: string[]) =>
  [...m].filter(([k]) => k.startsWith(prefix) && must.every((s) => k.includes(s))).reduce((a, [, v]) => a + v, 0);

async function json<T>(url: string, init: RequestInit): Promise<T> {
  const r = await fetch(url, init);
  if (!r.ok) throw new Error(`${init.method} ${url}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

async function main(): Promise<void> {
  const t0 = Date.now();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rf-bench-"));
  log(`starting MariaDB primary+replica and Redis (${tmp})`);
  [db, redis] = await Promise.all([startReplicatedMariaDb({ bufferPoolMb: 256 }), startRedis({ maxmemoryMb: 512 })]);
  await migrate(db.primaryUrl);

  log(`seeding ${USERS} users, ${AUTHORS * POSTS_PER_AUTHOR} posts, ${READERS * FOLLOWS_PER_READER} follows`);
  const gen = new IdGenerator(0, 100);
  const password = "bench-password";
  const hash = await hashPassword(password);
  let ids: string[] = [];
  let handles: string[] = [];
  const root = await db.primary.rootConnection();
  try {
    await root.query("USE feed");
    const now = new Date();
    ({ ids, handles } = await seedUsers(root, gen, USERS, hash, now));
    await seedFeedGraph(root, gen, ids, now);
  } finally {
    await root.end();
  }
  await db.waitForReplica(120_000);
  const idsFile = path.join(tmp, "ids.txt");
  fs.writeFileSync(idsFile, ids.join("\n"));
  // the same users, in the same Zipf order, by handle: GET /users/@bench_N
  const handlesFile = path.join(tmp, "handles.txt");
  fs.writeFileSync(handlesFile, handles.map((h) => `@${h}`).join("\n"));
  log(`seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s since start`);

  const [apiPort, helloPort, metricsPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const env = {
    PORT: String(apiPort), METRICS_PORT: String(metricsPort), HOST: "127.0.0.1", DB_PRIMARY_URL: db.primaryUrl, DB_REPLICA_URL: db.replicaUrl, REDIS_URL: redis.url,
    SESSION_SECRET: "bench-secret-0123456789", DB_POOL_SIZE: "16", LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "info", SITE_ID: "0", NODE_ID: "1",
    CELEBRITY_FOLLOWERS: String(CELEBRITY_FOLLOWERS),
    // every bench client is 127.0.0.1: generous auth limits (the defences are measured by login-flood.ts)
    LOGIN_IP_PER_MINUTE: "1000000", SIGNUP_IP_PER_HOUR: "1000000", LOGIN_FREE_FAILURES: "1000", HASH_CONCURRENCY: "16", HASH_CONCURRENCY_PER_CLIENT: "16",
  };
  log("starting the API server, the fan-out worker and the hello-world server (separate processes)");
  const [apiProc, , helloProc] = await Promise.all([
    startProcess("api", "app/src/server.ts", env, { url: `http://127.0.0.1:${apiPort}/readyz` }, API_NODE_ARGS),
    // the worker logs at info whatever BENCH_LOG_LEVEL says: its start line is the readiness signal
    startProcess("worker", "app/src/worker.ts", { ...env, NODE_ID: "2", PORT: "1", LOG_LEVEL: "info" }, { log: /fan-out worker started/ }),
    startProcess("hello", "app/bench/hello.ts", { PORT: String(helloPort) }, { url: `http://127.0.0.1:${helloPort}/` }),
  ]);
  const api = `http://127.0.0.1:${apiPort}`;
  const apiMetrics = `http://127.0.0.1:${metricsPort}`;
  const hello = `http://127.0.0.1:${helloPort}`;

  const login = async (i: number) => (await json<{ token: string }>(`${api}/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ handle: handles[i], password, mode: "bearer" }) })).token;
  // Logins cost an scrypt each (the thread pool runs 4 at once).
  const readerTokens: string[] = [];
  for (let r = 0; r < READERS; r += 8) readerTokens.push(...(await Promise.all(Array.from({ length: Math.min(8, READERS - r) }, (_, i) => login(FIRST_READER + r + i)))));
  const tokensFile = path.join(tmp, "tokens.txt");
  fs.writeFileSync(tokensFile, readerTokens.join("\n"));
  const posterTokens: string[] = [];
  for (let p = 0; p < POSTERS; p++) posterTokens.push(await login(p));

  const results: Array<[string, Pick<LoadResult, "rps" | "total" | "p50" | "p99" | "errors">]> = [];
  const base = { connections: CONNECTIONS, durationSec: DURATION };
  const measured = { connections: CONNECTIONS, durationSec: DURATION, dir: tmp };
  /** A wrk run, and the server's and Redis' CPU per request (µs) during it. */
  const cpuPerRequest = new Map<string, number>();
  const stats = new Redis(redis.url, { lazyConnect: true });
  await stats.connect();
  const redisCpu = async () => {
    const info = await stats.info("cpu");
    return ["used_cpu_sys", "used_cpu_user"].reduce((a, k) => a + Number(new RegExp(`^${k}:([\\d.]+)`, "m").exec(info)?.[1] ?? 0), 0);
  };
  const timed = async (name: string, server: ChildProcess, run: Promise<WrkResult>) => {
    const [c0, r0] = [cpuSeconds(server.pid!), await redisCpu()];
    const r = await run;
    cpuPerRequest.set(name, ((cpuSeconds(server.pid!) - c0) / Math.max(1, r.total)) * 1e6);
    cpuPerRequest.set(`${name} redis`, (((await redisCpu()) - r0) / Math.max(1, r.total)) * 1e6);
    return r;
  };

  log(`hello-world: ${DURATION} s, wrk 1 thread, ${CONNECTIONS} connections`);
  const helloRes = await timed("hello", helloProc, wrk({ ...measured, url: hello, target: { kind: "fixed", path: "/" } }));
  results.push(["GET / (bare Hono hello-world)", helloRes]);

  log(`profile cache warm-up: every user once, least popular first (not measured)`);
  const warm = await load({ connections: 64, amount: USERS, url: api, method: "GET", paths: { kind: "sequential-desc", idsFile } });
  log(`  warm-up: ${warm.total} requests, ${warm.rps.toFixed(0)} req/s, errors ${warm.errors}`);

  const m0 = await metrics(apiMetrics);
  log(`GET /users/:id, Zipf(s=${ZIPF_S}) over ${USERS} users: ${DURATION} s`);
  // CLOCK_MONOTONIC µs, the clock of a .cpuprofile's timestamps: lets a profile be cut to this scenario.
  const zipfStart = process.hrtime.bigint() / 1000n;
  const prof = await timed("profile", apiProc, wrk({ ...measured, url: api, target: { kind: "zipf-users", idsFile, s: ZIPF_S } }));
  if (PROFILING) log(`profile window for the Zipf scenario (monotonic µs): ${zipfStart} ${process.hrtime.bigint() / 1000n}`);
  const m1 = await metrics(apiMetrics);
  results.push([`GET /users/:id (Zipf s=${ZIPF_S})`, prof]);

  log(`feed warm-up: every reader's first page twice (not measured)`);
  for (let pass = 0; pass < 2; pass++) {
    for (let r = 0; r < READERS; r += 16) {
      await Promise.all(readerTokens.slice(r, r + 16).map((tk) => json(`${api}/feed?limit=20`, { method: "GET", headers: { authorization: `Bearer ${tk}` } })));
    }
  }
  const f0 = await metrics(apiMetrics);
  log(`GET /feed?limit=20, Zipf(s=${ZIPF_S}) over ${READERS} readers (${FOLLOWS_PER_READER} followees each, ${CELEBRITIES} of them pulled): ${DURATION} s`);
  const feedStart = process.hrtime.bigint() / 1000n;
  const feed = await timed("feed", apiProc, wrk({ ...measured, url: api, target: { kind: "zipf-readers", tokensFile, s: ZIPF_S, path: "/feed?limit=20" } }));
  if (PROFILING) log(`profile window for the feed scenario (monotonic µs): ${feedStart} ${process.hrtime.bigint() / 1000n}`);
  const f1 = await metrics(apiMetrics);
  results.push([`GET /feed?limit=20 (Zipf s=${ZIPF_S})`, feed]);

  log(`POST /posts (${POSTERS} authors, fan-out worker running): ${DURATION} s`);
  const post = await load({ ...base, url: api, method: "POST", paths: { kind: "fixed", path: "/posts" }, tokens: posterTokens, body: JSON.stringify({ text: "bench post number $N" }) });
  results.push(["POST /posts", post]);
  const fanout = await fanoutRecovery(async () => sum(await metrics(apiMetrics), "fanout_lag"));

  // Last, so the scenarios above run as before it existed. Not warmed: the first reads of each
  // handle fill its cache entries within the run.
  log(`GET /users/@handle, Zipf(s=${ZIPF_S}) over the same users: ${DURATION} s`);
  const byHandle = await timed("handle", apiProc, wrk({ ...measured, url: api, target: { kind: "zipf-users", idsFile: handlesFile, s: ZIPF_S } }));
  results.push([`GET /users/@handle (Zipf s=${ZIPF_S})`, byHandle]);

  const hits = sum(m1, "cache_requests_total", 'cache="profile"', 'result="hit"') - sum(m0, "cache_requests_total", 'cache="profile"', 'result="hit"');
  const misses = sum(m1, "cache_requests_total", 'cache="profile"', 'result="miss"') - sum(m0, "cache_requests_total", 'cache="profile"', 'result="miss"');
  const localHits = sum(m1, "cache_local_hits_total", 'cache="profile"') - sum(m0, "cache_local_hits_total", 'cache="profile"');
  const profileReads = sum(m1, "http_requests_total", 'route="/users/:id"') - sum(m0, "http_requests_total", 'route="/users/:id"');
  const queries = sum(m1, "db_queries_total") - sum(m0, "db_queries_total");
  stats.disconnect();

  const pad = (s: string, n: number) => s.padEnd(n);
  const num = (v: number, n: number, d = 0) => v.toFixed(d).padStart(n);
  const lines: string[] = [];
  lines.push("");
  lines.push(`resilient-feed bench: ${USERS} users, ${CONNECTIONS} connections, ${DURATION} s per scenario, loopback, ${os.cpus().length} CPUs, node ${process.version}`);
  lines.push(`${pad("scenario", 34)}${"req/s".padStart(9)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}${"errors".padStart(9)}${"requests".padStart(10)}`);
  for (const [name, r] of results) lines.push(`${pad(name, 34)}${num(r.rps, 9)}${num(r.p50, 9)}${num(r.p99, 9)}${num(r.errors, 9)}${num(r.total, 10)}`);
  const ratio = prof.rps / helloRes.rps;
  const feedRatio = feed.rps / helloRes.rps;
  const delta = (prefix: string, ...must: string[]) => sum(f1, prefix, ...must) - sum(f0, prefix, ...must);
  const feedReads = delta("http_requests_total", 'route="/feed"');
  const feedQueries = delta("db_queries_total");
  const postHits = delta("cache_requests_total", 'cache="post"', 'result="hit"');
  const postMisses = delta("cache_requests_total", 'cache="post"', 'result="miss"') + delta("cache_requests_total", 'cache="post"', 'result="error"');
  const pagesReused = delta("cache_local_hits_total", 'cache="feed_page"');
  const postLocal = delta("cache_local_hits_total", 'cache="post"');
  const perThousand = (feedQueries / Math.max(1, feedReads)) * 1000;
  const hitRatio = hits / Math.max(1, hits + misses);
  const errors = results.reduce((a, [, r]) => a + r.errors, 0) + warm.errors;
  // Issue 21's targets (the profile's own: at least 84a3366's speed side by side, bisect-profile.ts)
  const feedProfile = feed.rps / prof.rps;
  lines.push(`profile req/s / hello-world req/s: ${ratio.toFixed(2)} (target: at least 84a3366's, side by side: app/bench/bisect-profile.ts)`);
  lines.push(`feed req/s / hello-world req/s: ${feedRatio.toFixed(2)} (target >= 0.25) ${feedRatio >= 0.25 ? "OK" : "MISSED"}`);
  lines.push(`feed req/s / profile req/s: ${feedProfile.toFixed(2)} (target >= 0.5) ${feedProfile >= 0.5 ? "OK" : "MISSED"}`);
  const us = (k: string) => (cpuPerRequest.get(k) ?? 0).toFixed(0);
  lines.push(`server CPU per request (user+sys, µs; steadier than req/s on a shared machine): hello-world ${us("hello")}, profile ${us("profile")} (+ Redis ${us("profile redis")}), feed ${us("feed")} (+ Redis ${us("feed redis")}), by handle ${us("handle")} (+ Redis ${us("handle redis")})`);
  lines.push(`  hello-world CPU / feed CPU: ${((cpuPerRequest.get("hello") ?? 0) / Math.max(1, cpuPerRequest.get("feed") ?? 1)).toFixed(2)}; hello-world CPU / profile CPU: ${((cpuPerRequest.get("hello") ?? 0) / Math.max(1, cpuPerRequest.get("profile") ?? 1)).toFixed(2)}`);
  lines.push(`DB queries per 1000 warm feed reads: ${perThousand.toFixed(1)} (${feedQueries} statements; lag checks and readiness pings not counted, ${feedReads} reads; target <= 10) ${perThousand <= 10 ? "OK" : "MISSED"}`);
  lines.push(`feed pages sent again as rendered (still exact; the page script ran for each): ${((pagesReused / Math.max(1, feedReads)) * 100).toFixed(1)}% (${pagesReused} of ${feedReads})`);
  lines.push(`post cache hit ratio (feed scenario, pages rendered): ${((postHits / Math.max(1, postHits + postMisses)) * 100).toFixed(2)}% (${postHits} hits, ${postMisses} misses; in process: ${postLocal})`);
  lines.push(`profile cache hit ratio: ${(hitRatio * 100).toFixed(2)}% (${hits} hits, ${misses} misses; target >= 95%) ${hitRatio >= 0.95 ? "OK" : "MISSED"}`);
  lines.push(`  of the hits, answered by the in-process near-cache: ${((localHits / Math.max(1, hits)) * 100).toFixed(1)}% (rest: Redis)`);
  lines.push(`DB queries per 1000 profile reads: ${((queries / Math.max(1, profileReads)) * 1000).toFixed(1)} (${queries} statements; lag checks and readiness pings not counted, ${profileReads} reads)`);
  lines.push(`errors (all scenarios + warm-up): ${errors} (target 0) ${errors === 0 ? "OK" : "MISSED"}`);
  lines.push(...fanoutRecoveryLines(fanout));
  lines.push(`total bench time ${((Date.now() - t0) / 1000).toFixed(0)} s; load average (1/5/15 min) at the end: ${fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`);
  process.stdout.write(lines.join("\n") + "\n");
}

async function cleanup(): Promise<void> {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
  // A profiled API writes its .cpuprofile as it exits: give it time to.
  const deadline = Date.now() + (PROFILING ? 15_000 : 300);
  while (Date.now() < deadline && children.some((c) => c.exitCode === null && c.signalCode === null)) await new Promise((r) => setTimeout(r, 50));
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await Promise.all([db?.stop(), redis?.stop()]);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}

process.once("SIGINT", () => void cleanup().then(() => process.exit(130)));
main()
  .then(cleanup)
  .catch(async (e) => {
    process.stderr.write(`bench failed: ${(e as Error).stack ?? e}\n`);
    if (tmp) process.stderr.write(`logs were in ${tmp}\n`);
    await cleanup();
    process.exit(1);
  });
