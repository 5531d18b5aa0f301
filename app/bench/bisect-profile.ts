import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { freePort, startRedis, startReplicatedMariaDb, type RedisService, type ReplicatedMariaDb } from "../../local/services";
import { migrate } from "../src/db/migrate";
import { IdGenerator } from "../src/ids";
import { hashPassword } from "../src/users/passwords";
import { SessionTokens } from "../src/users/session-token";
import { cpuSeconds } from "./proc-cpu";
import { BENCH_AUTH_ENV, loginTokens } from "./logins";
import { FEED_GRAPH, seedFeedGraph, seedUsers, type SeededUsers } from "./seed";
import Redis from "ioredis";
import { wrk } from "./wrk";

// Where did the cached profile read (GET /users/:id) lose its speed? Today's scenario (MariaDB
// pair + Redis from local/services, BISECT_USERS seeded users, Zipf(s=1) reads with wrk, 1
// thread) carried into old checkouts: each commit's API runs from a temporary `git worktree`
// (node_modules linked to this tree's when the commit's locked runtime dependencies match, else
// `npm ci` there) against this tree's services, schema migrated once by this tree (a superset
// of every older schema: MIGRATE_ON_START=false), each API on its own Redis database. The
// measure is the API process' CPU per request (from /proc), steadier than req/s on a shared
// machine; each round runs a bare Hono hello-world and every commit in turn (order rotated), so
// req/s ratios come from the same minute. Before each measured run a short unmeasured run of the
// same mix refills that API's caches (the near-cache lives 5 s, Redis entries 30 s), and a first
// round per target is not counted (cold caches, unoptimized code).
// BISECT_SCENARIOS=profile,feed adds the bench's feed graph (seed.ts) and GET /feed?limit=20 for a
// Zipf mix of its 200 readers (tokens from the last API given; every API's pages warmed first), and
// prints each commit's feed/profile req/s ratio within a round.
//
//   npx tsx app/bench/bisect-profile.ts <commit> [<commit> …]    measure these side by side
//   npx tsx app/bench/bisect-profile.ts --bisect <good> <bad>     binary search over the commits
//                                                                 between them touching BISECT_PATHS
// BISECT_MINT_TOKENS=1 mints the readers' tokens with this tree's token code instead of logging
// them in (for commits that take this tree's tokens; 200 production-cost logins take minutes).
// Tunables: BISECT_SCENARIOS (profile), BISECT_USERS (100000), BISECT_ROUNDS (3), BISECT_SECONDS (6), BISECT_WARM_SECONDS (2),
// BISECT_CONNECTIONS (50), BISECT_PATHS ("app/"), BISECT_NODE_ARGS (node flags for the commits'
// APIs, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof": the measured windows are then printed in
// CLOCK_MONOTONIC µs for cpuprofile-summary.ts).

const ROOT = path.resolve(__dirname, "../..");
const USERS = Number(process.env.BISECT_USERS ?? 100_000);
const ROUNDS = Number(process.env.BISECT_ROUNDS ?? 3);
const SECONDS = Number(process.env.BISECT_SECONDS ?? 6);
const WARM_SECONDS = Number(process.env.BISECT_WARM_SECONDS ?? 2);
const CONNECTIONS = Number(process.env.BISECT_CONNECTIONS ?? 50);
const PATHS = (process.env.BISECT_PATHS ?? "app/").split(/\s+/).filter(Boolean);
const NODE_ARGS = (process.env.BISECT_NODE_ARGS ?? "").split(/\s+/).filter(Boolean);
const PROFILING = NODE_ARGS.some((a) => a.startsWith("--cpu-prof"));
const SCENARIOS = (process.env.BISECT_SCENARIOS ?? "profile").split(",").filter((s): s is "profile" | "feed" => s === "profile" || s === "feed");
/** each target's unmeasured first round, per scenario */
const WARM_ROUND_SECONDS = 5;
const PASSWORD = "bench-password";
const SESSION_SECRET = "bisect-secret-0123456789";
/** The runtime dependencies whose versions must match for a checkout to borrow this tree's node_modules. */
const RUNTIME_DEPS = ["hono", "@hono/node-server", "ioredis", "mysql2", "pino", "prom-client", "zod", "tsx", "sonic-boom"];

