import { randomUUID } from "node:crypto";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { routePath } from "hono/route";
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

  // Request id, JSON access log, metrics by route template and status.
  app.use("*", async (c, next) => {
    const incoming = header(c, "x-request-id");
    const requestId = incoming && /^[\w.:-]{1,100}$/.test(incoming) ? incoming : randomUUID();
    c.set("requestId", requestId);
    c.set("log", logger.child({ reqId: requestId }));
    // Set before the response exists: setting a header afterwards rebuilds the response object.
    c.header("x-request-id", requestId);
    const start = process.hrtime.bigint();
    await next();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    let route = routePath(c, -1);
    if (!route || route === "*" || route === "/*") route = c.res.status === 404 ? "unmatched" : c.req.path;
    const labels = { method: c.req.method, route, status: String(c.res.status) };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, seconds);
    if (route !== "/metrics" && route !== "/healthz" && route !== "/readyz") {
      c.get("log").info({ method: c.req.method, path: c.req.path, route, status: c.res.status, ms: Math.round(seconds * 1e6) / 1e3 }, "request");
    }
  });

  const limitBody = bodyLimit({
    maxSize: config.bodyLimitBytes,
    onError: () => {
      throw new AppError(413, "payload_too_large", `request body exceeds ${config.bodyLimitBytes} bytes`);
    },
  });
  // Only where a body is read: bodyLimit touches c.req.raw.body, which builds a full Request.
  app.use("*", (c, next) => (c.req.method === "GET" || c.req.method === "HEAD" ? next() : limitBody(c, next)));

  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    if (deps.state.draining) return c.json({ status: "draining" }, 503);
    const [dbOk, redisOk] = await Promise.all([
      deps.db.ping().then(() => true, () => false),
      deps.redis.ping().then(() => true, () => false),
    ]);
    const body = { status: dbOk && redisOk ? "ready" : "not_ready", primary: dbOk, redis: redisOk, replica: deps.db.replicaUsable };
    return c.json(body, dbOk && redisOk ? 200 : 503);
  });
  app.get("/metrics", async (c) => {
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
      if (err.status >= 500) c.get("log")?.warn({ code: err.code, err: err.message }, "dependency unavailable");
      return c.json(errorBody(err.code, err.message, err.details), err.status);
    }
    if (err instanceof HTTPException) {
      const status = err.status;
      return c.json(errorBody(status === 413 ? "payload_too_large" : status >= 500 ? "internal" : "bad_request", err.message || "bad request"), status);
    }
    (c.get("log") ?? logger).error({ err }, "unhandled error");
    return c.json(errorBody("internal", "internal server error"), 500);
  });

  return { app, deps, close: closeSubscriber };
}
