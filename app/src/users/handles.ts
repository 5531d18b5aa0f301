import { LocalCache } from "../cache/local";
import type { Redis } from "../cache/redis";
import type { AppConfig } from "../config";
import type { Db, Row } from "../db/pools";
import { bufferedCounter } from "../http/buffered-metrics";
import { isValidId, type Clock } from "../ids";
import type { Metrics } from "../metrics";

/** Redis key of a handle's user id, by the lowercased handle (the column's collation ignores case). */
export const handleKey = (lowerHandle: string) => `handle:${lowerHandle}`;
const ID_BY_HANDLE_SQL = "SELECT id FROM users WHERE handle = ?";

/**
 * Handle → user id, for GET /users/@{handle}, cached like profiles: near-cache
 * (PROFILE_LOCAL_CACHE_MS) → Redis `handle:{handle}` (TTL PROFILE_CACHE_TTL_SECONDS) → MySQL.
 * A handle keeps its owner for good (no rename, no delete), so entries need no invalidation; an
 * unknown handle is not cached (a signup may take it next).
 */
export class HandleLookup {
  /** lowercased handle → user id */
  readonly local: LocalCache<string>;
  private readonly hitCounter: { inc(): void };
  private readonly localHitCounter: { inc(): void };

  constructor(
    private readonly db: Db,
    private readonly redis: Redis,
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
    clock: Clock,
  ) {
    this.local = new LocalCache<string>(config.profileLocalCacheMs, config.profileLocalCacheEntries, () => clock.now());
    this.hitCounter = bufferedCounter(metrics.cacheRequests, { cache: "handle", result: "hit" });
    this.localHitCounter = bufferedCounter(metrics.localCacheHits, { cache: "handle" });
  }

  /** The user id of a handle (any case), null when none; synchronous on a near-cache hit. */
  userId(handle: string): string | Promise<string | null> {
    const lower = handle.toLowerCase();
    const near = this.local.get(lower);
    if (near !== undefined) {
      this.hitCounter.inc();
      this.localHitCounter.inc();
      return near;
    }
    return this.readThrough(lower);
  }

  private async readThrough(lower: string): Promise<string | null> {
    const key = handleKey(lower);
    let redisUp = true;
    try {
      const hit = await this.redis.get(key);
      // a corrupt entry is read past like a miss (and overwritten below)
      if (hit !== null && isValidId(hit)) {
        this.hitCounter.inc();
        this.local.set(lower, hit);
        return hit;
      }
      this.metrics.cacheRequests.inc({ cache: "handle", result: "miss" });
    } catch {
      redisUp = false; // Redis down: straight to MySQL
      this.metrics.cacheRequests.inc({ cache: "handle", result: "error" });
    }
    // a replica miss is retried on the primary: the signup may still be replicating
    let rows = await this.db.read<Row[]>(ID_BY_HANDLE_SQL, [lower]);
    if (rows.length === 0) rows = await this.db.write<Row[]>(ID_BY_HANDLE_SQL, [lower]);
    if (rows.length === 0) return null;
    const id = String(rows[0].id);
    this.local.set(lower, id);
    if (redisUp) await this.redis.set(key, id, "EX", this.config.profileCacheTtlSeconds).catch(() => undefined);
    return id;
  }
}
