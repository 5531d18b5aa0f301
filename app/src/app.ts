import { randomBytes } from "node:crypto";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { tag } from "./http/route-tag";
import type { AppEnv, CoreDeps, Deps } from "./context";
import { ReadYourWrites } from "./db/ryw";
import { header } from "./http/headers";
import { AppError } from "./errors";
import { FeedService } from "./feed/service";
import { feedRoutes } from "./feed/routes";
import { PostService } from "./posts/service";
import { postRoutes } from "./posts/routes";
import { FanoutQueue } from "./queue/fanout";
import { authRoutes, userRoutes } from "./users/routes";
import { INVALIDATE_CHANNEL, UserService } from "./users/service";
import { closeRedis } from "./cache/redis";
import { SessionStore } from "./users/sessions";

/** Services on top of the injected pools, Redis, config and clock. */
export function buildDeps(core: CoreDeps): Deps {
  const now = () => core.clock.now();
  const sessions = new SessionStore(core.redis, core.config.sessionSecret, core.config.sessionTtlSeconds, now, core.logger);
  const ryw = new ReadYourWrites(core.redis, core.config.readYourWritesSeconds, now);
  const queue = new FanoutQueue(core.redis, core.config);
  const users = new UserService(core.db, core.redis, ryw, core.ids, core.clock, core.config, core.metrics, core.logger);
  const posts = new PostService(core.db, ryw, queue, core.ids, core.clock, core.metrics, core.logger);
  const feed = new FeedService(core.db, core.redis, ryw, posts, core.config, core.metrics, core.logger);
  return { ...core, sessions, ryw, queue, users, posts, feed };
}

/** Request ids: a random per-process prefix and a counter (unique, cheap, sortable per process). */
const ID_PREFIX = randomBytes(6).toString("hex");
let requestSeq = 0;
function nextRequestId(): string {
  return `${ID_PREFIX}-${(++requestSeq).toString(36)}`;
}

function errorBody(code: string, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/**
 * Near-cache invalidation: every instance subscribes to the profile invalidation channel. After a
 * reconnect (missed messages) the near-cache is cleared. Returns a closer.
 */
function subscribeInvalidations(deps: Deps): () => Promise<void> {
  if (!deps.users.local.enabled) return async () => undefined;
  const sub = deps.redis.duplicate({ enableOfflineQueue: true, commandTimeout: undefined, enableAutoPipelining: false, connectionName: "feed-api-sub" });
  sub.on("error", () => undefined); // the main client logs Redis errors
  sub.on("ready", () => deps.users.local.clear());
  sub.on("message", (_channel: string, id: string) => deps.users.local.delete(id));
  sub.subscribe(INVALIDATE_CHANNEL).catch((e: Error) => deps.logger.warn({ err: e.message }, "near-cache invalidation subscribe failed"));
  return () => closeRedis(sub);
}

export function createApp(core: CoreDeps): { app: Hono<AppEnv>; deps: Deps; close(): Promise<void> } {
  const deps = buildDeps(core);
  const { metrics, logger, config } = deps;
  const closeSubscriber = subscribeInvalidations(deps);
  const app = new Hono<AppEnv>();

  // Request id, JSON access log, metrics by route template and status. Hot path: no per-request
  // child logger, no WHATWG Headers (the id header goes straight onto the Node response when
  // served by @hono/node-server), metric children cached per (method, route, status).
  const limitBody = bodyLimit({
    maxSize: config.bodyLimitBytes,
    onError: () => {
      throw new AppError(413, "payload_too_large", `request body exceeds ${config.bodyLimitBytes} bytes`);
    },
  });
  const series = new Map<string, { count: { inc(): void }; duration: { observe(v: number): void } }>();
  app.use("*", async (c, next) => {
    const incoming = header(c, "x-request-id");
    const requestId = incoming && incoming.length <= 100 && /^[\w.:-]+$/.test(incoming) ? incoming : nextRequestId();
    c.set("requestId", requestId);
    const outgoing = (c.env as { outgoing?: { setHeader(k: string, v: string): void } } | undefined)?.outgoing;
    if (outgoing) outgoing.setHeader("x-request-id", requestId);
    else c.header("x-request-id", requestId); // app.request() in tests
    const start = process.hrtime.bigint();
    const method = c.req.method;
    // Body limit only where a body is read: bodyLimit touches c.req.raw.body, which builds a full Request.
    if (method === "GET" || method === "HEAD") await next();
    else await limitBody(c, next);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    // Routes tag themselves (hono/route's routePath costs ~14 µs a request).
    const route = c.get("route") ?? "unmatched";
    const status = c.res.status;
    const key = `${method} ${route} ${status}`;
    let s = series.get(key);
    if (!s) {
      const labels = { method, route, status: String(status) };
      s = { count: metrics.httpRequests.labels(labels), duration: metrics.httpDuration.labels(labels) };
      series.set(key, s);
    }
    s.count.inc();
    s.duration.observe(seconds);
    if (route !== "/metrics" && route !== "/healthz" && route !== "/readyz" && logger.isLevelEnabled("info")) {
      logger.info({ reqId: requestId, method, path: c.req.path, route, status, ms: Math.round(seconds * 1e6) / 1e3 }, "request");
    }
  });


  app.get("/healthz", tag("/healthz"), (c) => c.json({ status: "ok" }));
  app.get("/readyz", tag("/readyz"), async (c) => {
    if (deps.state.draining) return c.json({ status: "draining" }, 503);
    const [dbOk, redisOk] = await Promise.all([
      deps.db.ping().then(() => true, () => false),
      deps.redis.ping().then(() => true, () => false),
    ]);
    const body = { status: dbOk && redisOk ? "ready" : "not_ready", primary: dbOk, redis: redisOk, replica: deps.db.replicaUsable };
    return c.json(body, dbOk && redisOk ? 200 : 503);
  });
  app.get("/metrics", tag("/metrics"), async (c) => {
    try {
      const s = await deps.queue.stats();
      metrics.streamLag.set({ stream: deps.queue.key }, s.lag);
      metrics.streamPending.set({ stream: deps.queue.key }, s.pending);
    } catch {
      /* Redis down or no stream yet: keep the last values */
    }
    return c.body(await metrics.registry.metrics(), 200, { "content-type": metrics.registry.contentType });
  });

  app.route("/auth", authRoutes(deps));
  app.route("/users", userRoutes(deps));
  app.route("/posts", postRoutes(deps));
  app.route("/feed", feedRoutes(deps));

  app.notFound((c) => c.json(errorBody("not_found", `no route for ${c.req.method} ${c.req.path}`), 404));
  app.onError((err, c) => {
    if (err instanceof AppError) {
      if (err.status >= 500) logger.warn({ reqId: c.get("requestId"), code: err.code, err: err.message }, "dependency unavailable");
      return c.json(errorBody(err.code, err.message, err.details), err.status);
    }
    if (err instanceof HTTPException) {
      const status = err.status;
      return c.json(errorBody(status === 413 ? "payload_too_large" : status >= 500 ? "internal" : "bad_request", err.message || "bad request"), status);
    }
    logger.error({ reqId: c.get("requestId"), err }, "unhandled error");
    return c.json(errorBody("internal", "internal server error"), 500);
  });

  return { app, deps, close: closeSubscriber };
}
