import type { Redis } from "../cache/redis";
import type { AppConfig } from "../config";
import type { Db, Row } from "../db/pools";
import { FANOUT_LUA, feedKey, pad, recentKey } from "../feed/list-encoding";
import type { Logger } from "../logger";
import type { Metrics } from "../metrics";

// Fan-out on write through a Redis Stream (the only Redis key without a TTL; it is capped with
// MAXLEN ~). POST /posts XADDs a job; workers in one consumer group XREADGROUP it, push the post
// id into each follower's cached feed list and XACK. A failed job stays pending and is re-claimed
// after FANOUT_RETRY_IDLE_MS; after FANOUT_MAX_ATTEMPTS deliveries it is copied to the dead-letter
// stream `{STREAM_KEY}:dead` and acknowledged.

export interface FanoutJob {
  postId: string;
  authorId: string;
}

export const deadLetterKey = (streamKey: string) => `${streamKey}:dead`;

/** Flat [k1, v1, k2, v2] (RESP2 and ioredis' legacy RESP3 mapping) or an object, to an object. */
function toRecord(v: unknown): Record<string, unknown> {
  if (Array.isArray(v)) {
    const o: Record<string, unknown> = {};
    for (let i = 0; i + 1 < v.length; i += 2) o[String(v[i])] = v[i + 1];
    return o;
  }
  return (v ?? {}) as Record<string, unknown>;
}

export class FanoutQueue {
  constructor(
    private readonly redis: Redis,
    private readonly config: Pick<AppConfig, "streamKey" | "streamGroup" | "streamMaxLen">,
  ) {}

  get key(): string {
    return this.config.streamKey;
  }

  async enqueue(job: FanoutJob): Promise<string> {
    const id = await this.redis.xadd(this.key, "MAXLEN", "~", this.config.streamMaxLen, "*", "postId", job.postId, "authorId", job.authorId);
    return String(id);
  }

  /** Creates the consumer group (from the start of the stream) if missing. */
  async ensureGroup(): Promise<void> {
    try {
      await this.redis.xgroup("CREATE", this.key, this.config.streamGroup, "0", "MKSTREAM");
    } catch (e) {
      if (!/BUSYGROUP/.test((e as Error).message)) throw e;
    }
  }

  /** Undelivered entries (lag) and delivered-but-unacked entries (pending) of the group. */
  async stats(): Promise<{ lag: number; pending: number; length: number }> {
    let groups: unknown[];
    try {
      groups = (await this.redis.xinfo("GROUPS", this.key)) as unknown[];
    } catch (e) {
      if (/no such key/i.test((e as Error).message)) return { lag: 0, pending: 0, length: 0 };
      throw e;
    }
    const g = groups.map(toRecord).find((r) => r.name === this.config.streamGroup);
    const length = Number(await this.redis.xlen(this.key));
    if (!g) return { lag: length, pending: 0, length };
    return { lag: g.lag === null || g.lag === undefined ? length : Number(g.lag), pending: Number(g.pending ?? 0), length };
  }
}

export interface WorkerOptions {
  redis: Redis;
  /** A dedicated connection for XREADGROUP BLOCK (no command timeout). */
  blockingRedis: Redis;
  db: Db;
  config: AppConfig;
  logger: Logger;
  metrics: Metrics;
  consumer: string;
  /** Test hook: replaces the fan-out of one job. */
  handler?: (job: FanoutJob, fields: Record<string, string>) => Promise<void>;
}

type StreamEntry = [string, string[]];

export class FanoutWorker {
  private stopped = true;
  private loop?: Promise<void>;
  private lastReclaim = 0;
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
  async fanout(job: FanoutJob): Promise<number> {
    if (!/^\d{1,20}$/.test(job.postId) || !/^\d{1,20}$/.test(job.authorId)) throw new Error(`malformed job ${JSON.stringify(job)}`);
    // A celebrity (more than CELEBRITY_FOLLOWERS followers) is not pushed: its followers pull its
    // recent-posts list at read time, which gets every post (if the list exists: it has a TTL).
    const threshold = this.o.config.celebrityFollowers;
    const followers = await this.o.db.read<Row[]>("SELECT follower_id FROM follows WHERE followee_id = ? LIMIT ?", [BigInt(job.authorId), threshold + 1]);
    const member = pad(job.postId);
    const cap = this.o.config.feedCacheSize;
    await this.o.redis.eval(FANOUT_LUA, 1, recentKey(job.authorId), member, cap);
    if (followers.length > threshold) return 0;
    let pushed = 0;
    for (let i = 0; i < followers.length; i += 500) {
      const p = this.o.redis.pipeline();
      for (const f of followers.slice(i, i + 500)) p.eval(FANOUT_LUA, 1, feedKey(String(f.follower_id)), member, cap);
      const res = (await p.exec()) ?? [];
      for (const [err, v] of res) {
        if (err) throw err;
        pushed += Number(v);
      }
    }
    return pushed;
  }

