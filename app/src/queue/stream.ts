import type { Redis } from "../cache/redis";
import type { AppConfig } from "../config";

// The fan-out stream: a Redis Stream (the only Redis key without a TTL; capped with MAXLEN ~) of
// {postId, authorId} jobs, read by one consumer group.

export interface FanoutJob {
  postId: string;
  authorId: string;
}

export type StreamEntry = [string, string[]];

export const deadLetterKey = (streamKey: string) => `${streamKey}:dead`;

/** Flat [k1, v1, k2, v2] (RESP2 and ioredis' legacy RESP3 mapping) or an object, to an object. */
export function toRecord(v: unknown): Record<string, unknown> {
  if (Array.isArray(v)) {
    const o: Record<string, unknown> = {};
    for (let i = 0; i + 1 < v.length; i += 2) o[String(v[i])] = v[i + 1];
    return o;
  }
  return (v ?? {}) as Record<string, unknown>;
}

/** The entries of an XREADGROUP reply, whatever the protocol's shape. */
export function extractEntries(res: unknown): StreamEntry[] {
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

export const isNoGroup = (e: unknown) => /NOGROUP/.test((e as Error)?.message ?? "");

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

  /** Several jobs in one round trip. */
  async enqueueMany(jobs: FanoutJob[]): Promise<void> {
    if (jobs.length === 0) return;
    const p = this.redis.pipeline();
    for (const j of jobs) p.xadd(this.key, "MAXLEN", "~", this.config.streamMaxLen, "*", "postId", j.postId, "authorId", j.authorId);
    for (const [err] of (await p.exec()) ?? []) if (err) throw err;
  }

  /**
   * Creates the consumer group (from the start of the stream, creating the stream) if missing: at
   * start, and again whenever a read answers NOGROUP (Redis restarted empty or was flushed).
   */
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
