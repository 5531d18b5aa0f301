import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { createApp } from "./app";
import { loadConfigOrExit, type AppConfig } from "./config";
import { migrate } from "./db/migrate";
import { trackConnections } from "./http/idle-sweeper";
import { listen } from "./http/listen";
import { METRICS_HOST } from "./http/metrics-listener";
import { createLogger, type Logger } from "./logger";
import { createCore } from "./runtime";

export interface RunningServer {
  server: Server;
  port: number;
  /** The loopback listener (/metrics, detailed /readyz) and its port. */
  metricsServer: Server;
  metricsPort: number;
  /** Graceful shutdown: not ready → stop accepting → drain in-flight (bounded) → close pools and Redis. */
  shutdown(reason: string): Promise<void>;
}

export async function startServer(config: AppConfig, logger: Logger): Promise<RunningServer> {
  if (config.migrateOnStart) {
    const applied = await migrate(config.dbPrimaryUrl, { logger, tls: config.dbTls });
    logger.info({ applied }, "migrations done");
  }
  const core = await createCore(config, logger);
  const { app, metrics, deps, close: closeApp } = createApp(core);
  const started: Server[] = [];
  try {
    started.push(await listen(metrics.fetch, config.http.metricsPort, METRICS_HOST, config.http));
    started.push(await listen(app.fetch, config.port, config.host, config.http));
  } catch (e) {
    // a port in use: undo what started, so the caller (a test, or main's exit) leaves nothing open
    await Promise.all(started.map((s) => new Promise((resolve) => s.close(resolve))));
    await closeApp();
    await core.close();
    throw e;
  }
  const [metricsServer, server] = started;
  const idle = trackConnections(server);
  const port = (server.address() as AddressInfo).port;
  const metricsPort = (metricsServer.address() as AddressInfo).port;
  logger.info({ port, host: config.host, metricsPort, siteId: config.siteId, nodeId: config.nodeId }, "listening");

  let done: Promise<void> | undefined;
  const shutdown = (reason: string) =>
    (done ??= (async () => {
      logger.info({ reason, drainSeconds: config.drainSeconds }, "shutting down: not ready, draining");
      deps.state.draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections become idle as their last response ends: close them as that happens
      // (not in the gap before a pipelined request that already arrived).
      idle.start();
      const drained = await Promise.race([closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), config.drainSeconds * 1000))]);
      idle.stop();
      if (!drained) {
        logger.warn("drain deadline reached, closing remaining connections");
        server.closeAllConnections();
      }
      // metrics are scraped until the public listener has drained; then the loopback one goes too
      const metricsClosed = new Promise<void>((resolve) => metricsServer.close(() => resolve()));
      metricsServer.closeAllConnections();
      await metricsClosed;
      await closeApp();
      await core.close();
      logger.info({ drained }, "shutdown complete");
    })());
  return { server, port, metricsServer, metricsPort, shutdown };
}

async function main(): Promise<void> {
  const config = loadConfigOrExit("feed-api");
  const logger = createLogger(config.logLevel, { siteId: config.siteId, nodeId: config.nodeId });
  const running = await startServer(config, logger);
  const onSignal = (sig: NodeJS.Signals) => {
    running.shutdown(sig).then(
      () => process.exit(0),
      (e) => {
        logger.error({ err: e }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`feed-api: failed to start: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
}
