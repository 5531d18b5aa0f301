import type { z } from "zod";
import { int } from "./config-fields";

// The HTTP listeners' settings (issue 20): the loopback metrics listener's port and the slow-client
// limits of both listeners (http/listen.ts).

/** The metrics listener's port on 127.0.0.1; the CloudWatch agent scrapes it (infra/aws/user-data-observability.ts). */
export const DEFAULT_METRICS_PORT = 9464;
// Well under the ALB's 60 s idle timeout: a client that has not sent its request head in 10 s (or
// its whole request in 30 s) is a slow client, not a slow network.
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_CONNECTIONS = 4096;

// The cross-field rules below name the variable that was set, so the defaults are applied here
// (a defaulted variable would read "(unset)" in the message).
export const httpEnvFields = {
  // 0: any free port (tests, and local sites that run several APIs on one host)
  METRICS_PORT: int(0, 65535).optional(),
  HEADERS_TIMEOUT_MS: int(100, 120_000).optional(),
  REQUEST_TIMEOUT_MS: int(100, 600_000).optional(),
  MAX_CONNECTIONS: int(1, 1_000_000).default(DEFAULT_MAX_CONNECTIONS),
};

type HttpEnv = { METRICS_PORT?: number; HEADERS_TIMEOUT_MS?: number; REQUEST_TIMEOUT_MS?: number; MAX_CONNECTIONS: number; PORT: number };

export function httpConfig(e: HttpEnv) {
  return {
    metricsPort: e.METRICS_PORT ?? DEFAULT_METRICS_PORT,
    headersTimeoutMs: e.HEADERS_TIMEOUT_MS ?? DEFAULT_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS ?? DEFAULT_REQUEST_TIMEOUT_MS,
    maxConnections: e.MAX_CONNECTIONS,
  };
}

/** Cross-field rules; false after adding an issue that names the key, its value and what is allowed. */
export function httpEnvValid(e: HttpEnv, ctx: z.RefinementCtx): boolean {
  const c = httpConfig(e);
  if (c.headersTimeoutMs > c.requestTimeoutMs) {
    // Node refuses it too (ERR_OUT_OF_RANGE): the head is part of the request
    if (e.HEADERS_TIMEOUT_MS !== undefined) ctx.addIssue({ code: "custom", path: ["HEADERS_TIMEOUT_MS"], message: `must be at most REQUEST_TIMEOUT_MS (${c.requestTimeoutMs})` });
    else ctx.addIssue({ code: "custom", path: ["REQUEST_TIMEOUT_MS"], message: `must be at least HEADERS_TIMEOUT_MS (${c.headersTimeoutMs})` });
    return false;
  }
  if (c.metricsPort === e.PORT) {
    if (e.METRICS_PORT !== undefined) ctx.addIssue({ code: "custom", path: ["METRICS_PORT"], message: `must differ from PORT (${e.PORT}): metrics have a listener of their own` });
    else ctx.addIssue({ code: "custom", path: ["PORT"], message: `must differ from METRICS_PORT (${c.metricsPort}): metrics have a listener of their own` });
    return false;
  }
  return true;
}
