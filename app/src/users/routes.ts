import { Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import type { AppEnv, Deps } from "../context";
import { AppError, badRequest, notFound } from "../errors";
import { requireSession } from "../http/session";
import { tag } from "../http/route-tag";
import { idParam, jsonBody } from "../http/validate";
import { SESSION_COOKIE } from "./sessions";

const handle = z.string().regex(/^[A-Za-z0-9_]{3,30}$/, "3-30 letters, digits or _");
const displayName = z.string().trim().min(1, "must not be empty").max(100, "at most 100 characters");
const signupSchema = z.strictObject({ handle, displayName, password: z.string().min(8, "at least 8 characters").max(200, "at most 200 characters") });
const loginSchema = z.strictObject({ handle: z.string().min(1).max(30), password: z.string().min(1).max(200) });
const patchSchema = z.strictObject({ displayName: displayName.optional(), bio: z.string().max(500, "at most 500 characters").optional() });

export function authRoutes(deps: Deps) {
  const r = new Hono<AppEnv>();
  r.post("/signup", tag("/auth/signup"), async (c) => {
    const body = await jsonBody(c, signupSchema);
    const user = await deps.users.signup(body);
    return c.json({ user }, 201);
  });
  r.post("/login", tag("/auth/login"), async (c) => {
    const body = await jsonBody(c, loginSchema);
    const userId = await deps.users.authenticate(body.handle, body.password);
    const token = await deps.sessions.create(userId);
    setCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: "Lax", path: "/", secure: deps.config.cookieSecure, maxAge: deps.config.sessionTtlSeconds });
    const user = await deps.users.getProfile(userId);
    return c.json({ user, token, expiresIn: deps.config.sessionTtlSeconds });
  });
  r.post("/logout", tag("/auth/logout"), requireSession(deps), async (c) => {
    await deps.sessions.destroy(c.get("session").sid);
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.body(null, 204);
  });
  return r;
}

export function userRoutes(deps: Deps) {
  const r = new Hono<AppEnv>();
  const session = requireSession(deps);
  // `/users/me` shares the `/:id` routes (a static and a param segment side by side would push
  // Hono off its RegExpRouter onto the slower TrieRouter).
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
