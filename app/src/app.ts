import type { IncomingMessage } from "node:http";
import { performance } from "node:perf_hooks";
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { tag } from "./http/route-tag";
import type { AppEnv, CoreDeps, Deps } from "./context";
import { ReadYourWrites } from "./db/ryw";
import { LIVENESS_PATH, READINESS_PATH, liveness, publicReadiness, readinessHttpStatus, siteReadiness } from "./http/health";
import { errorBody, RequestObserver } from "./http/instrument";
import { metricsRoutes } from "./http/metrics-listener";
import { securityHeaders } from "./http/security-headers";
import { discardBody, lingerOnClose } from "./http/oversized-body";
import { AuthorViews } from "./feed/authors";
import { RecentPosts } from "./feed/pull";
import { FeedService } from "./feed/service";
import { PostCache } from "./posts/cache";
import { feedRead } from "./feed/routes";
import { PostService } from "./posts/service";
import { postRoutes } from "./posts/routes";
import { FanoutQueue } from "./queue/fanout";
import { authRoutes, profileRead, userRoutes } from "./users/routes";
import { INVALIDATE_CHANNEL, UserService } from "./users/service";
import { closeRedis } from "./cache/redis";
import { SessionStore } from "./users/sessions";

/** Services on top of the injected pools, Redis, config and clock. */
export function buildDeps(core: CoreDeps): Deps {
  const now = () => core.clock.now();
  const sessions = new SessionStore(core.db, core.redis, { secret: core.config.sessionSecret, ttlSeconds: core.config.sessionTtlSeconds, revocationPollMs: core.config.sessionRevocationPollMs, now, logger: core.logger });
  const ryw = new ReadYourWrites(core.redis, core.config.readYourWritesSeconds, now);
  const queue = new FanoutQueue(core.redis, core.config);
  const users = new UserService(core.db, core.redis, ryw, core.ids, core.clock, core.config, core.metrics, core.logger);
  const postCache = new PostCache(core.db, core.redis, core.config.postCacheTtlSeconds, core.metrics, core.logger, core.config.postLocalCacheEntries);
  const posts = new PostService(core.db, ryw, queue, core.ids, core.clock, core.metrics, core.logger, postCache);
  const recent = new RecentPosts(core.db, core.redis, core.config.feedCacheSize, core.config.feedCacheTtlSeconds, core.logger);
  const feed = new FeedService(core.db, core.redis, ryw, postCache, new AuthorViews(users), recent, core.config, core.metrics, core.logger);
  return { ...core, sessions, ryw, queue, users, posts, feed };
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

/** `app` for the public listener, `metrics` for the loopback one (http/metrics-listener.ts). */
export function createApp(core: CoreDeps): { app: Hono<AppEnv>; metrics: Hono; deps: Deps; close(): Promise<void> } {
  const deps = buildDeps(core);
  const { metrics, config } = deps;
  const closeSubscriber = subscribeInvalidations(deps);
  deps.sessions.start();
  // COOKIE_SECURE: clients reach the app over HTTPS, so HSTS goes out too (http/security-headers.ts)
  const observer = new RequestObserver(metrics, deps.logger, securityHeaders(config.cookieSecure));

  // Every route but the hot reads: one global middleware (request id, body limit for bodies only,
  // metrics, access log), routes tag their template (hono/route's routePath costs ~14 µs a request).
  const routes = new Hono<AppEnv>();
  const limitBody = bodyLimit({
    maxSize: config.bodyLimitBytes,
    onError: async (c) => {
      // Read the rest of the body first (bounded), so the client gets the 413, not a reset (oversized-body.ts).
      const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
      if (!(await discardBody(c.req.raw))) {
        if (incoming) lingerOnClose(incoming);
        c.header("connection", "close");
      }
      return c.json(errorBody("payload_too_large", `request body exceeds ${config.bodyLimitBytes} bytes`), 413);
    },
  });
  routes.use("*", async (c, next) => {
    const start = performance.now();
    const requestId = observer.requestId(c);
    c.set("requestId", requestId);
    observer.echo(c, requestId);
    const method = c.req.method;
    // Body limit only where a body is read: bodyLimit touches c.req.raw.body, which builds a full Request.
    if (method === "GET" || method === "HEAD") await next();
    else {
      const refused = await limitBody(c, next); // the 413 response, when the body is too large
      if (refused instanceof Response) c.res = refused;
    }
    observer.done(c, requestId, start, c.get("route") ?? "unmatched", c.res.status);
  });

  routes.get(LIVENESS_PATH, tag(LIVENESS_PATH), (c) => {
    const live = liveness(deps);
    return c.json(live.body, live.httpStatus);
  });
  routes.get(READINESS_PATH, tag(READINESS_PATH), async (c) => {
    const ready = await siteReadiness(deps);
    return c.json(publicReadiness(ready), readinessHttpStatus(ready));
  });
  // no /metrics here: metrics are served on the loopback listener only

  routes.route("/auth", authRoutes(deps));
  routes.route("/users", userRoutes(deps));
  routes.route("/posts", postRoutes(deps));

  routes.notFound((c) => c.json(errorBody("not_found", `no route for ${c.req.method} ${c.req.path}`), 404));
  routes.onError((err, c) => observer.errorResponse(err, c));

  // The app: hot reads first, each one handler that instruments itself (Hono runs a lone handler
  // without its middleware composer, and a Response returned synchronously is written by
  // @hono/node-server at once); everything else falls through to `routes`.
  const app = new Hono<AppEnv>();
  const fallthrough = (c: Context<AppEnv>) => routes.fetch(c.req.raw, c.env);
  app.get("/users/:id", profileRead(deps, observer, fallthrough));
  app.get("/feed", feedRead(deps, observer));
  app.notFound(fallthrough);
  app.onError((err, c) => observer.errorResponse(err, c));

  const close = async () => {
    deps.sessions.stop();
    await closeSubscriber();
  };
  return { app, metrics: metricsRoutes(deps), deps, close };
}
