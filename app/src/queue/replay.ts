import type { Db, Row } from "../db/pools";
import { ID_EPOCH_MS } from "../ids";
import type { FanoutJob, FanoutQueue } from "./stream";

// The fan-out outbox is the post row's `fanout_pending` mark (migration 003): set by the post's
// INSERT, cleared by the worker once the post is in its followers' lists. A post still marked
// after `replayAfterMs` lost its job (the enqueue failed, or Redis restarted empty and took the
// stream with it): it is put on the stream again. A replay that duplicates a job still in flight
// is harmless (adding an id to a list twice is a no-op).

/** The smallest post id minted at `ms` (ids start with the ms since ID_EPOCH_MS, 22 bits up). */
export const firstIdAt = (ms: number) => BigInt(Math.max(0, ms - ID_EPOCH_MS)) << 22n;

const PENDING_SQL = "SELECT id, author_id FROM posts WHERE fanout_pending = 1 AND id < ? ORDER BY id LIMIT ?";

/** Marks posts as fanned out (their jobs are done, or dead-lettered: not replayed again). */
export async function markFannedOut(db: Db, postIds: string[]): Promise<void> {
  if (postIds.length === 0) return;
  await db.write("UPDATE posts SET fanout_pending = 0 WHERE id IN (?) AND fanout_pending = 1", [postIds.map((i) => BigInt(i))]);
}

/** Re-enqueues marked posts older than `replayAfterMs` (oldest first, at most `limit`); returns how many. */
export async function replayPending(db: Db, queue: FanoutQueue, now: number, replayAfterMs: number, limit = 500): Promise<number> {
  const rows = await db.write<Row[]>(PENDING_SQL, [firstIdAt(now - replayAfterMs), limit]);
  const jobs: FanoutJob[] = rows.map((r) => ({ postId: String(r.id), authorId: String(r.author_id) }));
  await queue.enqueueMany(jobs);
  return jobs.length;
}
