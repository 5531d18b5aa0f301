import { performance } from "node:perf_hooks";
import { Hono, type Context, type Handler } from "hono";
import { z } from "zod";
import type { AppEnv, Deps } from "../context";
import { AppError, badRequest, notFound } from "../errors";
import { requireSession } from "../http/session";
import { tag } from "../http/route-tag";
import type { RequestObserver } from "../http/instrument";
import { idParam, jsonBody, parse } from "../http/validate";
import { isValidId } from "../ids";
import { displayName, handle } from "./profile-fields";

const patchSchema = z.strictObject({ displayName: displayName.optional(), bio: z.string().max(500, "at most 500 characters").optional() });
const handleParams = z.strictObject({ handle });

export { authRoutes } from "./auth-routes";

export function userRoutes(deps: Deps) {
  const r = new Hono<AppEnv>();
  const session = requireSession(deps);
  // `/users/me` shares the `/:id` routes (a static and a param segment side by side would push
  // Hono off its RegExpRouter onto the slower TrieRouter). GET /users/{id} is served by
  // profileRead() in front of these routes; GET /users/me falls through to here.
  r.get("/:id", tag("/users/:id"), async (c, next) => {
    if (c.req.param("id") !== "me") return next();
    c.set("route", "/users/me");
    return session(c, next);
  }, async (c) => {
    const me = c.req.param("id") === "me";
    const user = await deps.users.getProfile(me ? c.get("session").userId : idParam(c));
    if (!user) throw notFound("user");
    return c.json({ user });
  });
  r.patch("/:id", tag("/users/me"), async (c, next) => {
    if (c.req.param("id") !== "me") throw new AppError(404, "not_found", `no route for PATCH ${c.req.path}`);
    return session(c, next);
  }, async (c) => {
    const body = await jsonBody(c, patchSchema);
    if (body.displayName === undefined && body.bio === undefined) throw badRequest("validation_error", "body: give displayName and/or bio");
    const user = await deps.users.updateProfile(c.get("session").userId, body);
    return c.json({ user });
  });
  r.put("/:id/follow", tag("/users/:id/follow"), session, async (c) => {
    await deps.users.follow(c.get("session").userId, idParam(c));
    return c.body(null, 204);
  });
  r.delete("/:id/follow", tag("/users/:id/follow"), session, async (c) => {
    await deps.users.unfollow(c.get("session").userId, idParam(c));
    return c.body(null, 204);
  });
  return r;
}

const ID_ROUTE = "/users/:id";
const HANDLE_ROUTE = "/users/@:handle";

/**
 * GET /users/:id, the hottest read, as one handler (no middleware chain) that instruments itself
 * like the global middleware does: request id, metrics, access log, JSON errors. A near-cache hit
 * is answered synchronously with the cached `{"user":…}` body: no serialization, no promise, no
 * closure. `/users/me` needs a session and goes to `fallthrough` (the regular routes).
 * GET /users/@{handle} is the same read by handle. It shares this route because any static
 * segment beside `/users/:id` (such as `/users/by-handle/:handle`) pushes Hono off its
 * RegExpRouter onto the slower TrieRouter, for every route.
 */
export function profileRead(deps: Deps, observer: RequestObserver, fallthrough: (c: Context<AppEnv>) => Response | Promise<Response>): Handler<AppEnv> {
  function ok(c: Context<AppEnv>, route: string, requestId: string, start: number, body: string): Response {
    observer.done(c, requestId, start, route, 200);
    return new Response(body, { status: 200, headers: observer.jsonHeaders(requestId) });
  }
  function fail(c: Context<AppEnv>, route: string, requestId: string, start: number, e: unknown): Response {
    observer.echo(c, requestId);
    const res = observer.errorResponse(e, c, requestId);
    observer.done(c, requestId, start, route, res.status);
    return res;
  }
  function read(id: string, byHandle: boolean): string | null | Promise<string | null> {
    if (byHandle) return deps.users.profileBodyByHandle(parse(handleParams, { handle: id.slice(1) }, "path").handle);
    if (!isValidId(id)) throw badRequest("invalid_id", "id must be a decimal 64-bit id (by handle: GET /users/@handle)");
    return deps.users.profileBody(id);
  }
  return (c) => {
    const id = c.req.param("id") ?? "";
    if (id === "me") return fallthrough(c);
    const start = performance.now();
    const requestId = observer.requestId(c);
    const route = id.charCodeAt(0) === 64 /* "@" */ ? HANDLE_ROUTE : ID_ROUTE;
    try {
      const body = read(id, route === HANDLE_ROUTE);
      if (typeof body === "string") return ok(c, route, requestId, start, body);
      if (body === null) return fail(c, route, requestId, start, notFound("user"));
      return body.then(
        (b) => (b === null ? fail(c, route, requestId, start, notFound("user")) : ok(c, route, requestId, start, b)),
        (e) => fail(c, route, requestId, start, e),
      );
    } catch (e) {
      return fail(c, route, requestId, start, e);
    }
  };
}