interface Target {
  name: string;
  /** full sha; undefined for the hello-world */
  sha?: string;
  subject: string;
  url: string;
  proc: ChildProcess;
  worktree?: string;
  /** feed pages warmed (false: this commit's GET /feed refused today's tokens) */
  feedWarm?: boolean;
}

interface Run {
  cpuUs: number;
  /** Redis' CPU per request (INFO cpu) */
  redisUs: number;
  rps: number;
  errors: number;
  load1: number;
  /** the hello-world's req/s in the same round */
  helloRps?: number;
}

const git = (...args: string[]) => execFileSync("git", ["-C", ROOT, ...args], { encoding: "utf8" }).trim();
const log = (msg: string) => process.stderr.write(`[bisect ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const load1 = () => Number(fs.readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

let tmp: string | undefined;
let db: ReplicatedMariaDb | undefined;
let redis: RedisService | undefined;
const targets = new Map<string, Target>();
const runs = new Map<string, Run[]>();
let hello: Target | undefined;
let redisDb = 0;

/** Locked versions of the runtime dependencies at `sha` match this tree's installed ones. */
function sameDeps(sha: string): boolean {
  const lock = JSON.parse(git("show", `${sha}:package-lock.json`)) as { packages: Record<string, { version?: string }> };
  return RUNTIME_DEPS.every((d) => {
    const file = path.join(ROOT, "node_modules", d, "package.json");
    const installed = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version : undefined;
    return lock.packages[`node_modules/${d}`]?.version === installed;
  });
}

async function waitReady(name: string, child: ChildProcess, url: string, logFile: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}): ${fs.readFileSync(logFile, "utf8").slice(-2000)}`);
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} not ready in 90 s; see ${logFile}`);
}

function spawnLogged(name: string, cwd: string, args: string[], env: Record<string, string>): { child: ChildProcess; logFile: string } {
  const logFile = path.join(tmp!, `${name}.log`);
  const out = fs.openSync(logFile, "w");
  const child = spawn(process.execPath, args, { cwd, env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", ...env }, stdio: ["ignore", out, out] });
  fs.closeSync(out);
  return { child, logFile };
}

async function startHello(): Promise<Target> {
  const port = await freePort();
  const { child, logFile } = spawnLogged("hello", ROOT, ["-r", "tsx/cjs", "app/bench/hello.ts"], { PORT: String(port) });
  const url = `http://127.0.0.1:${port}`;
  const t: Target = { name: "hello", subject: "bare Hono hello-world", url, proc: child };
  await waitReady("hello", child, `${url}/`, logFile);
  return t;
}

/** The API of `sha`, from its own worktree, on today's services. */
async function startCommit(sha: string): Promise<Target> {
  const short = sha.slice(0, 7);
  const existing = targets.get(short);
  if (existing) return existing;
  const dir = path.join(tmp!, `wt-${short}`);
  git("worktree", "add", "--detach", dir, sha);
  const t: Partial<Target> = { name: short, sha, subject: git("log", "-1", "--format=%s", sha).slice(0, 70), worktree: dir };
  if (sameDeps(sha)) fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
  else {
    log(`${short}: runtime dependencies differ from this tree's: npm ci in its worktree`);
    execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--ignore-scripts"], { cwd: dir, stdio: "inherit" });
  }
  const port = await freePort();
  const env = {
    PORT: String(port), HOST: "127.0.0.1", DB_PRIMARY_URL: db!.primaryUrl, DB_REPLICA_URL: db!.replicaUrl,
    // its own Redis database: cached values' shapes may differ between commits
    REDIS_URL: `${redis!.url}/${++redisDb}`, SESSION_SECRET, DB_POOL_SIZE: "16", LOG_LEVEL: "info",
    SITE_ID: "0", NODE_ID: String(10 + redisDb), MIGRATE_ON_START: "false", DRAIN_SECONDS: "1", CELEBRITY_FOLLOWERS: "100", ...BENCH_AUTH_ENV,
    // APIs side by side: each its own loopback metrics listener (commits before it ignore the variable)
    METRICS_PORT: "0",
  };
  const { child, logFile } = spawnLogged(`api-${short}`, dir, [...NODE_ARGS, "-r", "tsx/cjs", "app/src/server.ts"], env);
  t.url = `http://127.0.0.1:${port}`;
  t.proc = child;
  targets.set(short, t as Target);
  await waitReady(`api ${short}`, child, `${t.url}/healthz`, logFile);
  log(`${short} up on :${port} (${t.subject})`);
  return t as Target;
}

