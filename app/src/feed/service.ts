import type { Redis } from "../cache/redis";
import type { AppConfig } from "../config";
import type { Db, Row } from "../db/pools";
import type { ReadYourWrites } from "../db/ryw";
import type { Logger } from "../logger";
import type { Metrics } from "../metrics";
import type { Post, PostService } from "../posts/service";
import { BUILDING, SENTINEL, feedKey, pad, unpad } from "./list-encoding";

const BUILD_TTL_SECONDS = 30;

export interface FeedPage {
  items: Post[];
  nextCursor: string | null;
}

const FEED_IDS_SQL = `SELECT p.id FROM follows f JOIN posts p ON p.author_id = f.followee_id
  WHERE f.follower_id = ? AND p.id < ? ORDER BY p.id DESC LIMIT ?`;
const MAX_BIGINT = (1n << 63n) - 1n;

export class FeedService {
  constructor(
    private readonly db: Db,
    private readonly redis: Redis,
    private readonly ryw: ReadYourWrites,
    private readonly posts: PostService,
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {}

  private async idsFromDb(userId: string, before: string | null, limit: number, primary: boolean): Promise<string[]> {
    const rows = await this.db.read<Row[]>(FEED_IDS_SQL, [BigInt(userId), before ? BigInt(before) : MAX_BIGINT, limit], { primary });
    return rows.map((r) => String(r.id));
  }

  /**
   * Rebuild the cached list from MySQL (replica unless read-your-writes); returns the ids, newest
   * first. The key is created (with a marker and a short TTL) before the database read, so fan-out
   * jobs that run meanwhile land in it instead of being skipped; the rebuilt ids are merged in.
   */
  async rebuild(userId: string, primary: boolean): Promise<string[]> {
    const cap = this.config.feedCacheSize;
    const key = feedKey(userId);
    let placed = false;
    try {
      await this.redis.multi().zadd(key, "NX", 0, BUILDING).expire(key, BUILD_TTL_SECONDS, "NX").exec();
      placed = true;
    } catch (e) {
      this.logger.warn({ err: (e as Error).message, userId }, "feed cache unavailable for rebuild");
    }
    const ids = await this.idsFromDb(userId, null, cap, primary);
    if (!placed) return ids;
    const members: Array<string | number> = [];
    for (const id of ids) members.push(0, pad(id));
    if (ids.length < cap) members.push(0, SENTINEL);
    try {
      const m = this.redis.multi();
      if (members.length > 0) m.zadd(key, ...members);
      await m.zrem(key, BUILDING).zremrangebyrank(key, 0, -(cap + 2)).expire(key, this.config.feedCacheTtlSeconds).exec();
    } catch (e) {
      this.logger.warn({ err: (e as Error).message, userId }, "feed cache write failed");
    }
    return ids;
  }

  async page(userId: string, cursor: string | null, limit: number): Promise<FeedPage> {
    let primary = this.ryw.localUsePrimary(userId);
    let ids: string[] | null = null;
    let more = false;
    try {
      const key = feedKey(userId);
      const max = cursor ? "(" + pad(cursor) : "+";
      // One round trip: does the list exist, the page, and the read-your-writes marker.
      const [[e1, exists], [e2, members], [e3, recent]] = (await this.redis.multi().exists(key).zrange(key, max, "-", "BYLEX", "REV", "LIMIT", 0, limit + 1).exists(this.ryw.key(userId)).exec()) as [
        [Error | null, number],
        [Error | null, string[]],
        [Error | null, number],
      ];
      if (e1 || e2 || e3) throw e1 ?? e2 ?? e3;
      primary ||= this.ryw.enabled && recent === 1;
      if (exists === 1) {
        this.metrics.cacheRequests.inc({ cache: "feed", result: "hit" });
        // While being rebuilt (marker present) the list is incomplete: no sentinel, so short pages go to MySQL.
        const real = members.filter((m) => m !== SENTINEL && m !== BUILDING).map(unpad);
        if (real.length > limit) {
          ids = real.slice(0, limit);
          more = true;
        } else if (members.includes(SENTINEL)) {
          ids = real;
        } // else: ran past the capped list: read this page from MySQL
      } else {
        this.metrics.cacheRequests.inc({ cache: "feed", result: "miss" });
        const all = await this.rebuild(userId, primary);
        const after = cursor ? all.filter((i) => BigInt(i) < BigInt(cursor)) : all;
        if (after.length > limit) (ids = after.slice(0, limit)), (more = true);
        else if (all.length < this.config.feedCacheSize) ids = after;
      }
    } catch (e) {
      this.metrics.cacheRequests.inc({ cache: "feed", result: "error" });
      this.logger.debug({ err: (e as Error).message }, "feed cache unavailable, reading MySQL");
      ids = null;
    }
    if (ids === null) {
      const rows = await this.idsFromDb(userId, cursor, limit + 1, primary);
      more = rows.length > limit;
      ids = rows.slice(0, limit);
    }
    const items = await this.posts.getMany(ids, { primary });
    this.metrics.feedReads.inc();
    return { items, nextCursor: more && ids.length > 0 ? ids[ids.length - 1] : null };
  }
}
