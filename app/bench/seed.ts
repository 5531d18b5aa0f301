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