type Scenario = "profile" | "feed";
interface Files {
  ids: string;
  tokens: string;
}
const key = (t: Target, sc: Scenario | "hello") => (t.sha ? `${t.name} ${sc}` : "hello");

async function measure(t: Target, sc: Scenario, files: Files, warmSeconds = WARM_SECONDS): Promise<Run> {
  const target = !t.sha
    ? { kind: "fixed" as const, path: "/" }
    : sc === "profile"
      ? { kind: "zipf-users" as const, idsFile: files.ids, s: 1 }
      : { kind: "zipf-readers" as const, tokensFile: files.tokens, s: 1, path: "/feed?limit=20" };
  const spec = { connections: CONNECTIONS, dir: tmp!, url: t.url, target };
  if (t.sha && warmSeconds > 0) await wrk({ ...spec, durationSec: warmSeconds });
  const l = load1();
  const [c0, r0] = [cpuSeconds(t.proc.pid!), await redisCpu()];
  const from = process.hrtime.bigint() / 1000n;
  const r = await wrk({ ...spec, durationSec: SECONDS });
  const cpuUs = ((cpuSeconds(t.proc.pid!) - c0) / Math.max(1, r.total)) * 1e6;
  const redisUs = (((await redisCpu()) - r0) / Math.max(1, r.total)) * 1e6;
  if (PROFILING && t.sha) log(`  ${key(t, sc)} window (monotonic µs): ${from} ${process.hrtime.bigint() / 1000n}`);
  return { cpuUs, redisUs, rps: r.rps, errors: r.errors, load1: l };
}

let stats: Redis | undefined;
async function redisCpu(): Promise<number> {
  const info = await stats!.info("cpu");
  return ["used_cpu_sys", "used_cpu_user"].reduce((a, k) => a + Number(new RegExp(`^${k}:([\\d.]+)`, "m").exec(info)?.[1] ?? 0), 0);
}

const record = (k: string, run: Run) => (runs.get(k) ?? runs.set(k, []).get(k)!).push(run);

/**
 * An unmeasured warm-up round (caches filled, code optimized), then ROUNDS rounds of: the
 * hello-world, then each commit (order rotated per round) in each scenario.
 */
async function rounds(list: Target[], files: Files): Promise<Map<string, Run[]>> {
  const out = new Map<string, Run[]>();
  for (const t of list) for (const sc of SCENARIOS) if (sc !== "feed" || t.feedWarm) await measure(t, sc, files, WARM_ROUND_SECONDS);
  for (let r = 0; r < ROUNDS; r++) {
    const h = await measure(hello!, "profile", files);
    record("hello", h);
    const order = list.map((_, i) => list[(i + r) % list.length]);
    for (const t of order) {
      for (const sc of SCENARIOS) {
        if (sc === "feed" && !t.feedWarm) continue;
        const m = { ...(await measure(t, sc, files)), helloRps: h.rps };
        (out.get(key(t, sc)) ?? out.set(key(t, sc), []).get(key(t, sc))!).push(m);
        record(key(t, sc), m);
        log(`round ${r + 1}/${ROUNDS} ${key(t, sc)}: ${m.cpuUs.toFixed(1)} µs/req (+ Redis ${m.redisUs.toFixed(1)}), ${m.rps.toFixed(0)} req/s (hello ${h.rps.toFixed(0)}, ${h.cpuUs.toFixed(1)} µs), load ${m.load1}`);
      }
    }
  }
  return out;
}

const spread = (xs: number[], d = 1) => (xs.length ? `${median(xs).toFixed(d)} (${Math.min(...xs).toFixed(d)}-${Math.max(...xs).toFixed(d)})` : "-");

function summary(name: string, rs: Run[], subject: string): string {
  const ratio = rs.filter((r) => r.helloRps).map((r) => r.rps / r.helloRps!);
  const loads = rs.map((r) => r.load1);
  return `${name.padEnd(16)} ${spread(rs.map((r) => r.cpuUs)).padEnd(20)} ${spread(rs.map((r) => r.redisUs)).padEnd(18)} ${median(rs.map((r) => r.rps)).toFixed(0).padStart(7)}  ${spread(ratio, 2).padEnd(17)} ${Math.min(...loads).toFixed(2)}-${Math.max(...loads).toFixed(2)}  ${rs.reduce((a, r) => a + r.errors, 0)}  ${subject}`;
}

