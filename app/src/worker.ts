import { hostname } from "node:os";
import { closeRedis, createRedis } from "./cache/redis";
import { loadConfigOrExit } from "./config";
import { createLogger } from "./logger";
import { FanoutWorker } from "./queue/fanout";
import { createCore } from "./runtime";

// The fan-out consumer: `npm run app:worker`, same env as the API. Several workers (any site's
// nodes) share the consumer group; each entry goes to one of them.

async function main(): Promise<void> {
  const config = loadConfigOrExit("feed-worker");
  const logger = createLogger(config.logLevel, { role: "worker", siteId: config.siteId, nodeId: config.nodeId });
  const core = await createCore(config, logger, { redisName: "feed-worker" });
  // Several consumers, each with its own blocking connection: a batch waiting on MySQL or Redis
  // does not hold up the next one. One of them also replays lost jobs.
  const base = `${hostname()}-${config.siteId}-${config.nodeId}-${process.pid}`;
  const blocking = Array.from({ length: config.fanoutConsumers }, (_, i) =>
    createRedis(config.redisUrl, { commandTimeoutMs: config.redisCommandTimeoutMs, logger, blocking: true, name: `feed-worker-block-${i}` }),
  );
  const workers = blocking.map(
    (b, i) => new FanoutWorker({ redis: core.redis, blockingRedis: b, db: core.db, config, logger, metrics: core.metrics, consumer: `${base}-${i}`, replay: i === 0 }),
  );
  for (const w of workers) w.start();
  const worker = workers[0];
  logger.info({ consumers: workers.length, consumer: base, stream: config.streamKey, group: config.streamGroup }, "fan-out worker started");
  const statsTimer = setInterval(() => {
    worker.queue.stats().then(
      (s) => logger.info({ ...s }, "stream stats"),
      () => undefined,
    );
  }, 30_000).unref();
  const stop = async (sig: string) => {
    logger.info({ sig }, "worker stopping after the current batch");
    clearInterval(statsTimer);
    await Promise.all(workers.map((w) => w.stop()));
    await Promise.all([core.close(), ...blocking.map((b) => closeRedis(b))]);
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`feed-worker: failed to start: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
}
