import Redis from "ioredis";
import type { Logger } from "../logger";

export type { Redis };

/**
 * An ioredis client that fails fast when Redis is down (no offline queue, one retry, short command
 * timeout) so callers fall back to MySQL or answer 503 instead of hanging; it keeps reconnecting in
 * the background. `blocking` clients (the stream worker's XREADGROUP BLOCK) get no command timeout and queue
 * commands while reconnecting.
 */
export function createRedis(url: string, opts: { commandTimeoutMs: number; logger?: Logger; blocking?: boolean; name?: string }): Redis {
  const client = new Redis(url, {
    enableOfflineQueue: !!opts.blocking,
    maxRetriesPerRequest: 1,
    commandTimeout: opts.blocking ? undefined : opts.commandTimeoutMs,
    connectTimeout: 2000,
    enableAutoPipelining: !opts.blocking,
    retryStrategy: (times) => Math.min(100 * times, 2000),
    connectionName: opts.name,
    lazyConnect: false,
  });
  let lastLog = 0;
  client.on("error", (e) => {
    // Reconnect errors repeat every retry: log at most every 5 s.
    if (Date.now() - lastLog > 5000) {
      lastLog = Date.now();
      opts.logger?.warn({ err: e.message, redis: opts.name }, "redis error");
    }
  });
  return client;
}

/** Resolves when the client is ready (or rejects after timeoutMs). */
export async function waitReady(client: Redis, timeoutMs = 10_000): Promise<void> {
  if (client.status === "ready") return;
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => (cleanup(), reject(new Error(`redis not ready within ${timeoutMs} ms`))), timeoutMs);
    const onReady = () => (cleanup(), resolve());
    const cleanup = () => {
      clearTimeout(t);
      client.off("ready", onReady);
    };
    client.on("ready", onReady);
  });
}

export async function closeRedis(client: Redis): Promise<void> {
  try {
    if (client.status === "ready") await client.quit();
    else client.disconnect();
  } catch {
    client.disconnect();
  }
}
