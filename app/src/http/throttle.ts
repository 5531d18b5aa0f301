import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { Redis } from "../cache/redis";
import type { AuthConfig } from "../config-auth";

// Login and signup throttles, kept in the site's Redis so every instance shares them:
// - per client address: LOGIN_IP_PER_MINUTE login attempts, SIGNUP_IP_PER_HOUR signups;
// - per account (handle, any address): after LOGIN_FREE_FAILURES consecutive failed logins, each
//   further failure blocks the account's logins for 1 s, 2 s, 4 s, … up to
//   LOGIN_BACKOFF_MAX_SECONDS; failures are counted for FAILURE_MEMORY_SECONDS from the first, and a
//   successful login clears them. Unknown handles are counted alike (no hint that a handle exists).
// While Redis is down (or not ready) every limiter falls back to an in-process RateLimiterMemory
// with the same limits: per instance instead of per site, and bounded (each entry expires with
// its window).

const FAILURE_MEMORY_SECONDS = 3600;

type Limits = { points: number; duration: number };

function limiter(redis: Redis, keyPrefix: string, limits: Limits): RateLimiterRedis {
  return new RateLimiterRedis({
    storeClient: redis,
    keyPrefix,
    ...limits,
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory({ keyPrefix, ...limits }),
  });
}

/** 0 when the point was consumed, else the seconds to wait (a rejection that is not a limit is rethrown). */
async function waitOf(p: Promise<RateLimiterRes>): Promise<number> {
  try {
    await p;
    return 0;
  } catch (e) {
    if (e instanceof RateLimiterRes) return secondsOf(e);
    throw e;
  }
}

const secondsOf = (r: RateLimiterRes) => Math.max(1, Math.ceil(r.msBeforeNext / 1000));

export class AuthThrottle {
  private readonly loginIp: RateLimiterRedis;
  private readonly signupIp: RateLimiterRedis;
  /** consecutive failed logins per account */
  private readonly failures: RateLimiterRedis;
  /** accounts in backoff (block() sets them past their single point) */
  private readonly blocked: RateLimiterRedis;

  constructor(
    redis: Redis,
    private readonly cfg: Pick<AuthConfig, "loginIpPerMinute" | "signupIpPerHour" | "loginFreeFailures" | "loginBackoffMaxSeconds">,
  ) {
    this.loginIp = limiter(redis, "rl:login-ip", { points: cfg.loginIpPerMinute, duration: 60 });
    this.signupIp = limiter(redis, "rl:signup-ip", { points: cfg.signupIpPerHour, duration: 3600 });
    this.failures = limiter(redis, "rl:login-fail", { points: 1_000_000, duration: FAILURE_MEMORY_SECONDS });
    this.blocked = limiter(redis, "rl:login-block", { points: 1, duration: 1 });
  }

  /** Seconds to wait before this login may be tried (0: go on). Costs the address one attempt. */
  async loginWait(ip: string, handle: string): Promise<number> {
    const [ipWait, block] = await Promise.all([waitOf(this.loginIp.consume(ip)), this.blocked.get(accountKey(handle))]);
    const accountWait = block && block.consumedPoints > 1 ? secondsOf(block) : 0;
    return Math.max(ipWait, accountWait);
  }

  async signupWait(ip: string): Promise<number> {
    return waitOf(this.signupIp.consume(ip));
  }

  /** A wrong password (or unknown handle): past the free failures, the account backs off. */
  async loginFailed(handle: string): Promise<void> {
    const key = accountKey(handle);
    const res = await this.failures.penalty(key, 1);
    const over = res.consumedPoints - this.cfg.loginFreeFailures;
    if (over > 0) await this.blocked.block(key, Math.min(this.cfg.loginBackoffMaxSeconds, 2 ** Math.min(over - 1, 30)));
  }

  async loginSucceeded(handle: string): Promise<void> {
    const key = accountKey(handle);
    await Promise.all([this.failures.delete(key), this.blocked.delete(key)]);
  }
}

/** Handles are unique regardless of case (the column's collation): so is their throttle. */
const accountKey = (handle: string) => handle.toLowerCase();