function report(): string {
  const lines = [`\nscenarios: ${SCENARIOS.map((s) => (s === "profile" ? `GET /users/:id Zipf(s=1) over ${USERS} users` : "GET /feed?limit=20 Zipf(s=1) over 200 readers")).join("; ")}`];
  lines.push(`wrk 1 thread, ${CONNECTIONS} connections, ${SECONDS} s runs, ${ROUNDS} rounds after a warm-up round; ${os.cpus().length} CPUs, node ${process.version}; medians (min-max)`);
  lines.push(`${"target".padEnd(16)} ${"API CPU µs/req".padEnd(20)} ${"Redis CPU µs/req".padEnd(18)} ${"req/s".padStart(7)}  ${"ratio to hello".padEnd(17)} load1      errors`);
  if (hello) lines.push(summary("hello", runs.get("hello") ?? [], hello.subject));
  for (const t of targets.values()) for (const sc of SCENARIOS) if (runs.has(key(t, sc))) lines.push(summary(key(t, sc), runs.get(key(t, sc))!, t.subject));
  if (SCENARIOS.length === 2) {
    for (const t of targets.values()) {
      if (!t.feedWarm) continue;
      const [p, f] = [runs.get(key(t, "profile")) ?? [], runs.get(key(t, "feed")) ?? []];
      const ratio = f.map((x, i) => x.rps / (p[i]?.rps ?? NaN)).filter(Number.isFinite);
      lines.push(`${t.name}: feed req/s / profile req/s, same round: ${spread(ratio, 2)}`);
    }
  }
  return lines.join("\n") + "\n";
}

/** Session tokens of the feed graph's readers, from the API of `t`. */
function readerTokens(t: Target, handles: string[]): Promise<string[]> {
  const g = FEED_GRAPH;
  return loginTokens(t.url, handles.slice(g.FIRST_READER, g.FIRST_READER + g.READERS), PASSWORD);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const bisect = argv[0] === "--bisect";
  const commits = (bisect ? argv.slice(1) : argv).map((c) => git("rev-parse", "--verify", `${c}^{commit}`));
  if (commits.length === 0 || (bisect && commits.length !== 2)) throw new Error("usage: bisect-profile.ts <commit>… | --bisect <good> <bad>");
  if (bisect && SCENARIOS.length !== 1) throw new Error("--bisect decides on one scenario: BISECT_SCENARIOS=profile or feed");

  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rf-bisect-"));
  log(`starting MariaDB primary+replica and Redis (${tmp})`);
  [db, redis] = await Promise.all([startReplicatedMariaDb({ bufferPoolMb: 256 }), startRedis({ maxmemoryMb: 512 })]);
  stats = new Redis(redis.url);
  await migrate(db.primaryUrl);
  const root = await db.primary.rootConnection();
  let seeded: SeededUsers;
  try {
    await root.query("USE feed");
    const gen = new IdGenerator(0, 100);
    seeded = await seedUsers(root, gen, USERS, await hashPassword(PASSWORD));
    if (SCENARIOS.includes("feed")) await seedFeedGraph(root, gen, seeded.ids);
  } finally {
    await root.end();
  }
  await db.waitForReplica(120_000);
  const files: Files = { ids: path.join(tmp, "ids.txt"), tokens: path.join(tmp, "tokens.txt") };
  fs.writeFileSync(files.ids, seeded.ids.join("\n"));
  hello = await startHello();

  /** Tokens from the last API given (the newest, as a rule), then every API's reader pages read twice (lists built, bodies cached). */
  const prepare = async (list: Target[]) => {
    if (!SCENARIOS.includes("feed")) return;
    if (!fs.existsSync(files.tokens)) {
      const g = FEED_GRAPH;
      // minted here (this tree's token format, the APIs' secret): 200 production-cost logins take minutes on a loaded machine
      const mint = process.env.BISECT_MINT_TOKENS === "1" ? new SessionTokens(SESSION_SECRET) : null;
      const exp = Math.floor(Date.now() / 1000) + 86_400;
      const tokens = mint ? seeded.ids.slice(g.FIRST_READER, g.FIRST_READER + g.READERS).map((id) => mint.mint(id, exp).token) : await readerTokens(list[list.length - 1], seeded.handles);
      fs.writeFileSync(files.tokens, tokens.join("\n"));
    }
    const tokens = fs.readFileSync(files.tokens, "utf8").split("\n");
    for (const t of list) {
      if (t.feedWarm !== undefined) continue;
      t.feedWarm = true;
      for (let pass = 0; pass < 2 && t.feedWarm; pass++) {
        for (let r = 0; r < tokens.length && t.feedWarm; r += 16) {
          await Promise.all(tokens.slice(r, r + 16).map(async (tk) => {
            const res = await fetch(`${t.url}/feed?limit=20`, { headers: { authorization: `Bearer ${tk}` } });
            // an older commit whose sessions do not take today's tokens: no feed figures for it
            if (!res.ok && t.feedWarm) (t.feedWarm = false), log(`${t.name}: GET /feed answers ${res.status}; feed not measured for it`);
            await res.arrayBuffer();
          }));
        }
      }
    }
  };

  if (!bisect) {
    const list: Target[] = [];
    for (const sha of commits) list.push(await startCommit(sha));
    await prepare(list);
    await rounds(list, files);
    process.stdout.write(report());
    return;
  }
  // Binary search: `good` is fast, `bad` slow; a candidate is slow when its median CPU per request
  // is nearer bad's than good's, all three measured in the same rounds.
  const [goodSha, badSha] = commits;
  const candidates = git("rev-list", "--reverse", `${goodSha}..${badSha}`, "--", ...PATHS).split("\n").filter(Boolean);
  if (candidates[candidates.length - 1] !== badSha) candidates.push(badSha);
  log(`${candidates.length} candidate commits touching ${PATHS.join(" ")}`);
  let lo = -1; // index of the newest known-fast candidate (-1: good itself)
  let hi = candidates.length - 1; // the oldest known-slow
  const good = await startCommit(goodSha);
  const steps: string[] = [];
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    const [fast, slow, probe] = [lo < 0 ? good : await startCommit(candidates[lo]), await startCommit(candidates[hi]), await startCommit(candidates[mid])];
    await prepare([fast, probe, slow]);
    const res = await rounds([fast, probe, slow], files);
    const [f, p, s] = [fast, probe, slow].map((t) => median(res.get(key(t, SCENARIOS[0]))!.map((r) => r.cpuUs)));
    const isSlow = p > (f + s) / 2;
    steps.push(`${probe.name}: ${p.toFixed(1)} µs/req between ${fast.name} ${f.toFixed(1)} and ${slow.name} ${s.toFixed(1)} → ${isSlow ? "slow" : "fast"}`);
    log(steps[steps.length - 1]);
    if (isSlow) hi = mid;
    else lo = mid;
  }
  process.stdout.write(report());
  process.stdout.write(`bisect steps:\n  ${steps.join("\n  ")}\nfirst slow commit: ${candidates[hi].slice(0, 7)} ${git("log", "-1", "--format=%s", candidates[hi]).slice(0, 120)}\n`);
}

