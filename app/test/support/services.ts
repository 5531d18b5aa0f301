import { randomBytes } from "node:crypto";
import type { Hono } from "hono";
import { startRedis, startReplicatedMariaDb, type RedisService, type ReplicatedMariaDb } from "../../../local/services";
import { createApp } from "../../src/app";
import { createRedis, closeRedis } from "../../src/cache/redis";
import { loadConfig, type AppConfig } from "../../src/config";
import type { AppEnv, Deps } from "../../src/context";
import { migrate } from "../../src/db/migrate";
import { createLogger } from "../../src/logger";
import { FanoutWorker } from "../../src/queue/fanout";
import { createCore } from "../../src/runtime";

// One MariaDB primary+replica pair and one Redis per mocha run, started on first use and torn down
// by a root-level after() hook (this module is loaded once; the hook is registered once).

export interface Services {
  db: ReplicatedMariaDb;
  redis: RedisService;
}

let started: Promise<Services> | undefined;

export function services(): Promise<Services> {
  started ??= (async () => {
    const [db, redis] = await Promise.all([startReplicatedMariaDb(), startRedis()]);
    try {
      await migrate(db.primaryUrl);
      await db.waitForReplica();
    } catch (e) {
      await Promise.all([db.stop(), redis.stop()]);
      throw e;
    }
    return { db, redis };
  })();
  return started;
}

after(async function () {
  this.timeout(60_000);
  if (!started) return;
  const s = await started.catch(() => undefined);
  if (s) await Promise.all([s.db.stop(), s.redis.stop()]);
});

export function testConfig(s: Services, env: Record<string, string> = {}): AppConfig {
  return loadConfig({
    DB_PRIMARY_URL: s.db.primaryUrl,
    DB_REPLICA_URL: s.db.replicaUrl,
    REDIS_URL: s.redis.url,
    SESSION_SECRET: "test-secret-0123456789abcdef",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    REPLICA_LAG_CHECK_MS: "200",
    DB_ACQUIRE_TIMEOUT_MS: "2000",
    // generous: a busy 2-core CI machine must not turn a slow reply into a 503
    REDIS_COMMAND_TIMEOUT_MS: "2000",
    // Tests of Redis semantics read through Redis; the near-caches have their own tests.
    PROFILE_LOCAL_CACHE_MS: "0",
    POST_LOCAL_CACHE_ENTRIES: "0",
    FEED_PAGE_MEMO_ENTRIES: "0",
    // The logout tail is background SQL that tests counting a request's statements would see; the
    // session tests that need it set their own poll.
    SESSION_REVOCATION_POLL_MS: "60000",
    // The suite signs up and logs in many users from one address: N=2^14 and generous auth limits.
    // The auth tests set the production cost and tight limits where they test them.
    ...GENEROUS_AUTH_ENV,
    ...env,
  });
}

/** Auth settings for a suite that is not testing the auth defences (all requests come from one address). */
export const GENEROUS_AUTH_ENV: Record<string, string> = {
  HASH_COST_LOG2: "14",
  HASH_CONCURRENCY: "64",
  HASH_CONCURRENCY_PER_CLIENT: "64",
  LOGIN_IP_PER_MINUTE: "1000000",
  SIGNUP_IP_PER_HOUR: "1000000",
  LOGIN_FREE_FAILURES: "1000",
};

export interface TestApp {
  app: Hono<AppEnv>;
  /** The loopback listener's routes (/metrics, detailed /readyz). */
  metrics: Hono;
  deps: Deps;
  config: AppConfig;
  close(): Promise<void>;
  /** Runs the fan-out worker until the stream is drained (in-process). */
  drainFanout(): Promise<void>;
}

export async function makeApp(env: Record<string, string> = {}): Promise<TestApp> {
  const s = await services();
  const config = testConfig(s, env);
  const logger = createLogger(config.logLevel);
  const core = await createCore(config, logger);
  const { app, metrics, deps, close: closeApp } = createApp(core);
  let blocking: ReturnType<typeof createRedis> | undefined;
  return {
    app,
    metrics,
    deps,
    config,
    drainFanout: async () => {
      blocking ??= createRedis(config.redisUrl, { commandTimeoutMs: 1000, blocking: true });
      const worker = new FanoutWorker({ redis: deps.redis, blockingRedis: blocking, db: deps.db, config, logger, metrics: deps.metrics, consumer: "test" });
      await worker.queue.ensureGroup();
      while ((await worker.poll(20)) > 0);
    },
    close: async () => {
      await closeApp();
      await core.close();
      if (blocking) await closeRedis(blocking);
    },
  };
}

export const uniq = (prefix = "u") => `${prefix}_${randomBytes(5).toString("hex")}`;

export interface Json {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  headers: Headers;
}

/** app.request() with a JSON body and an optional session token. */
export async function call(app: Hono<AppEnv> | Hono, method: string, path: string, opts: { body?: unknown; raw?: string; token?: string; headers?: Record<string, string> } = {}): Promise<Json> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) headers["content-type"] = "application/json";
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const res = await app.request(path, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** Sign up and log in: the user's id and session token. */
export async function signupAndLogin(app: Hono<AppEnv>, handle = uniq(), password = "correct horse"): Promise<{ id: string; token: string; handle: string }> {
  const s = await call(app, "POST", "/auth/signup", { body: { handle, displayName: `Name ${handle}`, password } });
  if (s.status !== 201) throw new Error(`signup ${s.status} ${JSON.stringify(s.body)}`);
  const l = await call(app, "POST", "/auth/login", { body: { handle, password, mode: "bearer" } });
  if (l.status !== 200) throw new Error(`login ${l.status} ${JSON.stringify(l.body)}`);
  return { id: s.body.user.id, token: l.body.token, handle };
}
