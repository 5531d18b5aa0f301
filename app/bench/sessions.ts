import { performance } from "node:perf_hooks";
import { startRedis, startReplicatedMariaDb, type RedisService, type ReplicatedMariaDb } from "../../local/services";
import { createApp } from "../src/app";
import { loadConfig } from "../src/config";
import { migrate } from "../src/db/migrate";
import { createLogger } from "../src/logger";
import { createCore } from "../src/runtime";

// `npx tsx app/bench/sessions.ts`: the cost of verifying a session (SessionStore.resolve), the
// work every authenticated request does first, in-process against a real Redis and MariaDB. Prints
// resolves/s and the process CPU per resolve (user + sys), with Redis up and with Redis stopped.
// Not a test: figures only. BENCH_SESSION_ROUNDS (default 3000) rounds of 32 concurrent resolves.

const ROUNDS = Number(process.env.BENCH_SESSION_ROUNDS ?? 3000);
const CONCURRENCY = 32;

async function measure(label: string, tokens: string[], resolve: (t: string) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 200; i++) await Promise.all(tokens.slice(0, CONCURRENCY).map(resolve)); // warm-up
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let r = 0; r < ROUNDS; r++) {
    const batch = Array.from({ length: CONCURRENCY }, (_, i) => tokens[(r * CONCURRENCY + i) % tokens.length]);
    await Promise.all(batch.map(resolve));
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const n = ROUNDS * CONCURRENCY;
  process.stdout.write(`${label.padEnd(34)} ${Math.round(n / (ms / 1000)).toString().padStart(8)} resolves/s  ${((cpu.user + cpu.system) / n).toFixed(1).padStart(6)} µs CPU each\n`);
}

async function main(): Promise<void> {
  let db: ReplicatedMariaDb | undefined;
  let redis: RedisService | undefined;
  try {
    [db, redis] = await Promise.all([startReplicatedMariaDb(), startRedis()]);
    await migrate(db.primaryUrl);
    const config = loadConfig({ DB_PRIMARY_URL: db.primaryUrl, DB_REPLICA_URL: db.replicaUrl, REDIS_URL: redis.url, SESSION_SECRET: "bench-secret-0123456789", LOG_LEVEL: "silent" });
    const core = await createCore(config, createLogger("silent"));
    const { deps, close } = createApp(core);
    try {
      // `await`: create() was asynchronous when sessions lived in Redis (kept so both versions run)
      const tokens = await Promise.all(Array.from({ length: 1000 }, (_, i) => deps.sessions.create(String(1_000_000 + i))));
      const resolve = (t: string) => deps.sessions.resolve(t);
      await measure("session resolve, Redis up", tokens, resolve);
      await redis.halt();
      for (let i = 0; i < 100 && deps.redis.status === "ready"; i++) await new Promise((r) => setTimeout(r, 20));
      const settled = (t: string) => resolve(t).catch(() => undefined);
      await measure("session resolve, Redis stopped", tokens, settled);
      const ok = await Promise.all(tokens.slice(0, 10).map((t) => resolve(t).then(() => true, () => false)));
      process.stdout.write(`with Redis stopped, sessions verified: ${ok.filter(Boolean).length}/10\n`);
    } finally {
      await close();
      await core.close();
    }
  } finally {
    await Promise.all([db?.stop(), redis?.stop()]);
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
