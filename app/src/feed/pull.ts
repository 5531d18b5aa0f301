import { TurnBatch } from "../cache/batch";
import type { Redis } from "../cache/redis";
import type { Db, Row } from "../db/pools";
import type { Logger } from "../logger";
import { BUILDING, pad, recentKey, SENTINEL } from "./list-encoding";

// The celebrity case: an author with more than CELEBRITY_FOLLOWERS followers is not pushed into
// followers' lists on write (the fan-out worker skips them); followers pull the author's recent
// posts at read time instead. Two kinds of keys, both with a TTL:
// - `recent:{authorId}`: the author's newest post ids, encoded like a feed list (padded members,
//   sentinel when it reaches back to the first post, capped at FEED_CACHE_SIZE). The worker adds
//   each new post to it if it exists; a reader that finds it missing rebuilds it from MySQL.
// - `feed:{userId}:pull` (pullKey): the set of followees a reader pulls, computed with the reader's
//   feed list and dropped with it (follow/unfollow), so its bound is the feed list's. It always
//   holds PULL_NONE, so an empty pull set still exists.

export const PULL_NONE = "-";

/** "More followers than the threshold": the threshold+1-th follower exists (bounded index scan). */
const HAS_MORE_FOLLOWERS = `(SELECT g.follower_id FROM follows g WHERE g.followee_id = f.followee_id
  ORDER BY g.follower_id LIMIT 1 OFFSET ?) IS NOT NULL`;
const PULLED_FOLLOWEES_SQL = `SELECT f.followee_id FROM follows f WHERE f.follower_id = ? AND ${HAS_MORE_FOLLOWERS}`;
const BUILD_TTL_SECONDS = 30;

/** Followees of `userId` whose posts the reader pulls (those with more than `threshold` followers). */
export async function pulledFollowees(db: Db, userId: string, threshold: number, primary: boolean): Promise<string[]> {
  const rows = await db.read<Row[]>(PULLED_FOLLOWEES_SQL, [BigInt(userId), threshold], { primary });
  return rows.map((r) => String(r.followee_id));
}

/**
 * Rebuilds missing `recent:{authorId}` lists from MySQL: the lists a turn's readers found missing
 * in one statement (a UNION ALL of one bounded index range per author), each author once. Like a
 * feed rebuild, each key is created (marker, short TTL) before the read, so the worker's pushes
 * meanwhile land in it.
 */
export class RecentPosts {
  private readonly batch: TurnBatch<true>;

  constructor(
    private readonly db: Db,
    private readonly redis: Redis,
    private readonly cap: number,
    private readonly ttlSeconds: number,
    private readonly logger: Logger,
  ) {
    this.batch = new TurnBatch((ids) => this.rebuildMany(ids), 50);
  }

  async rebuild(authorIds: string[]): Promise<void> {
    await Promise.all(authorIds.map((a) => this.batch.load(a)));
  }

  private async rebuildMany(authorIds: string[]): Promise<Map<string, true>> {
    const done = new Map(authorIds.map((a) => [a, true as const]));
    const mark = this.redis.multi();
    for (const a of authorIds) mark.zadd(recentKey(a), "NX", 0, BUILDING).expire(recentKey(a), BUILD_TTL_SECONDS, "NX");
    try {
      await mark.exec();
    } catch (e) {
      this.logger.warn({ err: (e as Error).message }, "recent-posts lists unavailable for rebuild");
      return done;
    }
    const sql = authorIds.map(() => `(SELECT id, author_id FROM posts WHERE author_id = ? ORDER BY id DESC LIMIT ${this.cap})`).join(" UNION ALL ");
    const rows = await this.db.read<Row[]>(sql, authorIds.map((a) => BigInt(a)));
    const members = new Map<string, Array<string | number>>(authorIds.map((a) => [a, []]));
    for (const r of rows) members.get(String(r.author_id))?.push(0, pad(String(r.id)));
    const fill = this.redis.multi();
    for (const [a, m] of members) {
      const key = recentKey(a);
      if (m.length / 2 < this.cap) m.push(0, SENTINEL);
      fill.zadd(key, ...m).zrem(key, BUILDING).zremrangebyrank(key, 0, -(this.cap + 2)).expire(key, this.ttlSeconds);
    }
    await fill.exec().catch((e: Error) => this.logger.warn({ err: e.message }, "recent-posts list write failed"));
    return done;
  }
}
