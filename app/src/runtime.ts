import { createRedis, closeRedis, waitReady } from "./cache/redis";
import type { AppConfig } from "./config";
import type { CoreDeps } from "./context";
import { Db } from "./db/pools";
import { IdGenerator, systemClock, type Clock } from "./ids";
import type { Logger } from "./logger";
import { Metrics } from "./metrics";

/** Pools, Redis and the rest of what the app and the worker need, from a validated config. */
export async function createCore(config: AppConfig, logger: Logger, opts: { clock?: Clock; redisName?: string } = {}): Promise<CoreDeps & { close(): Promise<void> }> {
  const metrics = new Metrics();
  const pool = (url: string) => ({
    url,
    size: config.dbPoolSize,
    acquireTimeoutMs: config.dbAcquireTimeoutMs,
    queryTimeoutMs: config.dbQueryTimeoutMs,
    connectTimeoutMs: config.dbConnectTimeoutMs,
    tls: config.dbTls,
  });
  const db = new Db(
    { primary: pool(config.dbPrimaryUrl), replica: pool(config.dbReplicaUrl), replicaMaxLagSeconds: config.replicaMaxLagSeconds, replicaLagCheckMs: config.replicaLagCheckMs },
    metrics,
    logger,
  );
  const redis = createRedis(config.redisUrl, { commandTimeoutMs: config.redisCommandTimeoutMs, logger, name: opts.redisName ?? "feed-api" });
  try {
    await waitReady(redis);
  } catch (e) {
    // Start degraded: the client keeps reconnecting; /readyz reports Redis down meanwhile.
    logger.warn({ err: (e as Error).message }, "redis not ready at start");
  }
  db.startLagMonitor();
  const clock = opts.clock ?? systemClock;
  return {
    config,
    db,
    redis,
    clock,
    ids: new IdGenerator(config.siteId, config.nodeId, clock),
    metrics,
    logger,
    state: { draining: false },
    close: async () => {
      await Promise.all([db.close(), closeRedis(redis)]);
    },
  };
}
