import type { Db } from "../db/pools";
import type { ReadYourWrites } from "../db/ryw";
import type { Clock, IdGenerator } from "../ids";
import type { Logger } from "../logger";
import type { Metrics } from "../metrics";
import type { FanoutQueue } from "../queue/fanout";
import type { PostCache } from "./cache";
import type { Post } from "./model";

export { POST_COLUMNS, toPost, type Post } from "./model";

export class PostService {
  constructor(
    private readonly db: Db,
    private readonly ryw: ReadYourWrites,
    private readonly queue: FanoutQueue,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    readonly cache: PostCache,
  ) {}

  /**
   * One INSERT (the source of truth, marked for fan-out), then a fan-out job on the stream. If the
   * enqueue fails, the worker replays the post from its mark, so followers' lists still get it.
   */
  async create(authorId: string, text: string, mediaKey: string | null): Promise<Post> {
    const id = this.ids.nextBigInt();
    const createdAt = new Date(this.clock.now());
    // fanout_pending = 1: the outbox mark, in the same statement as the post (replay.ts).
    await this.db.write("INSERT INTO posts (id, author_id, text, media_key, created_at, fanout_pending) VALUES (?, ?, ?, ?, ?, 1)", [id, BigInt(authorId), text, mediaKey, createdAt]);
    const post: Post = { id: id.toString(), authorId, text, mediaKey, createdAt: createdAt.toISOString() };
    this.metrics.postsCreated.inc();
    await this.cache.written(post);
    await this.ryw.markWrite(authorId);
    try {
      await this.queue.enqueue({ postId: post.id, authorId });
    } catch (e) {
      this.metrics.enqueueFailures.inc();
      this.logger.warn({ err: (e as Error).message, postId: post.id }, "fan-out enqueue failed; the worker will replay the post");
    }
    return post;
  }

  /** The post's JSON (post cache, then MySQL); null: no such post. */
  async getJson(id: string): Promise<string | null> {
    return (await this.cache.getMany([id]))[0];
  }
}
