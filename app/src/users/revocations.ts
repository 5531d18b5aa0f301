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

/** Re-read this much before the newest revocation seen: rows may commit (or replicate) out of order. */
const TAIL_OVERLAP_MS = 5_000;
const LOCAL_PRUNE_EVERY_MS = 60_000;
const DB_PRUNE_EVERY_MS = 10 * 60_000;
const DB_PRUNE_BATCH = 1_000;

export const revokedKey = (sid: string) => `revoked:${sid}`;

export interface RevocationOptions {
  pollMs: number;
  now: () => number;
  logger: Logger;
}

export class RevocationList {
  /** sid → expiry (unix seconds) of every revoked, unexpired session this process knows of */
  private readonly known = new Map<string, number>();
  /** revoked_at (primary's UTC clock) to tail from */
  private cursor = new Date(0);
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

  /** The site's Redis copy (recent logouts of other instances); throws when Redis is unreachable. */
  async inRedis(sid: string): Promise<boolean> {
    return (await this.redis.exists(revokedKey(sid))) === 1;
  }

  /**
   * Logs a session out: the primary first (durable; a failure throws and nothing is revoked), then
   * this process and the site's Redis (best effort: the tail covers a Redis failure).
   */
  async revoke(claims: SessionClaims): Promise<void> {
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

  /** One tail step: every revocation since the cursor (minus the overlap), from the read pool. */
  async sync(): Promise<void> {
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

  private pruneLocal(): void {
    const now = this.opts.now();
    if (now - this.lastLocalPrune < LOCAL_PRUNE_EVERY_MS) return;
    this.lastLocalPrune = now;
    const nowS = now / 1000;
    for (const [sid, exp] of this.known) if (exp <= nowS) this.known.delete(sid);
  }

  /** Rows of expired tokens are dead weight; any instance may delete a batch now and then. */
  private async pruneDatabase(): Promise<void> {
    const now = this.opts.now();
    if (now - this.lastDbPrune < DB_PRUNE_EVERY_MS) return;
    this.lastDbPrune = now;
    await this.db.write("DELETE FROM session_revocations WHERE expires_at < UTC_TIMESTAMP(3) - INTERVAL 1 HOUR LIMIT ?", [DB_PRUNE_BATCH]).catch((e: Error) =>
      this.opts.logger.warn({ err: e.message }, "session revocations: prune failed"),
    );
  }
}
