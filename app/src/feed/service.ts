import type { Redis } from "../cache/redis";
import type { AppConfig } from "../config";
import type { Db, Row } from "../db/pools";
import type { ReadYourWrites } from "../db/ryw";
import { bufferedCounter, type BufferedCounter } from "../http/buffered-metrics";
import type { Logger } from "../logger";
import type { Metrics } from "../metrics";
import type { PostCache } from "../posts/cache";
import type { AuthorViews } from "./authors";
import { BUILDING, feedKey, pad, pullKey, SENTINEL } from "./list-encoding";
import { definePageScript, pageIdsOf, runPageScript } from "./page-script";
import { PULL_NONE, pulledFollowees, type RecentPosts } from "./pull";
import { RenderedPages } from "./rendered-pages";

// GET /feed: the page's ids from Redis in one round trip (page-script.ts: the reader's pushed list
// merged with the pulled celebrities' recent posts), then either the page this process rendered
// for the same ids and authors (RenderedPages) or a new rendering: the bodies from PostCache (its
// in-process copies, one MGET for the rest, the misses from MySQL in one statement per turn), each
// item's author from the profile caches (AuthorViews). Lists missing → rebuilt from MySQL; a page the lists do not cover, or Redis
// down → the page's ids from MySQL (the follow graph, pushed and pulled authors alike).

const FEED_IDS_SQL = `SELECT p.id FROM follows f JOIN posts p ON p.author_id = f.followee_id
  WHERE f.follower_id = ? AND p.id < ? ORDER BY p.id DESC LIMIT ?`;
const MAX_BIGINT = (1n << 63n) - 1n;
const BUILD_TTL_SECONDS = 30;

/** From Redis: the page script's reply (split only if the page is rendered); from MySQL: the ids. */
type PageIds = { primary: boolean } & ({ raw: string } | { ids: string[]; more: boolean });

/** `{"id":"…","authorId":"…",…}` (renderPost's key order): the author id without parsing. */
function authorIdOf(postId: string, json: Buffer): string {
  const start = 21 + postId.length; // {"id":"<id>","authorId":"
  return json.toString("latin1", start, json.indexOf(0x22 /* " */, start));
}
const ITEMS_OPEN = Buffer.from('{"items":[');
const AUTHOR_KEY = Buffer.from(',"author":');
const NULL = Buffer.from("null");

export class FeedService {
  private readonly reads: BufferedCounter;
  private readonly listHits: BufferedCounter;
  private readonly pageReuses: BufferedCounter;
  private readonly rendered: RenderedPages;

