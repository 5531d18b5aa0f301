import { TurnBatch } from "../cache/batch";
import { LocalCache } from "../cache/local";
import type { Redis } from "../cache/redis";
import type { Db, Row } from "../db/pools";
import { bufferedCounter, type BufferedCounter } from "../http/buffered-metrics";
import type { Logger } from "../logger";
import type { Metrics } from "../metrics";
import { POST_COLUMNS, renderPost, toPost, type Post } from "./model";

// Post bodies in Redis: `post:{id}` → the post's JSON, exactly as the API sends it, with a TTL
// (POST_CACHE_TTL_SECONDS; posts are immutable, so a long one is safe; an edit or delete, if
// ever added, must DEL the key). Filled on write (the post is known at insert) and read through
// on a miss: the misses of one event-loop turn share one SQL statement per pool (TurnBatch).
// Entries are sent as stored, never re-serialized; one that is not the post asked for is a miss.
// Because posts are immutable, the feed's bytes are also kept in process (a near-cache bounded by
// POST_LOCAL_CACHE_ENTRIES, no expiry): a page whose posts this process served before needs no
// MGET for them, and what is served is still exactly the post.

export const postKey = (id: string) => `post:${id}`;
const bytes = (json: string | null): Buffer | null => (json === null ? null : Buffer.from(json));

/** A stored value is used only if it is the JSON of the post asked for (cheap check, no parse). */
export function isPostJson(id: string, v: string | null): v is string {
  return v !== null && v.startsWith(`{"id":"${id}",`) && v.endsWith("}");
}

/** isPostJson on the stored bytes (mgetBuffer), without decoding them. */
export function isPostBytes(id: string, v: Buffer | null): v is Buffer {
  if (v === null || v.length < id.length + 10 || v[v.length - 1] !== 0x7d /* } */) return false;
  const head = `{"id":"${id}",`;
  for (let i = 0; i < head.length; i++) if (v[i] !== head.charCodeAt(i)) return false;
  return true;
}

export class PostCache {
  private readonly fromReplica: TurnBatch<string>;
  private readonly fromPrimary: TurnBatch<string>;
  private readonly hits: BufferedCounter;
  private readonly localHits: BufferedCounter;
  /** post id → its stored bytes (only posts found: a post never changes once written) */
  private readonly near: LocalCache<Buffer>;

  constructor(
    private readonly db: Db,
    private readonly redis: Redis,
    readonly ttlSeconds: number,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    localEntries = 0,
  ) {
    this.fromReplica = new TurnBatch((ids) => this.load(ids, false));
    this.fromPrimary = new TurnBatch((ids) => this.load(ids, true));
    this.hits = bufferedCounter(metrics.cacheRequests, { cache: "post", result: "hit" });
    this.localHits = bufferedCounter(metrics.localCacheHits, { cache: "post" });
    this.near = LocalCache.unexpiring<Buffer>(localEntries);
  }

  /** After the INSERT: the post is known, so the cache is filled without a read. */
  async written(post: Post): Promise<void> {
    await this.redis.set(postKey(post.id), renderPost(post), "EX", this.ttlSeconds).catch((e: Error) => {
      this.logger.warn({ err: e.message, postId: post.id }, "post cache fill failed");
    });
  }

  /** Post JSON by id, in the order given (null: no such post): one MGET, then the misses. */
  async getMany(ids: string[], opts: { primary?: boolean } = {}): Promise<Array<string | null>> {
    if (ids.length === 0) return [];
    let values: Array<string | null>;
    try {
      values = await this.redis.mget(ids.map(postKey));
    } catch {
      this.metrics.cacheRequests.inc({ cache: "post", result: "error" }, ids.length);
      return Promise.all(ids.map((id) => this.loadOne(id, opts.primary)));
    }
    return this.complete(ids, values, opts);
  }

  /**
   * getMany as the stored bytes: the feed page splices them into its response without decoding 20
   * bodies to strings and encoding them back. The near-cache first; one mgetBuffer for the rest.
   */
  async getManyBytes(ids: string[], opts: { primary?: boolean } = {}): Promise<Array<Buffer | null>> {
    const values: Array<Buffer | null> = new Array(ids.length);
    let rest: string[] | null = null;
    let at: number[] | null = null;
    for (let i = 0; i < ids.length; i++) {
      const b = this.near.get(ids[i]);
      if (b !== undefined) values[i] = b;
      else {
        (rest ??= []).push(ids[i]);
        (at ??= []).push(i);
      }
    }
    const local = ids.length - (rest?.length ?? 0);
    if (local > 0) {
      this.hits.inc(local);
      this.localHits.inc(local);
    }
    if (rest === null || at === null) return values;
    const fetched = await this.fromRedis(rest, opts);
    for (let j = 0; j < at.length; j++) {
      const b = fetched[j];
      values[at[j]] = b;
      if (b !== null) this.near.set(rest[j], b);
    }
    return values;
  }

  private async fromRedis(ids: string[], opts: { primary?: boolean }): Promise<Array<Buffer | null>> {
    let values: Array<Buffer | null>;
    try {
      values = await this.redis.mgetBuffer(ids.map(postKey));
    } catch {
      this.metrics.cacheRequests.inc({ cache: "post", result: "error" }, ids.length);
      return Promise.all(ids.map((id) => this.loadOne(id, opts.primary).then(bytes)));
    }
    return this.complete(ids, values, opts, isPostBytes, bytes);
  }

  /** The values the MGET found for `ids`, with every miss read through (batched per turn); counts hits and misses. */
  private complete<V>(
    ids: string[],
    values: Array<V | null>,
    opts: { primary?: boolean } = {},
    valid: (id: string, v: V | null) => v is V = isPostJson as unknown as (id: string, v: V | null) => v is V,
    from: (json: string | null) => V | null = (json) => json as V | null,
  ): Array<V | null> | Promise<Array<V | null>> {
    let misses: Array<Promise<unknown>> | null = null;
    for (let i = 0; i < ids.length; i++) {
      if (valid(ids[i], values[i])) {
        this.hits.inc();
        continue;
      }
      this.metrics.cacheRequests.inc({ cache: "post", result: "miss" });
      (misses ??= []).push(this.loadOne(ids[i], opts.primary).then((v) => (values[i] = from(v))));
    }
    return misses === null ? values : Promise.all(misses).then(() => values);
  }

  private async loadOne(id: string, primary = false): Promise<string | null> {
    return (await (primary ? this.fromPrimary : this.fromReplica).load(id)) ?? null;
  }

  /** One statement for a turn's misses; ids the replica lacks (lag) retried on the primary; then cached. */
  private async load(ids: string[], primary: boolean): Promise<Map<string, string>> {
    const sql = `SELECT ${POST_COLUMNS} FROM posts WHERE id IN (?)`;
    const found = new Map<string, string>();
    const add = (rows: Row[]) => {
      for (const r of rows) {
        const p = toPost(r);
        found.set(p.id, renderPost(p));
      }
    };
    add(await this.db.read<Row[]>(sql, [ids.map((id) => BigInt(id))], { primary }));
    if (!primary && found.size < ids.length) add(await this.db.write<Row[]>(sql, [ids.filter((id) => !found.has(id)).map((id) => BigInt(id))]));
    if (found.size > 0) {
      const p = this.redis.pipeline();
      for (const [id, json] of found) p.set(postKey(id), json, "EX", this.ttlSeconds);
      p.exec().catch(() => undefined); // Redis down: the next read loads it again
    }
    return found;
  }
}
