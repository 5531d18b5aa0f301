import { LIVENESS_PATH, READINESS_PATH } from "./health";
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../context";
import { AppError } from "../errors";
import { accessLog, accessLogFields, type AccessLog, type AccessLogFields, type Logger } from "../logger";
import type { Metrics } from "../metrics";
import { bufferedCounter, bufferedHistogram } from "./buffered-metrics";
import { header } from "./headers";

/** Request ids: a random per-process prefix and a counter (unique, cheap, sortable per process). */
const ID_PREFIX = randomBytes(6).toString("hex");
let requestSeq = 0;
function nextRequestId(): string {
  return `${ID_PREFIX}-${(++requestSeq).toString(36)}`;
}

const VALID_ID = /^[\w.:-]+$/;
/** Probes and scrapes: metrics, but no access log line. */
const QUIET = new Set(["/metrics", LIVENESS_PATH, READINESS_PATH]);

interface Series {
  count: { inc(): void };
  duration: { observe(v: number): void };
  log: AccessLogFields | null;
}

type Outgoing = { setHeader(k: string, v: string): void };

export function errorBody(code: string, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/**
 * What every request gets, whether it went through the global middleware or a hot route's single
 * handler: a request id (the incoming `x-request-id` if well-formed, else generated; echoed in the
 * response header), `http_requests_total` / `http_request_duration_seconds` by method, route
 * template and status, and one JSON access-log line. Hot path: no per-request child logger, no
 * WHATWG Headers, metric children and the log line's fixed part cached per (method, route, status).
 */
export class RequestObserver {
  private readonly series = new Map<string, Series>();
  private readonly log: AccessLog;

  constructor(
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {
    this.log = accessLog(logger);
  }

  /** The request id: the incoming `x-request-id` if well-formed, else a new one. */
  requestId(c: Context<AppEnv>): string {
    const incoming = header(c, "x-request-id");
    return incoming && incoming.length <= 100 && VALID_ID.test(incoming) ? incoming : nextRequestId();
  }

  /**
   * Echo the id on the response: straight onto the Node response when served by
   * @hono/node-server, else through Hono (app.request() in tests). A hot route that builds its own
   * Response puts it in that Response's headers instead.
   */
  echo(c: Context<AppEnv>, requestId: string): void {
    const outgoing = (c.env as { outgoing?: Outgoing } | undefined)?.outgoing;
    if (outgoing) outgoing.setHeader("x-request-id", requestId);
    else c.header("x-request-id", requestId);
  }

  /** End of a request (start: performance.now() at its start): metrics and the access log. */
  done(c: Context<AppEnv>, requestId: string, start: number, route: string, status: number): void {
    const ms = performance.now() - start;
    const method = c.req.method;
    const key = `${method} ${route} ${status}`;
    let s = this.series.get(key);
    if (!s) {
      const labels = { method, route, status: String(status) };
      s = { count: bufferedCounter(this.metrics.httpRequests, labels), duration: bufferedHistogram(this.metrics.httpDuration, labels), log: QUIET.has(route) ? null : accessLogFields(route, status) };
      this.series.set(key, s);
    }
    s.count.inc();
    s.duration.observe(ms / 1e3);
    if (s.log) this.log(requestId, method, c.req.path, s.log, Math.round(ms * 1e3) / 1e3);
  }

  /** The JSON error response for anything a handler threw (the app's onError). */
  errorResponse(err: unknown, c: Context<AppEnv>, requestId: string | undefined = c.get("requestId")): Response {
    if (err instanceof AppError) {
      if (err.status >= 500) this.logger.warn({ reqId: requestId, code: err.code, err: err.message }, "dependency unavailable");
      return c.json(errorBody(err.code, err.message, err.details), err.status);
    }
    if (err instanceof HTTPException) {
      const status = err.status;
      return c.json(errorBody(status === 413 ? "payload_too_large" : status >= 500 ? "internal" : "bad_request", err.message || "bad request"), status);
    }
    this.logger.error({ reqId: requestId, err }, "unhandled error");
    return c.json(errorBody("internal", "internal server error"), 500);
  }
}
