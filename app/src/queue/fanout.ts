import type { Redis } from "../cache/redis";
import type { AppConfig } from "../config";
import type { Db, Row } from "../db/pools";
import { FANOUT_LUA, feedKey, pad, recentKey } from "../feed/list-encoding";
import type { Logger } from "../logger";
import type { Metrics } from "../metrics";
import { markFannedOut, replayPending } from "./replay";
import { deadLetterKey, extractEntries, FanoutQueue, isNoGroup, toRecord, type FanoutJob, type StreamEntry } from "./stream";

export { deadLetterKey, FanoutQueue, type FanoutJob } from "./stream";

// Fan-out on write. POST /posts XADDs a job; workers (FANOUT_CONSUMERS per process) in one consumer
// group XREADGROUP up to 100 jobs at a time, push the post ids into each follower's cached feed
// list (one script call per list for the whole batch, pipelined across lists), XACK and clear the
// posts' outbox mark. A failed batch stays pending and is re-claimed (XAUTOCLAIM) after
// FANOUT_RETRY_IDLE_MS; after FANOUT_MAX_ATTEMPTS deliveries a job is copied to the dead-letter
// stream `{STREAM_KEY}:dead` and acknowledged. A read answering NOGROUP (Redis restarted empty)
// recreates the group, and posts whose job was lost are replayed from MySQL (replay.ts).

const BATCH = 100;
const LISTS_PER_PIPELINE = 500;
/** Replays wait while the stream is this far behind: the marked posts are then mostly still in it. */
const REPLAY_MAX_BACKLOG = 1000;

export interface WorkerOptions {
  redis: Redis;
  /** A dedicated connection for XREADGROUP BLOCK (no command timeout). */
  blockingRedis: Redis;
  db: Db;
  config: AppConfig;
  logger: Logger;
  metrics: Metrics;
  consumer: string;
  /** This consumer also replays marked posts (one per process is enough). */
  replay?: boolean;
  /** Test hook: replaces the fan-out of one job. */
  handler?: (job: FanoutJob, fields: Record<string, string>) => Promise<void>;
}

const validJob = (j: FanoutJob) => /^\d{1,20}$/.test(j.postId ?? "") && /^\d{1,20}$/.test(j.authorId ?? "");

export class FanoutWorker {
  private stopped = true;
  private loop?: Promise<void>;
  private lastReclaim = 0;
  private lastReplay = 0;
  readonly queue: FanoutQueue;

  constructor(private readonly o: WorkerOptions) {
    this.queue = new FanoutQueue(o.redis, o.config);
  }

  private get key(): string {
    return this.o.config.streamKey;
  }
  private get group(): string {
    return this.o.config.streamGroup;
  }

  /** Push one post into every follower's cached feed list (lists that exist only). */
  fanout(job: FanoutJob): Promise<number> {
    return this.fanoutBatch([job]);
  }

  /**
   * Push a batch of posts: each author's recent-posts list, and every follower's list unless the
   * author is a celebrity (more than CELEBRITY_FOLLOWERS followers: followers pull those at read
   * time). Returns how many lists were added to.
   */
  async fanoutBatch(jobs: FanoutJob[]): Promise<number> {
    for (const j of jobs) if (!validJob(j)) throw new Error(`malformed job ${JSON.stringify(j)}`);
    const threshold = this.o.config.celebrityFollowers;
    const authors = [...new Set(jobs.map((j) => j.authorId))];
    const followerRows = await Promise.all(authors.map((a) => this.o.db.read<Row[]>("SELECT follower_id FROM follows WHERE followee_id = ? LIMIT ?", [BigInt(a), threshold + 1])));
    const followersOf = new Map(authors.map((a, i) => [a, followerRows[i]]));
    const lists = new Map<string, string[]>();
    const add = (key: string, member: string) => {
      const l = lists.get(key);
      if (l) l.push(member);
      else lists.set(key, [member]);
    };
    for (const j of jobs) {
      const member = pad(j.postId);
      add(recentKey(j.authorId), member);
      const followers = followersOf.get(j.authorId) ?? [];
      if (followers.length > threshold) continue;
      for (const f of followers) add(feedKey(String(f.follower_id)), member);
    }
    const cap = this.o.config.feedCacheSize;
    const entries = [...lists];
    let pushed = 0;
    for (let i = 0; i < entries.length; i += LISTS_PER_PIPELINE) {
      const p = this.o.redis.pipeline();
      for (const [key, members] of entries.slice(i, i + LISTS_PER_PIPELINE)) p.eval(FANOUT_LUA, 1, key, cap, ...members);
      for (const [err, v] of (await p.exec()) ?? []) {
        if (err) throw err;
        pushed += Number(v);
      }
    }
    return pushed;
  }

  /** Handles read or re-claimed entries: one batch; malformed ones stay pending (dead-lettered later). */
  private async handle(entries: StreamEntry[]): Promise<void> {
    const parsed = entries.filter(([, f]) => !!f).map(([id, f]) => ({ id, fields: toRecord(f) as Record<string, string> }));
    if (this.o.handler) {
      for (const { id, fields } of parsed) {
        try {
          await this.o.handler({ postId: fields.postId, authorId: fields.authorId }, fields);
          await this.done([id], []);
        } catch (e) {
          this.failed(1, e, { entryId: id });
        }
      }
      return;
    }
    const good = parsed.filter((e) => validJob(e.fields as unknown as FanoutJob));
    if (good.length < parsed.length) this.failed(parsed.length - good.length, new Error("malformed job"), { entryIds: parsed.filter((e) => !good.includes(e)).map((e) => e.id) });
    if (good.length === 0) return;
    try {
      await this.fanoutBatch(good.map((e) => ({ postId: e.fields.postId, authorId: e.fields.authorId })));
      await this.done(good.map((e) => e.id), good.map((e) => e.fields.postId));
    } catch (e) {
      this.failed(good.length, e, { entryIds: good.map((g) => g.id) });
    }
  }

