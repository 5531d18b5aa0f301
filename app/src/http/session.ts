import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { AppEnv, Deps } from "../context";
import { SESSION_COOKIE } from "../users/sessions";

export function sessionToken(c: Context): string | undefined {
  const auth = c.req.header("authorization");
  if (auth && /^Bearer\s+/i.test(auth)) return auth.replace(/^Bearer\s+/i, "").trim();
  return getCookie(c, SESSION_COOKIE);
}

/** 401 without a valid session; 503 when the session store is down (unless degradable). */
export function requireSession(deps: Deps, opts: { degradable?: boolean } = {}): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set("session", await deps.sessions.resolve(sessionToken(c), opts));
    await next();
  };
}
