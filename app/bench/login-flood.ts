import { performance } from "node:perf_hooks";
import { freePort, startRedis, startReplicatedMariaDb } from "../../local/services";
import { migrate } from "../src/db/migrate";
import { listening, startAppProcess, type AppProcess } from "../test/support/processes";

// The login flood of issue 20: `connections` clients send wrong passwords for one account as fast
// as answers come back, from one address, while a real user (another address) logs in now and
// then. Measures the real user's login latency before and during the flood, and what the flood
// got. Run: npx tsx app/bench/login-flood.ts (real MariaDB and Redis, the API in its own process,
// once with the defences off as before the issue and once with them on).

/** The addresses the API reads from X-Forwarded-For (CLIENT_IP_SOURCE=xff, TRUSTED_HOPS=1). */
export const FLOOD_ADDRESS = "203.0.113.66";
export const USER_ADDRESS = "198.51.100.7";

export interface FloodOptions {
  base: string;
  user: { handle: string; password: string };
  /** the account the flood guesses at */
  target: string;
  connections: number;
  /** real-user logins measured before and during the flood (sequential) */
  samples: number;
  /** flood time before the first measured login */
  rampMs: number;
  /** a flood client's pause after a 429 (0: none, a raw flood; on a 2-core machine the flood's own client then competes for the CPU) */
  pauseAfter429Ms?: number;
}

export interface FloodResult {
  baselineMs: number[];
  underFloodMs: number[];
  /** the real user's statuses during the flood */
  userStatuses: number[];
  floodStatuses: Record<string, number>;
  /** the flood's 429s by their Retry-After */
  floodRetryAfter: Record<string, number>;
  floodRequests: number;
  floodSeconds: number;
}

async function login(base: string, address: string, handle: string, password: string): Promise<{ status: number; ms: number; retryAfter?: string | null }> {
  const start = performance.now();
  const res = await fetch(`${base}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": address },
    body: JSON.stringify({ handle, password, mode: "bearer" }),
  });
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - start, retryAfter: res.headers.get("retry-after") };
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function loginFlood(o: FloodOptions): Promise<FloodResult> {
  const baselineMs: number[] = [];
  for (let i = 0; i < o.samples; i++) baselineMs.push((await login(o.base, USER_ADDRESS, o.user.handle, o.user.password)).ms);

  const floodStatuses: Record<string, number> = {};
  const floodRetryAfter: Record<string, number> = {};
  let running = true;
  const started = performance.now();
  const loops = Array.from({ length: o.connections }, async () => {
    while (running) {
      const r = await login(o.base, FLOOD_ADDRESS, o.target, "wrong-password").catch(() => ({ status: 0, ms: 0, retryAfter: null }));
      floodStatuses[r.status] = (floodStatuses[r.status] ?? 0) + 1;
      if (r.status === 429) floodRetryAfter[String(r.retryAfter)] = (floodRetryAfter[String(r.retryAfter)] ?? 0) + 1;
      if (r.status === 429 && o.pauseAfter429Ms) await new Promise((res) => setTimeout(res, o.pauseAfter429Ms));
    }
  });
  const underFloodMs: number[] = [];
  const userStatuses: number[] = [];
  try {
    await new Promise((r) => setTimeout(r, o.rampMs));
    for (let i = 0; i < o.samples; i++) {
      const r = await login(o.base, USER_ADDRESS, o.user.handle, o.user.password);
      underFloodMs.push(r.ms);
      userStatuses.push(r.status);
    }
  } finally {
    running = false;
    await Promise.all(loops);
  }
  const floodRequests = Object.values(floodStatuses).reduce((a, b) => a + b, 0);
  return { baselineMs, underFloodMs, userStatuses, floodStatuses, floodRetryAfter, floodRequests, floodSeconds: (performance.now() - started) / 1000 };
}

/** Signs a user up through the API (from the user's address). */
export async function signup(base: string, handle: string, password: string): Promise<void> {
  const res = await fetch(`${base}/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": USER_ADDRESS },
    body: JSON.stringify({ handle, displayName: handle, password }),
  });
  if (res.status !== 201) throw new Error(`signup ${handle}: ${res.status} ${await res.text()}`);
}

const fmt = (xs: number[]) => xs.map((x) => Math.round(x)).join(", ");

async function main(): Promise<void> {
  const [db, redis] = await Promise.all([startReplicatedMariaDb(), startRedis()]);
  const procs: AppProcess[] = [];
  try {
    await migrate(db.primaryUrl);
    const scenarios: Array<[string, Record<string, string>]> = [
      // before issue 20: scrypt 2^14, no throttles, no cap on concurrent hashes
      ["before (N=2^14, no limits)", { HASH_COST_LOG2: "14", HASH_CONCURRENCY: "1024", HASH_CONCURRENCY_PER_CLIENT: "1024", LOGIN_IP_PER_MINUTE: "1000000", LOGIN_FREE_FAILURES: "1000" }],
      // the hash cap alone at the old cost: the cap's own effect
      ["hash cap only (N=2^14)", { HASH_COST_LOG2: "14", LOGIN_IP_PER_MINUTE: "1000000", LOGIN_FREE_FAILURES: "1000" }],
      // the hash cap alone (throttles out of the way): what a flood from many addresses meets
      ["after, hash cap only (N=2^17)", { LOGIN_IP_PER_MINUTE: "1000000", LOGIN_FREE_FAILURES: "1000" }],
      // production defaults: the per-address and per-account throttles answer first
      ["after, production defaults (N=2^17)", {}],
    ];
    for (const [name, extra] of scenarios) {
      const port = await freePort();
      const proc = startAppProcess({
        NODE_ENV: extra.HASH_COST_LOG2 ? "development" : "production", PORT: String(port), HOST: "127.0.0.1", METRICS_PORT: "0",
        DB_PRIMARY_URL: db.primaryUrl, DB_REPLICA_URL: db.replicaUrl, REDIS_URL: redis.url, SESSION_SECRET: "login-flood-bench-secret-0", MIGRATE_ON_START: "false", LOG_LEVEL: "info",
        CLIENT_IP_SOURCE: "xff", TRUSTED_HOPS: "1", SIGNUP_IP_PER_HOUR: "1000", ...extra,
      });
      procs.push(proc);
      await listening(proc).catch((e: Error) => {
        throw new Error(`${e.message}; exit ${proc.child.exitCode}; logs: ${proc.logs.slice(-5).join("\n")}`);
      });
      const base = `http://127.0.0.1:${port}`;
      const tag = Date.now().toString(36);
      const user = { handle: `flood_user_${tag}`, password: "correct horse" };
      await signup(base, user.handle, user.password);
      await signup(base, `flood_target_${tag}`, "target-password");
      const r = await loginFlood({ base, user, target: `flood_target_${tag}`, connections: Number(process.env.FLOOD_CONNECTIONS ?? 40), samples: 5, rampMs: 1000 });
      console.log(`${name}:`);
      console.log(`  real user's login, idle:        median ${Math.round(median(r.baselineMs))} ms  (${fmt(r.baselineMs)})`);
      console.log(`  real user's login, under flood: median ${Math.round(median(r.underFloodMs))} ms  (${fmt(r.underFloodMs)}), statuses ${r.userStatuses.join(",")}`);
      console.log(`  flood: ${r.floodRequests} requests in ${r.floodSeconds.toFixed(1)} s, by status ${JSON.stringify(r.floodStatuses)}`);
      await proc.kill();
    }
  } finally {
    await Promise.all(procs.map((p) => p.kill()));
    await Promise.all([db.stop(), redis.stop()]);
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
