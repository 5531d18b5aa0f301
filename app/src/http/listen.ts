import type { Server } from "node:http";
import { serve } from "@hono/node-server";

// A listener with the slow-client limits (issue 20). Node's defaults let a client hold a
// connection for 60 s sending headers byte by byte (headersTimeout) and 300 s sending a body
// (requestTimeout), with no cap on connections, and checks both only every 30 s
// (connectionsCheckingInterval): Node.js http docs, http.createServer options.

/**
 * Idle keep-alive connections stay open this long: longer than the ALB's idle timeout (60 s by
 * default, ELB docs "Edit attributes for your Application Load Balancer"), so the load balancer,
 * not the app, closes them and never sends a request on a connection the app is closing.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export interface ListenerLimits {
  /** the whole request head must arrive within this (a 408 and the connection closed otherwise) */
  headersTimeoutMs: number;
  /** the whole request, body included, must arrive within this */
  requestTimeoutMs: number;
  /** connections beyond this are closed as they are accepted */
  maxConnections: number;
}

/** How often Node looks for expired requests: a tenth of the headers timeout, at most once a second. */
export const checkingIntervalMs = (l: ListenerLimits): number => Math.max(10, Math.min(1000, Math.floor(l.headersTimeoutMs / 10)));

/** Listens on host:port (0: any free port); resolves once listening. */
export function listen(fetch: Parameters<typeof serve>[0]["fetch"], port: number, host: string, limits: ListenerLimits): Promise<Server> {
  return new Promise<Server>((resolve, reject) => {
    const s = serve(
      {
        fetch,
        port,
        hostname: host,
        serverOptions: {
          headersTimeout: limits.headersTimeoutMs,
          requestTimeout: limits.requestTimeoutMs,
          connectionsCheckingInterval: checkingIntervalMs(limits),
          keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
        },
      },
      () => resolve(s),
    ) as Server;
    s.maxConnections = limits.maxConnections;
    s.once("error", reject);
  });
}
