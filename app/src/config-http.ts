import type { z } from "zod";
import { int } from "./config-fields";

// The HTTP listeners' settings (issue 20): the loopback metrics listener's port and the slow-client
// limits of both listeners (http/listen.ts).

/** The metrics listener's port on 127.0.0.1; the CloudWatch agent scrapes it (infra/aws/user-data-observability.ts). */
export const DEFAULT_METRICS_PORT = 9464;

export const httpEnvFields = {
  // 0: any free port (tests, and local sites that run several APIs on one host)
  METRICS_PORT: int(0, 65535).default(DEFAULT_METRICS_PORT),
  // Well under the ALB's 60 s idle timeout: a client that has not sent its request head in 10 s
  // (or its whole request in 30 s) is a slow client, not a slow network.
  HEADERS_TIMEOUT_MS: int(100, 120_000).default(10_000),
  REQUEST_TIMEOUT_MS: int(100, 600_000).default(30_000),
  MAX_CONNECTIONS: int(1, 1_000_000).default(4096),
};

type HttpEnv = { [K in keyof typeof httpEnvFields]: z.output<(typeof httpEnvFields)[K]> } & { PORT: number };

/** Cross-field rules; false after adding an issue that names the key, its value and what is allowed. */
export function httpEnvValid(e: HttpEnv, ctx: z.RefinementCtx): boolean {
  if (e.HEADERS_TIMEOUT_MS > e.REQUEST_TIMEOUT_MS) {
    // Node refuses it too (ERR_OUT_OF_RANGE): the head is part of the request
    ctx.addIssue({ code: "custom", path: ["HEADERS_TIMEOUT_MS"], message: `must be at most REQUEST_TIMEOUT_MS (${e.REQUEST_TIMEOUT_MS})` });
    return false;
  }
  if (e.METRICS_PORT === e.PORT) {
    ctx.addIssue({ code: "custom", path: ["METRICS_PORT"], message: `must differ from PORT (${e.PORT}): metrics have their own loopback listener` });
    return false;
  }
  return true;
}

export function httpConfig(e: HttpEnv) {
  return { metricsPort: e.METRICS_PORT, headersTimeoutMs: e.HEADERS_TIMEOUT_MS, requestTimeoutMs: e.REQUEST_TIMEOUT_MS, maxConnections: e.MAX_CONNECTIONS };
}
