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
import { isSensitivePath, type SecurityHeaders } from "./security-headers";

/** Request ids: a random per-process prefix and a counter (unique, cheap, sortable per process). */
const ID_PREFIX = randomBytes(6).toString("hex");
let requestSeq = 0;
function nextRequestId(): string {
  return `${ID_PREFIX}-${(++requestSeq).toString(36)}`;
}

/** A client's `x-request-id` is logged (as clientRequestId), never used: at most this long, [\w.:-] only. */
export const CLIENT_REQUEST_ID_MAX = 64;
const VALID_ID = /^[\w.:-]+$/;
const INVALID_ID_CHARS = /[^\w.:-]/g;

/** The client's request id as it may be logged: cut to CLIENT_REQUEST_ID_MAX, other characters as "_". */
export function clientRequestId(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const cut = raw.length > CLIENT_REQUEST_ID_MAX ? raw.slice(0, CLIENT_REQUEST_ID_MAX) : raw;
  return VALID_ID.test(cut) ? cut : cut.replace(INVALID_ID_CHARS, "_");
}

/** Probes: metrics, but no access log line. */
const QUIET = new Set([LIVENESS_PATH, READINESS_PATH]);

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
 * A 5xx body: the code, a generic message and the request id. The cause (a database host, an
 * errno, a Redis state) goes to the log line with the same request id, never to the client.
 */
export function serverErrorBody(status: number, code: string, requestId: string | undefined) {
  const message = status === 503 ? "service temporarily unavailable, retry later" : "internal server error";
  return { error: { code, message, requestId: requestId ?? null } };
}

/**
 * What every request gets, whether it went through the global middleware or a hot route's single
 * handler: a request id (always the server's own, echoed in the response header; a client's
 * `x-request-id` is only logged, as clientRequestId), the security headers,
 * `http_requests_total` / `http_request_duration_seconds` by method, route template and status,
 * and one JSON access-log line. Hot path: no per-request child logger, no
 * WHATWG Headers, metric children and the log line's fixed part cached per (method, route, status).
 */
export class RequestObserver {
  private readonly series = new Map<string, Series>();
  private readonly log: AccessLog;
  /** A hot route's own JSON Response headers (content type, security headers, request id). */
  readonly jsonHeaders: (requestId: string) => Record<string, string>;

  constructor(
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly headers: SecurityHeaders,
  ) {
    this.log = accessLog(logger);
    this.jsonHeaders = headers.json;
  }

  /** The request id: always minted here (the client's `x-request-id` is logged apart, by done()). */
  requestId(c: Context<AppEnv>): string {
    return nextRequestId();
  }

  /**
   * Put the id and the security headers on the response: straight onto the Node response when
   * served by @hono/node-server, else through Hono (app.request() in tests). A hot route that
   * builds its own Response puts them in that Response's headers instead (jsonHeaders).
   */
  echo(c: Context<AppEnv>, requestId: string): void {
    const list = isSensitivePath(c.req.path) ? this.headers.sensitive : this.headers.always;
    const outgoing = (c.env as { outgoing?: Outgoing } | undefined)?.outgoing;
    if (outgoing) {
      outgoing.setHeader("x-request-id", requestId);
      for (const [k, v] of list) outgoing.setHeader(k, v);
    } else {
      c.header("x-request-id", requestId);
      for (const [k, v] of list) c.header(k, v);
    }
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
    if (s.log) this.log(requestId, method, c.req.path, s.log, Math.round(ms * 1e3) / 1e3, clientRequestId(header(c, "x-request-id")));
  }

  /** The JSON error response for anything a handler threw (the app's onError). */
  errorResponse(err: unknown, c: Context<AppEnv>, requestId: string | undefined = c.get("requestId")): Response {
    if (err instanceof AppError) {
      if (err.status < 500) return c.json(errorBody(err.code, err.message, err.details), err.status);
      this.logger.warn({ reqId: requestId, code: err.code, err: err.message }, "dependency unavailable");
      return c.json(serverErrorBody(err.status, err.code, requestId), err.status);
    }
    if (err instanceof HTTPException) {
      const status = err.status;
      if (status < 500) return c.json(errorBody(status === 413 ? "payload_too_large" : "bad_request", err.message || "bad request"), status);
      this.logger.error({ reqId: requestId, status, err: err.message }, "server error");
      return c.json(serverErrorBody(status, "internal", requestId), status);
    }
    this.logger.error({ reqId: requestId, err }, "unhandled error");
    return c.json(serverErrorBody(500, "internal", requestId), 500);
  }
}