  private async handle(entryId: string, rawFields: string[]): Promise<void> {
    const fields = toRecord(rawFields) as Record<string, string>;
    const job: FanoutJob = { postId: fields.postId, authorId: fields.authorId };
    try {
      if (this.o.handler) await this.o.handler(job, fields);
      else await this.fanout(job);
      await this.o.redis.xack(this.key, this.group, entryId);
      this.o.metrics.fanoutJobs.inc({ outcome: "ok" });
    } catch (e) {
      // Left pending: reclaimed after FANOUT_RETRY_IDLE_MS, dead-lettered after max attempts.
      this.o.metrics.fanoutJobs.inc({ outcome: "retry" });
      this.o.logger.warn({ err: (e as Error).message, entryId, job }, "fan-out job failed");
    }
  }

  /** Reads and handles new entries; returns how many. */
  async poll(blockMs: number): Promise<number> {
    const res = (await this.o.blockingRedis.xreadgroup("GROUP", this.group, this.o.consumer, "COUNT", 100, "BLOCK", blockMs, "STREAMS", this.key, ">")) as unknown;
    const entries = extractEntries(res);
    for (const [id, fields] of entries) await this.handle(id, fields);
    return entries.length;
  }

  /** Retries entries pending longer than the retry delay; dead-letters those delivered too often. */
  async reclaim(): Promise<{ retried: number; dead: number }> {
    const idle = this.o.config.fanoutRetryIdleMs;
    const pending = (await this.o.redis.xpending(this.key, this.group, "IDLE", idle, "-", "+", 100)) as Array<[string, string, number, number]>;
    let retried = 0;
    let dead = 0;
    for (const [id, , , deliveries] of pending) {
      if (Number(deliveries) >= this.o.config.fanoutMaxAttempts) {
        const entries = (await this.o.redis.xrange(this.key, id, id)) as StreamEntry[];
        const fields = entries[0]?.[1] ?? [];
        await this.o.redis
          .multi()
          .xadd(deadLetterKey(this.key), "MAXLEN", "~", this.o.config.streamMaxLen, "*", ...fields, "originalId", id, "deliveries", String(deliveries))
          .xack(this.key, this.group, id)
          .exec();
        this.o.metrics.fanoutJobs.inc({ outcome: "dead" });
        this.o.logger.error({ entryId: id, deliveries }, "fan-out job dead-lettered");
        dead++;
        continue;
      }
      const claimed = (await this.o.redis.xclaim(this.key, this.group, this.o.consumer, idle, id)) as StreamEntry[];
      for (const [cid, fields] of claimed) {
        if (!fields) continue; // deleted by MAXLEN trimming
        await this.handle(cid, fields);
        retried++;
      }
    }
    return { retried, dead };
  }

  start(blockMs = 1000): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = (async () => {
      await this.queue.ensureGroup();
      while (!this.stopped) {
        try {
          if (Date.now() - this.lastReclaim >= Math.min(this.o.config.fanoutRetryIdleMs / 2, 5000)) {
            this.lastReclaim = Date.now();
            await this.reclaim();
          }
          await this.poll(Math.min(blockMs, Math.max(10, Math.floor(this.o.config.fanoutRetryIdleMs / 2))));
        } catch (e) {
          if (this.stopped) break;
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

function extractEntries(res: unknown): StreamEntry[] {
  if (!res) return [];
  // RESP2: [[key, entries]]; RESP3 map (legacy mapping): [key, entries]; resp3 mapping: {key: entries}.
  if (Array.isArray(res)) {
    if (res.length > 0 && Array.isArray(res[0])) return (res as Array<[string, StreamEntry[]]>).flatMap((r) => r[1] ?? []);
    const out: StreamEntry[] = [];
    for (let i = 1; i < res.length; i += 2) out.push(...((res[i] as StreamEntry[]) ?? []));
    return out;
  }
  return Object.values(res as Record<string, StreamEntry[]>).flat();
}
