import type { Context, MiddlewareHandler } from "hono";
import { parse } from "hono/utils/cookie";
import type { AppEnv, Deps } from "../context";
import { SESSION_COOKIE } from "../users/sessions";
import { header } from "./headers";

export function sessionToken(c: Context): string | undefined {
  const auth = header(c, "authorization");
  if (auth && /^Bearer\s+/i.test(auth)) return auth.replace(/^Bearer\s+/i, "").trim();
  const cookie = header(c, "cookie");
  return cookie ? parse(cookie, SESSION_COOKIE)[SESSION_COOKIE] : undefined;
}

/**
 * 401 JSON without a valid session. Never 503: a session is verified from its signature and the
 * revocation list, so it holds while Redis is down (see users/sessions.ts).
 */
export function requireSession(deps: Deps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set("session", await deps.sessions.resolve(sessionToken(c)));
    await next();
  };
}
