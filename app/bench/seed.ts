import type * as mysql from "mysql2/promise";
import type { IdGenerator } from "../src/ids";

// Bench users, bulk-inserted in batches of 5,000 on a root connection already on the feed
// database: ids from `gen`, handles bench_{i}, one shared password hash. Shared by run.ts and
// bisect-profile.ts so both read the same profiles.

export interface SeededUsers {
  ids: string[];
  handles: string[];
}

export async function seedUsers(root: mysql.Connection, gen: IdGenerator, count: number, passwordHash: string, now = new Date()): Promise<SeededUsers> {
  const ids: string[] = [];
  const handles: string[] = [];
  for (let start = 0; start < count; start += 5000) {
    const rows: unknown[][] = [];
    for (let i = start; i < Math.min(count, start + 5000); i++) {
      const id = gen.nextBigInt();
      ids.push(id.toString());
      handles.push(`bench_${i}`);
      rows.push([id, `bench_${i}`, `Bench User ${i}`, `bio of user ${i}`, passwordHash, now, now]);
    }
    await root.query("INSERT INTO users (id, handle, display_name, bio, password_hash, created_at, updated_at) VALUES ?", [rows]);
  }
  return { ids, handles };
}

/** The bench's feed graph: AUTHORS × POSTS_PER_AUTHOR posts; READERS (users 1000…) follow FOLLOWS_PER_READER authors each, the last CELEBRITIES followed by every reader. */
export const FEED_GRAPH = { AUTHORS: 200, POSTS_PER_AUTHOR: 10, READERS: 200, FIRST_READER: 1000, FOLLOWS_PER_READER: 50, CELEBRITIES: 2 } as const;

/** Inserts the feed graph's posts and follows over seeded users `ids` (the first AUTHORS are the authors). */
export async function seedFeedGraph(root: mysql.Connection, gen: IdGenerator, ids: string[], now = new Date()): Promise<void> {
  const g = FEED_GRAPH;
  const posts: unknown[][] = [];
  for (let p = 0; p < g.POSTS_PER_AUTHOR; p++) for (let a = 0; a < g.AUTHORS; a++) posts.push([gen.nextBigInt(), BigInt(ids[a]), `post ${p} by author ${a}: ${"lorem ipsum ".repeat(8)}`, null, now]);
  await root.query("INSERT INTO posts (id, author_id, text, media_key, created_at) VALUES ?", [posts]);
  const follows: unknown[][] = [];
  const regular = g.AUTHORS - g.CELEBRITIES;
  for (let r = 0; r < g.READERS; r++) {
    const reader = BigInt(ids[g.FIRST_READER + r]);
    for (let f = 0; f < g.FOLLOWS_PER_READER - g.CELEBRITIES; f++) follows.push([reader, BigInt(ids[(r * 7 + f) % regular]), now]);
    for (let c = regular; c < g.AUTHORS; c++) follows.push([reader, BigInt(ids[c]), now]);
  }
  await root.query("INSERT IGNORE INTO follows (follower_id, followee_id, created_at) VALUES ?", [follows]);
}
