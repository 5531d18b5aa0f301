import type { Redis } from "../cache/redis";
import type { Db, Row } from "../db/pools";
import type { Logger } from "../logger";
import type { SessionClaims } from "./session-token";

// The durable list of logged-out sessions, in three layers:
// - MySQL `session_revocations` (written to the primary): the source of truth, shared by every
//   site through replication, unaffected by any loss of Redis.
// - This process's copy (a Map), loaded at start and then tailed from the local read pool every
//   `pollMs`: checking it costs no I/O, and it keeps working while Redis is down.
// - Redis `revoked:{sid}` (TTL = the token's remaining lifetime), set by the instance that logs the
//   session out, so every other instance of that site sees the logout on its very next request.
//
// A logout therefore applies at once on every instance of the site where it happened, and within
// `pollMs` + the replica's lag bound everywhere else (the other site, or this site while Redis is
// down or after it lost its data). The lag bound is REPLICA_MAX_LAG_SECONDS: past it the pools send
// the tail's reads to the primary.
//
// "Log out everywhere" travels the same three layers: MySQL `session_not_before` (one row per
// user: tokens issued before not_before_ms are logged out), this process's Map, and Redis
// `notbefore:{userId}` (TTL = the session TTL, after which every older token has expired).

/** Re-read this much before the newest revocation seen: rows may commit (or replicate) out of order. */
const TAIL_OVERLAP_MS = 5_000;
const LOCAL_PRUNE_EVERY_MS = 60_000;
const DB_PRUNE_EVERY_MS = 10 * 60_000;
const DB_PRUNE_BATCH = 1_000;

export const revokedKey = (sid: string) => `revoked:${sid}`;
export const notBeforeKey = (userId: string) => `notbefore:${userId}`;

export interface RevocationOptions {
  pollMs: number;
  now: () => number;
  logger: Logger;
}

export class RevocationList {
  /** sid → expiry (unix seconds) of every revoked, unexpired session this process knows of */
  private readonly known = new Map<string, number>();
  /** userId → [not before (unix ms), row expiry (unix seconds)] of every "log out everywhere" this process knows of */
  private readonly cutoffs = new Map<string, [number, number]>();
  /** revoked_at (primary's UTC clock) to tail from */
  private cursor = new Date(0);
  /** session_not_before.updated_at (primary's UTC clock) to tail from */
  private cutoffCursor = new Date(0);
  private timer?: NodeJS.Timeout;
  private running = false;
  private lastLocalPrune = 0;
  private lastDbPrune = 0;
  /** the first full load: requests wait for it once, so a restarted instance never starts blind */
  private firstSync?: Promise<void>;
  /** true once a sync has succeeded */
  loaded = false;
  /** wall-clock ms of the last successful sync */
  syncedAt = 0;

  constructor(
    private readonly db: Db,
    private readonly redis: Redis,
    private readonly opts: RevocationOptions,
  ) {}

  get size(): number {
    return this.known.size;
  }

  /** Loads the list now, then tails it every pollMs until stop(). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.lastDbPrune = this.opts.now(); // not in the first load, which requests may wait for
    this.firstSync = this.sync().then(
      () => undefined,
      (e: Error) => this.opts.logger.warn({ err: e.message }, "session revocations: first load failed, retrying"),
    );
    const tick = () => {
      this.sync().then(
        () => undefined,
        (e: Error) => this.opts.logger.warn({ err: e.message }, "session revocations: sync failed"),
      ).finally(() => {
        if (this.running) this.timer = setTimeout(tick, this.opts.pollMs).unref();
      });
    };
    void this.firstSync.finally(() => {
      if (this.running) this.timer = setTimeout(tick, this.opts.pollMs).unref();
    });
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Resolves once the first load has been attempted (immediately afterwards). */
  whenLoaded(): Promise<void> | undefined {
    return this.loaded ? undefined : this.firstSync;
  }

  /** This process's copy only: no I/O. */
  knows(sid: string): boolean {
    const exp = this.known.get(sid);
    return exp !== undefined && exp * 1000 > this.opts.now();
  }

  /** This process's copy of the user's "log out everywhere": was the token issued before it? No I/O. */
  cutOff(claims: SessionClaims): boolean {
    const c = this.cutoffs.get(claims.userId);
    return c !== undefined && claims.iat < c[0];
  }

  /**
   * The site's Redis copy (recent logouts and "log out everywhere" of other instances), both in
   * one MGET; throws when Redis is unreachable.
   */
  async inRedis(claims: SessionClaims): Promise<boolean> {
    const [revoked, notBefore] = await this.redis.mget(revokedKey(claims.sid), notBeforeKey(claims.userId));
    return revoked !== null || (notBefore !== null && claims.iat < Number(notBefore));
  }