  constructor(
    private readonly db: Db,
    private readonly redis: Redis,
    private readonly ryw: ReadYourWrites,
    private readonly posts: PostCache,
    private readonly authors: AuthorViews,
    private readonly recent: RecentPosts,
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {
    definePageScript(redis);
    this.reads = bufferedCounter(metrics.feedReads, {});
    this.listHits = bufferedCounter(metrics.cacheRequests, { cache: "feed", result: "hit" });
    this.pageReuses = bufferedCounter(metrics.localCacheHits, { cache: "feed_page" });
    this.rendered = new RenderedPages(config.feedPageMemoEntries);
  }

  private async idsFromDb(userId: string, before: string | null, limit: number, primary: boolean): Promise<string[]> {
    const rows = await this.db.read<Row[]>(FEED_IDS_SQL, [BigInt(userId), before ? BigInt(before) : MAX_BIGINT, limit], { primary });
    return rows.map((r) => String(r.id));
  }

  /**
   * Rebuild the reader's list and pull set from MySQL (replica unless read-your-writes). The list
   * is created (with a marker and a short TTL) before the database read, so fan-out jobs that run
   * meanwhile land in it instead of being skipped; the rebuilt ids are merged in.
   */
  async rebuild(userId: string, primary: boolean): Promise<void> {
    const cap = this.config.feedCacheSize;
    const key = feedKey(userId);
    const pull = pullKey(userId);
    try {
      await this.redis.multi().zadd(key, "NX", 0, BUILDING).expire(key, BUILD_TTL_SECONDS, "NX").exec();
    } catch (e) {
      this.logger.warn({ err: (e as Error).message, userId }, "feed cache unavailable for rebuild");
      return;
    }
    const [ids, pulled] = await Promise.all([this.idsFromDb(userId, null, cap, primary), pulledFollowees(this.db, userId, this.config.celebrityFollowers, primary)]);
    const members: Array<string | number> = [];
    for (const id of ids) members.push(0, pad(id));
    if (ids.length < cap) members.push(0, SENTINEL);
    const ttl = this.config.feedCacheTtlSeconds;
    try {
      const m = this.redis.multi();
      if (members.length > 0) m.zadd(key, ...members);
      m.zrem(key, BUILDING).zremrangebyrank(key, 0, -(cap + 2)).expire(key, ttl);
      await m.del(pull).sadd(pull, PULL_NONE, ...pulled).expire(pull, ttl).exec();
    } catch (e) {
      this.logger.warn({ err: (e as Error).message, userId }, "feed cache write failed");
    }
  }

  /** The page's ids, newest first: from the cached lists (rebuilt once if missing), else MySQL. */
  private async pageIds(userId: string, cursor: string | null, limit: number): Promise<PageIds> {
    let primary = this.ryw.localUsePrimary(userId);
    try {
      const keys = { feed: feedKey(userId), ryw: this.ryw.key(userId), pull: pullKey(userId) };
      for (let attempt = 0; attempt < 2; attempt++) {
        const r = await runPageScript(this.redis, keys, cursor, limit);
        primary ||= this.ryw.enabled && r.ryw;
        if (attempt === 0) {
          if (r.kind === "no-list") this.metrics.cacheRequests.inc({ cache: "feed", result: "miss" });
          else this.listHits.inc();
        }
        if (r.kind === "page") return { raw: r.raw, primary };
        // Not covered, or still missing after a rebuild (another rebuild in flight): MySQL.
        if (r.kind === "not-cached" || attempt === 1) break;
        if (r.kind === "no-list") await this.rebuild(userId, primary);
        else await this.recent.rebuild(r.authors);
      }
    } catch (e) {
      this.metrics.cacheRequests.inc({ cache: "feed", result: "error" });
      this.logger.debug({ err: (e as Error).message }, "feed cache unavailable, reading MySQL");
    }
    const rows = await this.idsFromDb(userId, cursor, limit + 1, primary);
    return { ids: rows.slice(0, limit), more: rows.length > limit, primary };
  }

  /**
   * The `GET /feed` response body, `{"items":[post + author],"nextCursor"}`, spliced from the
   * cached bytes into one Buffer: each post's stored JSON without its closing brace, the author's,
   * the brace (nothing decoded, parsed or re-serialized; app/test/feed-bytes.test.ts holds the
   * bytes to the reference rendering).
   */
  async page(userId: string, cursor: string | null, limit: number): Promise<Buffer> {
    const p = await this.pageIds(userId, cursor, limit);
    let ids: string[];
    let more: boolean;
    let memo: { key: string; raw: string } | null = null;
    if ("raw" in p) {
      memo = { key: RenderedPages.key(userId, cursor, limit), raw: p.raw };
      const again = this.rendered.get(memo.key, p.raw, (a) => this.authors.peek(a));
      if (again !== undefined) {
        this.pageReuses.inc();
        this.reads.inc();
        return again;
      }
      const all = pageIdsOf(p.raw);
      ids = all.length > limit ? all.slice(0, limit) : all;
      more = all.length > limit;
    } else ({ ids, more } = p);
    const bodies = await this.posts.getManyBytes(ids, { primary: p.primary });
    const authors: Array<Buffer | null | Promise<Buffer | null>> = new Array(bodies.length);
    const authorIds: Array<string | null> = new Array(bodies.length);
    let waiting = false;
    for (let i = 0; i < bodies.length; i++) {
      const b = bodies[i];
      const id = b === null ? null : authorIdOf(ids[i], b);
      const a = id === null ? null : this.authors.bytes(id);
      if (a !== null && !(a instanceof Buffer)) waiting = true;
      authorIds[i] = id;
      authors[i] = a;
    }
    const resolved = waiting ? await Promise.all(authors) : (authors as Array<Buffer | null>);
    const tail = '],"nextCursor":' + (more && ids.length > 0 ? `"${ids[ids.length - 1]}"` : "null") + "}";
    let size = ITEMS_OPEN.length + tail.length;
    let items = 0;
    for (let i = 0; i < bodies.length; i++) {
      const b = bodies[i];
      if (b === null) continue; // gone from the database
      size += (items++ > 0 ? 1 : 0) + b.length - 1 + AUTHOR_KEY.length + (resolved[i] ?? NULL).length + 1;
    }
    const out = Buffer.allocUnsafe(size);
    let o = ITEMS_OPEN.copy(out, 0);
    items = 0;
    for (let i = 0; i < bodies.length; i++) {
      const b = bodies[i];
      if (b === null) continue;
      if (items++ > 0) out[o++] = 0x2c; // ,
      o += b.copy(out, o, 0, b.length - 1);
      o += AUTHOR_KEY.copy(out, o);
      o += (resolved[i] ?? NULL).copy(out, o);
      out[o++] = 0x7d; // }
    }
    out.write(tail, o, "latin1"); // ASCII: digits and punctuation
    this.reads.inc();
    if (memo !== null) this.remember(memo.key, memo.raw, authorIds, resolved, out);
    return out;
  }

  /** Keeps a page rendered from Redis ids whose every post and author was found (RenderedPages). */
  private remember(key: string, raw: string, authorIds: Array<string | null>, views: Array<Buffer | null>, body: Buffer): void {
    const seen = new Map<string, Buffer>();
    for (let i = 0; i < authorIds.length; i++) {
      const id = authorIds[i];
      const v = views[i];
      if (id === null || v === null) return; // a post or author not found: not kept
      seen.set(id, v);
    }
    this.rendered.set(key, { raw, authorIds: [...seen.keys()], authorViews: [...seen.values()], body });
  }
}