async function cleanup(): Promise<void> {
  const all = [...targets.values(), ...(hello ? [hello] : [])];
  for (const t of all) if (t.proc.exitCode === null && t.proc.signalCode === null) t.proc.kill("SIGTERM");
  // a profiled API writes its .cpuprofile as it exits
  const deadline = Date.now() + (PROFILING ? 20_000 : 3_000);
  while (Date.now() < deadline && all.some((t) => t.proc.exitCode === null && t.proc.signalCode === null)) await new Promise((r) => setTimeout(r, 50));
  for (const t of all) if (t.proc.exitCode === null && t.proc.signalCode === null) t.proc.kill("SIGKILL");
  for (const t of targets.values()) {
    try {
      if (!t.worktree) continue;
      // unlink the borrowed node_modules first, so nothing can follow the link into this tree's
      const link = path.join(t.worktree, "node_modules");
      if (fs.lstatSync(link, { throwIfNoEntry: false })?.isSymbolicLink()) fs.unlinkSync(link);
      git("worktree", "remove", "--force", t.worktree);
    } catch (e) {
      log(`worktree ${t.worktree}: ${(e as Error).message}`);
    }
  }
  try {
    git("worktree", "prune");
  } catch {
    /* nothing to prune */
  }
  stats?.disconnect();
  await Promise.all([db?.stop(), redis?.stop()]);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}

process.once("SIGINT", () => void cleanup().then(() => process.exit(130)));
main()
  .then(cleanup)
  .catch(async (e) => {
    process.stderr.write(`bisect failed: ${(e as Error).stack ?? e}\n`);
    await cleanup();
    process.exit(1);
  });
