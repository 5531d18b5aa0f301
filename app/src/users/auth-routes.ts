import { Hono, type Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import type { AppEnv, Deps } from "../context";
import { AppError } from "../errors";
import { clientIp } from "../http/client-ip";
import { HashGate } from "../http/hash-gate";
import { tag } from "../http/route-tag";
import { requireSession } from "../http/session";
import { AuthThrottle } from "../http/throttle";
import { jsonBody } from "../http/validate";
import { displayName, handle } from "./profile-fields";
import { PLAIN_SESSION_COOKIE, sessionCookieName } from "./sessions";

// /auth: signup, login, logout, logout-all. Signup and login are throttled per client address
// and (login) per account (http/throttle.ts), and their password hashes pass a concurrency cap
// (http/hash-gate.ts): over a limit the answer is 429 with Retry-After, before any hashing.

const signupSchema = z.strictObject({ handle, displayName, password: z.string().min(8, "at least 8 characters").max(200, "at most 200 characters") });
/** mode "bearer": the token comes back in the JSON (for clients without cookies), and no cookie is set. */
const loginSchema = z.strictObject({ handle: z.string().min(1).max(30), password: z.string().min(1).max(200), mode: z.enum(["cookie", "bearer"]).default("cookie") });

/** 429 with Retry-After. */
function tooMany(c: Context, seconds: number, message: string): never {
  c.header("retry-after", String(seconds));
  throw new AppError(429, "too_many_requests", message);
}

/** 429 when a throttle says wait (seconds > 0). */
function retryLater(c: Context, seconds: number, message: string): void {
  if (seconds > 0) tooMany(c, seconds, message);
}

export function authRoutes(deps: Deps) {
  const r = new Hono<AppEnv>();
  const auth = deps.config.auth;
  const throttle = new AuthThrottle(deps.redis, auth);
  const gate = new HashGate(auth.hashConcurrency, auth.hashConcurrencyPerClient);
  const cookie = sessionCookieName(deps.config.cookieSecure);

  /** Runs a password hash inside the gate: 429 (Retry-After: 1) when no slot is free. */
  async function hashing<T>(c: Context, ip: string, work: () => Promise<T>): Promise<T> {
    const release = gate.tryEnter(ip) ?? tooMany(c, 1, "too many password checks in progress: retry in a second");
    try {
      return await work();
    } finally {
      release();
    }
  }

  function clearCookies(c: Context): void {
    deleteCookie(c, cookie, { path: "/", secure: deps.config.cookieSecure });
    if (cookie !== PLAIN_SESSION_COOKIE) deleteCookie(c, PLAIN_SESSION_COOKIE, { path: "/" });
  }

  r.post("/signup", tag("/auth/signup"), async (c) => {
    const body = await jsonBody(c, signupSchema);
    const ip = clientIp(c, auth);
    retryLater(c, await throttle.signupWait(ip), "too many signups from this address: try again later");
    const user = await hashing(c, ip, () => deps.users.signup(body));
    return c.json({ user }, 201);
  });

  r.post("/login", tag("/auth/login"), async (c) => {
    const body = await jsonBody(c, loginSchema);
    const ip = clientIp(c, auth);
    retryLater(c, await throttle.loginWait(ip, body.handle), "too many login attempts: try again later");
    let userId: string;
    try {
      userId = await hashing(c, ip, () => deps.users.authenticate(body.handle, body.password));
    } catch (e) {
      if (e instanceof AppError && e.status === 401) await throttle.loginFailed(body.handle);
      throw e;
    }
    await throttle.loginSucceeded(body.handle);
    const token = deps.sessions.create(userId);
    const user = await deps.users.getProfile(userId);
    const expiresIn = deps.config.sessionTtlSeconds;
    if (body.mode === "bearer") return c.json({ user, token, expiresIn });
    setCookie(c, cookie, token, { httpOnly: true, sameSite: "Lax", path: "/", secure: deps.config.cookieSecure, maxAge: expiresIn });
    // the old name's cookie (before __Host-sid) would otherwise linger beside the new one
    if (cookie !== PLAIN_SESSION_COOKIE) deleteCookie(c, PLAIN_SESSION_COOKIE, { path: "/" });
    return c.json({ user, expiresIn });
  });

  r.post("/logout", tag("/auth/logout"), requireSession(deps), async (c) => {
    await deps.sessions.destroy(c.get("session"));
    clearCookies(c);
    return c.body(null, 204);
  });

  r.post("/logout-all", tag("/auth/logout-all"), requireSession(deps), async (c) => {
    await deps.sessions.destroyAll(c.get("session").userId);
    clearCookies(c);
    return c.body(null, 204);
  });
  return r;
}
