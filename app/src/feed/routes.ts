import { performance } from "node:perf_hooks";
import type { Context, Handler } from "hono";
import { z } from "zod";
import type { AppEnv, Deps } from "../context";
import { unauthorized } from "../errors";
import { isValidId } from "../ids";
import type { RequestObserver } from "../http/instrument";
import { sessionToken } from "../http/session";
import { query } from "../http/validate";

const feedQuery = z.object({
  cursor: z.string().refine(isValidId, "must be a post id from nextCursor").optional(),
  limit: z.coerce.number({ error: "must be a number" }).int("must be an integer").min(1, "at least 1").max(100, "at most 100").default(20),
});

/** The usual query (`limit` 1-100 digits, `cursor` an id) without zod; null: let zod say what is wrong. */
function plainQuery(c: Context<AppEnv>): { cursor: string | null; limit: number } | null {
  const l = c.req.query("limit");
  const cursor = c.req.query("cursor") ?? null;
  const limit = l === undefined ? 20 : /^\d{1,3}$/.test(l) ? Number(l) : 0;
  if (limit < 1 || limit > 100 || (cursor !== null && !isValidId(cursor))) return null;
  return { cursor, limit };
}

/**
 * GET /feed as one self-instrumenting handler in front of the routes, like GET /users/:id (no
 * middleware chain). The session check and the page read start together: the page is read for the
 * user id the token's signature vouches for while the session (expiry, revocation) is checked, so
 * both share one Redis round trip, and the page is sent only if the session holds (a 401 otherwise,
 * which takes precedence over a bad query's 400).
 */
export function feedRead(deps: Deps, observer: RequestObserver): Handler<AppEnv> {
  const route = "/feed";
  function fail(c: Context<AppEnv>, requestId: string, start: number, e: unknown): Response {
    observer.echo(c, requestId);
    const res = observer.errorResponse(e, c, requestId);
    observer.done(c, requestId, start, route, res.status);
    return res;
  }
  return async (c) => {
    const start = performance.now();
    const requestId = observer.requestId(c);
    try {
      const token = sessionToken(c);
      const signed = token ? deps.sessions.parse(token) : null;
      const session = signed ? deps.sessions.resolveClaims(signed) : deps.sessions.resolve(token);
      let q = signed ? plainQuery(c) : null;
      if (!signed || !q) {
        await session; // a 401 first
        if (!signed) throw unauthorized("invalid session");
        const parsed = query(c, feedQuery); // a 400 naming what is wrong
        q = { cursor: parsed.cursor ?? null, limit: parsed.limit };
      }
      const page = deps.feed.page(signed.userId, q.cursor, q.limit);
      page.catch(() => undefined); // a session error is the answer then
      const { userId } = await session;
      if (userId !== signed.userId) throw unauthorized("invalid session");
      const body = await page;
      observer.done(c, requestId, start, route, 200);
      return new Response(body, { status: 200, headers: observer.jsonHeaders(requestId) });
    } catch (e) {
      return fail(c, requestId, start, e);
    }
  };
}
