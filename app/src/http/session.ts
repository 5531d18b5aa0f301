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

/** 401 without a valid session; 503 when the session store is down (unless degradable). */
export function requireSession(deps: Deps, opts: { degradable?: boolean } = {}): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set("session", await deps.sessions.resolve(sessionToken(c), opts));
    await next();
  };
}