  /**
   * Logs a session out: the primary first (durable; a failure throws and nothing is revoked), then
   * this process and the site's Redis (best effort: the tail covers a Redis failure).
   */
  async revoke(claims: Pick<SessionClaims, "sid" | "userId" | "exp">): Promise<void> {
    await this.db.write(
      "INSERT IGNORE INTO session_revocations (sid, user_id, expires_at, revoked_at) VALUES (?, ?, ?, UTC_TIMESTAMP(3))",
      [claims.sid, BigInt(claims.userId), new Date(claims.exp * 1000)],
    );
    this.known.set(claims.sid, claims.exp);
    const ttl = claims.exp - Math.floor(this.opts.now() / 1000);
    if (ttl <= 0) return;
    try {
      await this.redis.set(revokedKey(claims.sid), "1", "EX", ttl);
    } catch (e) {
      this.opts.logger.warn({ err: (e as Error).message }, "session revocation not cached in Redis; other instances learn it from the database");
    }
  }

  /**
   * Logs out every session of a user issued before `atMs` (this instance's clock, like a token's
   * iat): the primary first (durable; a failure throws), then this process and the site's Redis.
   */
  async revokeAll(userId: string, atMs: number, ttlSeconds: number): Promise<void> {
    const expires = new Date(atMs + ttlSeconds * 1000);
    await this.db.write(
      `INSERT INTO session_not_before (user_id, not_before_ms, expires_at, updated_at) VALUES (?, ?, ?, UTC_TIMESTAMP(3))
       ON DUPLICATE KEY UPDATE not_before_ms = GREATEST(not_before_ms, VALUES(not_before_ms)), expires_at = GREATEST(expires_at, VALUES(expires_at)), updated_at = UTC_TIMESTAMP(3)`,
      [BigInt(userId), atMs, expires],
    );
    this.noteCutoff(userId, atMs, Math.floor(expires.getTime() / 1000));
    try {
      await this.redis.set(notBeforeKey(userId), String(atMs), "EX", ttlSeconds);
    } catch (e) {
      this.opts.logger.warn({ err: (e as Error).message }, "log-out-everywhere not cached in Redis; other instances learn it from the database");
    }
  }

  private noteCutoff(userId: string, atMs: number, exp: number): void {
    const had = this.cutoffs.get(userId);
    if (!had || had[0] < atMs) this.cutoffs.set(userId, [atMs, exp]);
  }

  /** One tail step: every revocation since the cursor (minus the overlap), from the read pool. */
  async sync(): Promise<void> {
    await this.syncCutoffs();
    const rows = await this.db.read<Row[]>(
      "SELECT sid, UNIX_TIMESTAMP(expires_at) AS exp, revoked_at FROM session_revocations WHERE revoked_at >= ? AND expires_at > UTC_TIMESTAMP(3)",
      [this.cursor],
    );
    let newest = this.cursor.getTime() + TAIL_OVERLAP_MS;
    for (const r of rows) {
      this.known.set(String(r.sid), Math.floor(Number(r.exp)));
      const at = (r.revoked_at as Date).getTime();
      if (at > newest) newest = at;
    }
    this.cursor = new Date(newest - TAIL_OVERLAP_MS);
    this.loaded = true;
    this.syncedAt = this.opts.now();
    this.pruneLocal();
    await this.pruneDatabase();
  }

  /** The tail of session_not_before, as sync() tails session_revocations. */
  private async syncCutoffs(): Promise<void> {
    const rows = await this.db.read<Row[]>(
      "SELECT user_id, not_before_ms, UNIX_TIMESTAMP(expires_at) AS exp, updated_at FROM session_not_before WHERE updated_at >= ? AND expires_at > UTC_TIMESTAMP(3)",
      [this.cutoffCursor],
    );
    let newest = this.cutoffCursor.getTime() + TAIL_OVERLAP_MS;
    for (const r of rows) {
      this.noteCutoff(String(r.user_id), Number(r.not_before_ms), Math.floor(Number(r.exp)));
      const at = (r.updated_at as Date).getTime();
      if (at > newest) newest = at;
    }
    this.cutoffCursor = new Date(newest - TAIL_OVERLAP_MS);
  }

  private pruneLocal(): void {
    const now = this.opts.now();
    if (now - this.lastLocalPrune < LOCAL_PRUNE_EVERY_MS) return;
    this.lastLocalPrune = now;
    const nowS = now / 1000;
    for (const [sid, exp] of this.known) if (exp <= nowS) this.known.delete(sid);
    for (const [userId, [, exp]] of this.cutoffs) if (exp <= nowS) this.cutoffs.delete(userId);
  }

  /** Rows of expired tokens are dead weight; any instance may delete a batch now and then. */
  private async pruneDatabase(): Promise<void> {
    const now = this.opts.now();
    if (now - this.lastDbPrune < DB_PRUNE_EVERY_MS) return;
    this.lastDbPrune = now;
    for (const table of ["session_revocations", "session_not_before"]) {
      await this.db.write(`DELETE FROM ${table} WHERE expires_at < UTC_TIMESTAMP(3) - INTERVAL 1 HOUR LIMIT ?`, [DB_PRUNE_BATCH]).catch((e: Error) =>
        this.opts.logger.warn({ err: e.message, table }, "session revocations: prune failed"),
      );
    }
  }
}