  private async done(entryIds: string[], postIds: string[]): Promise<void> {
    await this.o.redis.xack(this.key, this.group, ...entryIds);
    this.o.metrics.fanoutJobs.inc({ outcome: "ok" }, entryIds.length);
    // Not fatal: a post left marked is replayed later, which re-adds what is already there.
    await markFannedOut(this.o.db, postIds).catch((e: Error) => this.o.logger.warn({ err: e.message }, "clearing the fan-out mark failed; the posts will be replayed"));
  }

  private failed(n: number, e: unknown, ctx: Record<string, unknown>): void {
    // Left pending: re-claimed after FANOUT_RETRY_IDLE_MS, dead-lettered after max attempts.
    this.o.metrics.fanoutJobs.inc({ outcome: "retry" }, n);
    this.o.logger.warn({ err: (e as Error).message, ...ctx }, "fan-out job failed");
  }

  /** Reads and handles new entries; returns how many. */
  async poll(blockMs: number): Promise<number> {
    const res = (await this.o.blockingRedis.xreadgroup("GROUP", this.group, this.o.consumer, "COUNT", BATCH, "BLOCK", blockMs, "STREAMS", this.key, ">")) as unknown;
    const entries = extractEntries(res);
    if (entries.length > 0) await this.handle(entries);
    return entries.length;
  }

  /**
   * Re-claims entries pending longer than the retry delay (XAUTOCLAIM: one call), dead-letters
   * those delivered more than FANOUT_MAX_ATTEMPTS times, and retries the rest.
   */
  async reclaim(): Promise<{ retried: number; dead: number }> {
    const idle = this.o.config.fanoutRetryIdleMs;
    const reply = (await this.o.redis.xautoclaim(this.key, this.group, this.o.consumer, idle, "0-0", "COUNT", BATCH)) as [string, StreamEntry[], unknown?];
    const claimed = (reply?.[1] ?? []).filter((e): e is StreamEntry => Array.isArray(e) && !!e[1]);
    if (claimed.length === 0) return { retried: 0, dead: 0 };
    // XAUTOCLAIM counted this delivery; the counts come from the pending list.
    const pending = (await this.o.redis.xpending(this.key, this.group, claimed[0][0], claimed[claimed.length - 1][0], claimed.length, this.o.consumer)) as Array<[string, string, number, number]>;
    const deliveries = new Map(pending.map(([id, , , n]) => [id, Number(n)]));
    const retry: StreamEntry[] = [];
    let dead = 0;
    for (const [id, fields] of claimed) {
      const n = deliveries.get(id) ?? 0;
      if (n <= this.o.config.fanoutMaxAttempts) {
        retry.push([id, fields]);
        continue;
      }
      await this.o.redis
        .multi()
        .xadd(deadLetterKey(this.key), "MAXLEN", "~", this.o.config.streamMaxLen, "*", ...fields, "originalId", id, "deliveries", String(n - 1))
        .xack(this.key, this.group, id)
        .exec();
      const postId = (toRecord(fields) as Record<string, string>).postId;
      if (postId && /^\d{1,20}$/.test(postId)) await markFannedOut(this.o.db, [postId]).catch(() => undefined);
      this.o.metrics.fanoutJobs.inc({ outcome: "dead" });
      this.o.logger.error({ entryId: id, deliveries: n - 1 }, "fan-out job dead-lettered");
      dead++;
    }
    if (retry.length > 0) await this.handle(retry);
    return { retried: retry.length, dead };
  }

  /** Puts posts whose job was lost back on the stream, unless the stream is far behind anyway. */
  async replay(): Promise<number> {
    const s = await this.queue.stats();
    if (s.lag + s.pending > REPLAY_MAX_BACKLOG) return 0;
    const n = await replayPending(this.o.db, this.queue, Date.now(), this.o.config.fanoutReplayAfterMs);
    if (n > 0) {
      this.o.metrics.fanoutReplays.inc(n);
      this.o.logger.warn({ posts: n }, "replayed posts whose fan-out job was lost");
    }
    return n;
  }

  private due(last: number, everyMs: number): boolean {
    return Date.now() - last >= everyMs;
  }

  start(blockMs = 1000): void {
    if (!this.stopped) return;
    this.stopped = false;
    const cfg = this.o.config;
    this.loop = (async () => {
      while (!this.stopped) {
        try {
          if (this.lastReclaim === 0) await this.queue.ensureGroup();
          if (this.due(this.lastReclaim, Math.min(cfg.fanoutRetryIdleMs / 2, 5000))) {
            this.lastReclaim = Date.now();
            await this.reclaim();
          }
          if (this.o.replay && this.due(this.lastReplay, Math.min(cfg.fanoutReplayAfterMs / 2, 5000))) {
            this.lastReplay = Date.now();
            await this.replay();
          }
          await this.poll(Math.min(blockMs, Math.max(10, Math.floor(cfg.fanoutRetryIdleMs / 2))));
        } catch (e) {
          if (this.stopped) break;
          if (isNoGroup(e)) {
            // Redis lost the stream and its group (restart without data, flush): start over.
            this.o.logger.warn({ stream: this.key, group: this.group }, "consumer group missing; recreating it");
            await this.queue.ensureGroup().catch(() => undefined);
            continue;
          }
          this.o.logger.warn({ err: (e as Error).message }, "fan-out worker loop error; retrying");
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    })();
  }

  /** Stops after the current batch (the blocking read returns within blockMs). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}
