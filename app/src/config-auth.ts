import { z } from "zod";
import { int } from "./config-fields";

// The auth defences' settings (issue 20): password hashing cost and concurrency, login/signup
// throttles, where the client's address comes from, and the origins cookie writes may come from.
// Defaults are production's; the local site, benches and game days (all from 127.0.0.1) set
// generous limits explicitly.

/** OWASP's current minimum for scrypt: N = 2^17 (r=8, p=1). */
export const PRODUCTION_MIN_HASH_COST_LOG2 = 17;

/**
 * Hashes in flight at once: one less than libuv's pool (UV_THREADPOOL_SIZE, 4 unless set). scrypt
 * runs on that pool; more derivations than threads only wait in libuv's queue (latency, no
 * throughput), and the spare thread keeps dns.lookup and fs calls from waiting behind hashes.
 */
export function defaultHashConcurrency(env: NodeJS.ProcessEnv = process.env): number {
  const pool = Number(env.UV_THREADPOOL_SIZE);
  const threads = Number.isInteger(pool) && pool > 0 ? Math.min(pool, 1024) : 4;
  return Math.max(1, threads - 1);
}

export const CLIENT_IP_SOURCES = ["socket", "xff", "cf-connecting-ip"] as const;
export type ClientIpSource = (typeof CLIENT_IP_SOURCES)[number];

const origins = z.string().transform((s, ctx) => {
  const list = s.split(",").map((o) => o.trim()).filter(Boolean);
  for (const o of list) {
    let origin: string | undefined;
    try {
      const u = new URL(o);
      origin = u.protocol === "https:" || u.protocol === "http:" ? u.origin : undefined;
    } catch {
      origin = undefined;
    }
    if (origin !== o) {
      ctx.addIssue({ code: "custom", message: `"${o}" is not an origin: give scheme://host[:port] (http or https, no path, no trailing slash), comma-separated` });
      return z.NEVER;
    }
  }
  return list;
});

export const authEnvFields = {
  NODE_ENV: z.string().optional(),
  // scrypt's N as a power of two; below 17 only outside production (tests, to keep the suite fast)
  HASH_COST_LOG2: int(10, 18).default(PRODUCTION_MIN_HASH_COST_LOG2),
  HASH_CONCURRENCY: int(1, 1024).default(defaultHashConcurrency()),
  // one client's share of HASH_CONCURRENCY: a flood from one address cannot take every slot
  HASH_CONCURRENCY_PER_CLIENT: int(1, 1024).default(1),
  LOGIN_IP_PER_MINUTE: int(1, 1_000_000).default(30),
  SIGNUP_IP_PER_HOUR: int(1, 1_000_000).default(10),
  // consecutive failed logins of one account before the backoff starts (1 s, doubling)
  LOGIN_FREE_FAILURES: int(1, 1000).default(5),
  LOGIN_BACKOFF_MAX_SECONDS: int(1, 86_400).default(900),
  CLIENT_IP_SOURCE: z.enum(CLIENT_IP_SOURCES).default("socket"),
  // proxies that append to X-Forwarded-For in front of the app (ALB: 1; CloudFront + ALB: 2)
  TRUSTED_HOPS: int(1, 10).default(1),
  ALLOWED_ORIGINS: origins.default([]),
};

type AuthEnv = z.output<z.ZodObject<typeof authEnvFields>>;

/** Cross-field rules; false after adding an issue that names the key, its value and what is allowed. */
export function authEnvValid(e: AuthEnv, ctx: z.RefinementCtx): boolean {
  if (e.NODE_ENV === "production" && e.HASH_COST_LOG2 < PRODUCTION_MIN_HASH_COST_LOG2) {
    ctx.addIssue({ code: "custom", path: ["HASH_COST_LOG2"], message: `must be at least ${PRODUCTION_MIN_HASH_COST_LOG2} when NODE_ENV=production (scrypt N=2^${PRODUCTION_MIN_HASH_COST_LOG2}, OWASP's minimum)` });
    return false;
  }
  if (e.HASH_CONCURRENCY_PER_CLIENT > e.HASH_CONCURRENCY) {
    ctx.addIssue({ code: "custom", path: ["HASH_CONCURRENCY_PER_CLIENT"], message: `must be at most HASH_CONCURRENCY (${e.HASH_CONCURRENCY})` });
    return false;
  }
  return true;
}

export function authConfig(e: AuthEnv) {
  return {
    production: e.NODE_ENV === "production",
    hashCostLog2: e.HASH_COST_LOG2,
    hashConcurrency: e.HASH_CONCURRENCY,
    hashConcurrencyPerClient: e.HASH_CONCURRENCY_PER_CLIENT,
    loginIpPerMinute: e.LOGIN_IP_PER_MINUTE,
    signupIpPerHour: e.SIGNUP_IP_PER_HOUR,
    loginFreeFailures: e.LOGIN_FREE_FAILURES,
    loginBackoffMaxSeconds: e.LOGIN_BACKOFF_MAX_SECONDS,
    clientIpSource: e.CLIENT_IP_SOURCE,
    trustedHops: e.TRUSTED_HOPS,
    /** origins (scheme://host[:port]) a cookie-authenticated write may come from, besides the request's own host */
    allowedOrigins: e.ALLOWED_ORIGINS,
  };
}

export type AuthConfig = ReturnType<typeof authConfig>;
