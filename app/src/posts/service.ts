import type { Db, Row } from "../db/pools";
import type { ReadYourWrites } from "../db/ryw";
import type { Clock, IdGenerator } from "../ids";
import type { Logger } from "../logger";
import type { Metrics } from "../metrics";
import type { FanoutQueue } from "../queue/fanout";

export interface Post {
  id: string;
  authorId: string;
  text: string;
  mediaKey: string | null;
  createdAt: string;
}

export const POST_COLUMNS = "id, author_id, text, media_key, created_at";

export function toPost(r: Row): Post {
  return {
    id: String(r.id),
    authorId: String(r.author_id),
    text: String(r.text),
    mediaKey: r.media_key === null ? null : String(r.media_key),
    createdAt: (r.created_at as Date).toISOString(),
  };
}

export class PostService {
  constructor(
    private readonly db: Db,
    private readonly ryw: ReadYourWrites,
    private readonly queue: FanoutQueue,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {}

  /**
   * One INSERT (the source of truth), then a fan-out job on the stream. If the enqueue fails the
   * post still exists: followers' feeds pick it up when their cached list is rebuilt.
   */
  async create(authorId: string, text: string, mediaKey: string | null): Promise<Post> {
    const id = this.ids.nextBigInt();
    const createdAt = new Date(this.clock.now());
    await this.db.write("INSERT INTO posts (id, author_id, text, media_key, created_at) VALUES (?, ?, ?, ?, ?)", [id, BigInt(authorId), text, mediaKey, createdAt]);
    const post: Post = { id: id.toString(), authorId, text, mediaKey, createdAt: createdAt.toISOString() };
    this.metrics.postsCreated.inc();
    await this.ryw.markWrite(authorId);
    try {
      await this.queue.enqueue({ postId: post.id, authorId });
    } catch (e) {
      this.metrics.enqueueFailures.inc();
      this.logger.warn({ err: (e as Error).message, postId: post.id }, "fan-out enqueue failed; feeds will rebuild from the database");
    }
    return post;
  }

  async get(id: string): Promise<Post | null> {
    let rows = await this.db.read<Row[]>(`SELECT ${POST_COLUMNS} FROM posts WHERE id = ?`, [BigInt(id)]);
    // Not on the replica yet (lag)? The primary is the source of truth.
    if (rows.length === 0) rows = await this.db.write<Row[]>(`SELECT ${POST_COLUMNS} FROM posts WHERE id = ?`, [BigInt(id)]);
    return rows[0] ? toPost(rows[0]) : null;
  }

  /** Posts by id, in the order given; ids missing on the replica are fetched from the primary. */
  async getMany(ids: string[], opts: { primary?: boolean } = {}): Promise<Post[]> {
    if (ids.length === 0) return [];
    const big = ids.map((i) => BigInt(i));
    const rows = await this.db.read<Row[]>(`SELECT ${POST_COLUMNS} FROM posts WHERE id IN (?)`, [big], opts);
    const byId = new Map(rows.map((r) => [String(r.id), toPost(r)]));
    const missing = ids.filter((i) => !byId.has(i));
    if (missing.length > 0 && !opts.primary) {
      const more = await this.db.write<Row[]>(`SELECT ${POST_COLUMNS} FROM posts WHERE id IN (?)`, [missing.map((i) => BigInt(i))]);
      for (const r of more) byId.set(String(r.id), toPost(r));
    }
    return ids.map((i) => byId.get(i)).filter((p): p is Post => !!p);
  }
}
