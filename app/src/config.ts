import * as fs from "node:fs";
import { z } from "zod";
import { authConfig, authEnvFields, authEnvValid } from "./config-auth";
import { httpConfig, httpEnvFields, httpEnvValid } from "./config-http";
import { bool, int } from "./config-fields";

// Configuration comes from environment variables only, validated once at start. A bad or missing
// variable fails start-up with a message naming the variable, its value and what is allowed.

const mysqlUrl = z
  .string()
  .refine((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === "mysql:" || u.protocol === "mariadb:") && !!u.hostname && u.pathname.length > 1;
    } catch {
      return false;
    }
  }, "must be a URL like mysql://user:password@host:3306/database");
const redisUrl = z.string().refine((s) => {
  try {
    const u = new URL(s);
    return u.protocol === "redis:" || u.protocol === "rediss:";
  } catch {
    return false;
  }
}, "must be a URL like redis://host:6379 or rediss://:password@host:6380");
const readableFile = z.string().refine((f) => {
  try {
    fs.accessSync(f, fs.constants.R_OK);
    return true;
  } catch {
    return false;
  }
}, "must be a readable file (PEM)");

/** The variables, by environment name (each read from the environment exactly once, by name). */
const envFields = {
  PORT: int(1, 65535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  SITE_ID: int(0, 7).default(0),
  NODE_ID: int(0, 16383).default(0),
  DB_PRIMARY_URL: mysqlUrl,
  DB_REPLICA_URL: mysqlUrl.optional(),
  // The writer is in the other site (a standby site): /readyz does not check it.
  DB_PRIMARY_REMOTE: bool.default(false),
  DB_POOL_SIZE: int(1, 200).default(10),
  DB_ACQUIRE_TIMEOUT_MS: int(10, 60_000).default(1000),
  DB_QUERY_TIMEOUT_MS: int(100, 120_000).default(5000),
  DB_CONNECT_TIMEOUT_MS: int(100, 60_000).default(2000),
  // TLS to MySQL, server certificate verified against DB_TLS_CA_FILE (RDS: its CA bundle, which is
  // not in Node's default store) or the system store when unset.
  DB_TLS: bool.default(false),
  DB_TLS_CA_FILE: readableFile.optional(),
  REPLICA_MAX_LAG_SECONDS: int(0, 3600).default(5),
  REPLICA_LAG_CHECK_MS: int(0, 60_000).default(1000),
  READ_YOUR_WRITES_SECONDS: int(0, 3600).default(5),
  REDIS_URL: redisUrl,
  REDIS_COMMAND_TIMEOUT_MS: int(10, 60_000).default(500),
  SESSION_SECRET: z.string().min(16, "must be at least 16 characters"),
  SESSION_TTL_SECONDS: int(1, 30 * 86400).default(86400),
  // How often each instance tails the logout list from its read pool: a logout reaches the other
  // site (and this site while Redis is down) within this plus the replica lag bound.
  SESSION_REVOCATION_POLL_MS: int(100, 60_000).default(1000),
  COOKIE_SECURE: bool.default(false),
  PROFILE_CACHE_TTL_SECONDS: int(1, 86400).default(30),
  PROFILE_LOCAL_CACHE_MS: int(0, 60_000).default(5000),
  PROFILE_LOCAL_CACHE_ENTRIES: int(1, 10_000_000).default(100_000),
  FEED_CACHE_TTL_SECONDS: int(1, 86400).default(600),
  FEED_CACHE_SIZE: int(10, 10_000).default(500),
  // Posts are immutable, so a long post-cache TTL is safe; at most 30 days keeps memory bounded.
  POST_CACHE_TTL_SECONDS: int(1, 30 * 86400).default(86400),
  POST_LOCAL_CACHE_ENTRIES: int(0, 10_000_000).default(20_000),
  FEED_PAGE_MEMO_ENTRIES: int(0, 1_000_000).default(2000),
  CELEBRITY_FOLLOWERS: int(1, 100_000_000).default(10_000),
  MAX_FOLLOWS: int(1, 1_000_000).default(5000),
  BODY_LIMIT_BYTES: int(256, 10 * 1024 * 1024).default(16 * 1024),
  DRAIN_SECONDS: int(0, 600).default(10),
  STREAM_KEY: z.string().min(1).default("stream:fanout"),
  STREAM_GROUP: z.string().min(1).default("fanout"),
  STREAM_MAXLEN: int(1000, 100_000_000).default(1_000_000),
  FANOUT_MAX_ATTEMPTS: int(1, 100).default(5),
  FANOUT_RETRY_IDLE_MS: int(10, 3_600_000).default(30_000),
  FANOUT_CONSUMERS: int(1, 64).default(4),
  FANOUT_REPLAY_AFTER_MS: int(100, 3_600_000).default(30_000),
  MIGRATE_ON_START: bool.default(true),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  ...authEnvFields,
  ...httpEnvFields,
};

/**
 * The environment, validated, mapped to the names the code uses. The config type is inferred from
 * this mapping: a key is written in `envFields` and once here, nowhere else.
 */
export const envSchema = z.object(envFields).transform((e, ctx) => {
  if (e.DB_TLS_CA_FILE && !e.DB_TLS) {
    ctx.addIssue({ code: "custom", path: ["DB_TLS_CA_FILE"], message: "is set, but DB_TLS is not true (set DB_TLS=true to use it)" });
    return z.NEVER;
  }
  if (!authEnvValid(e, ctx)) return z.NEVER;
  if (!httpEnvValid(e, ctx)) return z.NEVER;
  if (e.DB_PRIMARY_REMOTE && !e.DB_REPLICA_URL) {
    // The site's own database is then its replica; without one, readiness would check the remote writer.
    ctx.addIssue({ code: "custom", path: ["DB_PRIMARY_REMOTE"], message: "is true, but DB_REPLICA_URL (this site's replica) is not set" });
    return z.NEVER;
  }
  return {
    port: e.PORT,
    host: e.HOST,
    siteId: e.SITE_ID,
    nodeId: e.NODE_ID,
    dbPrimaryUrl: e.DB_PRIMARY_URL,
    /** No replica configured: reads go to the primary. */
    dbReplicaUrl: e.DB_REPLICA_URL ?? e.DB_PRIMARY_URL,
    /** The writer is in the other site: site readiness checks only the local replica. */
    dbPrimaryRemote: e.DB_PRIMARY_REMOTE,
    dbPoolSize: e.DB_POOL_SIZE,
    dbAcquireTimeoutMs: e.DB_ACQUIRE_TIMEOUT_MS,
    dbQueryTimeoutMs: e.DB_QUERY_TIMEOUT_MS,
    dbConnectTimeoutMs: e.DB_CONNECT_TIMEOUT_MS,
    /** Verified TLS to both pools; `ca` undefined means Node's default trust store. */
    dbTls: e.DB_TLS ? { ca: e.DB_TLS_CA_FILE && fs.readFileSync(e.DB_TLS_CA_FILE, "utf8") } : null,
    replicaMaxLagSeconds: e.REPLICA_MAX_LAG_SECONDS,
    /** 0 disables the background lag check (the replica is then trusted until it errors). */
    replicaLagCheckMs: e.REPLICA_LAG_CHECK_MS,
    readYourWritesSeconds: e.READ_YOUR_WRITES_SECONDS,
    redisUrl: e.REDIS_URL,
    redisCommandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
    sessionSecret: e.SESSION_SECRET,
    sessionTtlSeconds: e.SESSION_TTL_SECONDS,
    sessionRevocationPollMs: e.SESSION_REVOCATION_POLL_MS,
    cookieSecure: e.COOKIE_SECURE,
    profileCacheTtlSeconds: e.PROFILE_CACHE_TTL_SECONDS,
    /** In-process near-cache in front of Redis for profiles; 0 disables. */
    profileLocalCacheMs: e.PROFILE_LOCAL_CACHE_MS,
    profileLocalCacheEntries: e.PROFILE_LOCAL_CACHE_ENTRIES,
    feedCacheTtlSeconds: e.FEED_CACHE_TTL_SECONDS,
    feedCacheSize: e.FEED_CACHE_SIZE,
    postCacheTtlSeconds: e.POST_CACHE_TTL_SECONDS,
    /** Post bytes kept in process for the feed (posts are immutable); 0 disables. */
    postLocalCacheEntries: e.POST_LOCAL_CACHE_ENTRIES,
    /** Rendered feed pages kept per process, reused while still exactly the page (feed/rendered-pages.ts); 0 disables. */
    feedPageMemoEntries: e.FEED_PAGE_MEMO_ENTRIES,
    /** Authors with more followers are not pushed on write; their followers pull their posts. */
    celebrityFollowers: e.CELEBRITY_FOLLOWERS,
    maxFollows: e.MAX_FOLLOWS,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    drainSeconds: e.DRAIN_SECONDS,
    streamKey: e.STREAM_KEY,
    streamGroup: e.STREAM_GROUP,
    streamMaxLen: e.STREAM_MAXLEN,
    fanoutMaxAttempts: e.FANOUT_MAX_ATTEMPTS,
    fanoutRetryIdleMs: e.FANOUT_RETRY_IDLE_MS,
    /** Consumers (each with its own blocking connection) per worker process. */
    fanoutConsumers: e.FANOUT_CONSUMERS,
    /** A post still marked pending this long after its creation lost its job: it is replayed. */
    fanoutReplayAfterMs: e.FANOUT_REPLAY_AFTER_MS,
    migrateOnStart: e.MIGRATE_ON_START,
    logLevel: e.LOG_LEVEL,
    auth: authConfig(e),
    http: httpConfig(e),
  };
});

export type AppConfig = z.infer<typeof envSchema>;

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const raw: Record<string, string | undefined> = {};
  for (const key of Object.keys(envFields)) {
    const v = env[key];
    raw[key] = v === undefined || v === "" ? undefined : v;
  }
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0]);
      const value = raw[name];
      const shown = value === undefined ? "(unset)" : /SECRET|PASSWORD|URL/.test(name) ? "(redacted)" : JSON.stringify(value);
      return `  ${name}=${shown}: ${value === undefined ? "is required" : i.message}`;
    });
    throw new ConfigError(`invalid environment:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

/** loadConfig for a process entry point: a bad environment prints the message and exits 2. */
export function loadConfigOrExit(program: string): AppConfig {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${program}: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
}
