import type { Context, MiddlewareHandler } from "hono";
import { parse } from "hono/utils/cookie";
import type { AppEnv, Deps } from "../context";
import { HOST_SESSION_COOKIE, PLAIN_SESSION_COOKIE } from "../users/sessions";
import { assertSameOriginWrite } from "./csrf";
import { header } from "./headers";

export interface PresentedToken {
  token: string;
  /** from the cookie (a browser sends it by itself: writes need the CSRF check), not a bearer header */
  fromCookie: boolean;
}

/**
 * The session token a request presents: an `Authorization: Bearer` header, else the `__Host-sid`
 * cookie, else the plain `sid` cookie (the local site's name, and the old name during the rollout
 * of `__Host-sid`).
 */
export function presentedToken(c: Context): PresentedToken | undefined {
  const auth = header(c, "authorization");
  if (auth && /^Bearer\s+/i.test(auth)) return { token: auth.replace(/^Bearer\s+/i, "").trim(), fromCookie: false };
  const cookie = header(c, "cookie");
  if (!cookie) return undefined;
  const jar = parse(cookie);
  const token = jar[HOST_SESSION_COOKIE] ?? jar[PLAIN_SESSION_COOKIE];
  return token ? { token, fromCookie: true } : undefined;
}

export function sessionToken(c: Context): string | undefined {
  return presentedToken(c)?.token;
}

/**
 * 401 JSON without a valid session; 403 for a cookie-authenticated write from a foreign Origin
 * (http/csrf.ts). Never 503: a session is verified from its signature and the revocation list,
 * so it holds while Redis is down (see users/sessions.ts).
 */
export function requireSession(deps: Deps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const presented = presentedToken(c);
    if (presented?.fromCookie) assertSameOriginWrite(c, deps.config.auth.allowedOrigins);
    c.set("session", await deps.sessions.resolve(presented?.token));
    await next();
  };
}
