import type { Redis } from "../cache/redis";
import type { Db } from "../db/pools";
import { unauthorized } from "../errors";
import type { Logger } from "../logger";
import { RevocationList } from "./revocations";
import { SessionTokens, type SessionClaims } from "./session-token";

// Sessions are signed, expiring tokens (session-token.ts) plus a durable revocation list
// (revocations.ts). Nothing about a valid session lives in Redis, so Redis restarting empty, an
// ElastiCache failover or a flush logs nobody out, and a token minted at one site is valid at the
// other at once. A request's session costs an HMAC, two Map lookups and one Redis MGET of
// `revoked:{sid}` and `notbefore:{userId}` (one round trip, as the old `GET session:{sid}` cost);
// while Redis is unreachable the MGET is skipped and every route keeps working on the signature
// and the in-process revocation list.

/** The session cookie over plain HTTP (the local site), and the name read during the rollout of `__Host-sid`. */
export const PLAIN_SESSION_COOKIE = "sid";
/** Over HTTPS: `__Host-` makes browsers require Secure, Path=/ and no Domain, so no subdomain can set or shadow it. */
export const HOST_SESSION_COOKIE = "__Host-sid";
export const sessionCookieName = (secure: boolean) => (secure ? HOST_SESSION_COOKIE : PLAIN_SESSION_COOKIE);

/** After a Redis error, skip the Redis check this long (no per-request timeout while it is down). */
const REDIS_RETRY_MS = 1_000;

export interface SessionInfo {
  userId: string;
  sid: string;
  /** issue time, unix ms */
  iat: number;
  /** expiry, unix seconds */
  exp: number;
  /** the site's Redis could not be asked: only this process's revocation list was checked */
  degraded: boolean;
}

export interface SessionOptions {
  secret: string;
  ttlSeconds: number;
  /** how often the revocation list is tailed from the database */
  revocationPollMs: number;
  now: () => number;
  logger: Logger;
}

export class SessionStore {
  readonly ttlSeconds: number;
  readonly revocations: RevocationList;
  private readonly tokens: SessionTokens;
  private readonly now: () => number;
  private readonly logger: Logger;
  private redisRetryAt = 0;

  constructor(
    db: Db,
    redis: Redis,
    opts: SessionOptions,
  ) {
    this.tokens = new SessionTokens(opts.secret);
    this.ttlSeconds = opts.ttlSeconds;
    this.now = opts.now;
    this.logger = opts.logger;
    this.revocations = new RevocationList(db, redis, { pollMs: opts.revocationPollMs, now: opts.now, logger: opts.logger });
  }

  /** Starts tailing the revocation list (the API does; the worker has no sessions). */
  start(): void {
    this.revocations.start();
  }

  stop(): void {
    this.revocations.stop();
  }

  /** A new session's token. No store is written: the token is the session. */
  create(userId: string): string {
    const now = this.now();
    return this.tokens.mint(userId, Math.floor(now / 1000) + this.ttlSeconds, now).token;
  }

  /** The claims of a correctly signed token, before the expiry and revocation checks; null otherwise. */
  parse(token: string): SessionClaims | null {
    return this.tokens.verify(token);
  }

  /** The session's user; 401 for a missing, malformed, forged, expired or logged-out token. */
  async resolve(token: string | undefined): Promise<SessionInfo> {
    if (!token) throw unauthorized("missing session");
    const claims = this.tokens.verify(token);
    if (!claims) throw unauthorized("invalid session");
    return this.resolveClaims(claims);
  }

  /** resolve() for claims parse() returned: the expiry and revocation checks, without a second HMAC. */
  async resolveClaims(claims: SessionClaims): Promise<SessionInfo> {
    if (claims.exp * 1000 <= this.now()) throw unauthorized("session expired or logged out");
    const loading = this.revocations.whenLoaded();
    if (loading) await loading;
    if (this.revocations.knows(claims.sid) || this.revocations.cutOff(claims)) throw unauthorized("session expired or logged out");
    let degraded = true;
    if (this.now() >= this.redisRetryAt) {
      let revoked = false;
      try {
        revoked = await this.revocations.inRedis(claims);
        degraded = false;
      } catch (e) {
        if (this.redisRetryAt === 0) this.logger.warn({ err: (e as Error).message }, "session revocation cache unreachable: checking the in-process list only");
        this.redisRetryAt = this.now() + REDIS_RETRY_MS;
      }
      if (revoked) throw unauthorized("session expired or logged out");
      if (!degraded && this.redisRetryAt !== 0) {
        this.redisRetryAt = 0;
        this.logger.info("session revocation cache reachable again");
      }
    }
    return { userId: claims.userId, sid: claims.sid, iat: claims.iat, exp: claims.exp, degraded };
  }

  /** Logout: durable on the primary first (503 db_unavailable if it cannot be written). */
  async destroy(session: SessionInfo): Promise<void> {
    await this.revocations.revoke({ sid: session.sid, userId: session.userId, exp: session.exp });
  }

  /** Log out everywhere: every session of the user issued before now, on every instance and site. */
  async destroyAll(userId: string): Promise<void> {
    await this.revocations.revokeAll(userId, this.now(), this.ttlSeconds);
  }
}
