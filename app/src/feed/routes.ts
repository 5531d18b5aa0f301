import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv, Deps } from "../context";
import { isValidId } from "../ids";
import { requireSession } from "../http/session";
import { tag } from "../http/route-tag";
import { query } from "../http/validate";

const feedQuery = z.object({
  cursor: z.string().refine(isValidId, "must be a post id from nextCursor").optional(),
  limit: z.coerce.number({ error: "must be a number" }).int("must be an integer").min(1, "at least 1").max(100, "at most 100").default(20),
});

export function feedRoutes(deps: Deps) {
  const r = new Hono<AppEnv>();
  // Degradable: with Redis down a validly signed, unexpired session still reads its feed from MySQL.
  r.get("/", tag("/feed"), requireSession(deps, { degradable: true }), async (c) => {
    const q = query(c, feedQuery);
    const body = await deps.feed.page(c.get("session").userId, q.cursor ?? null, q.limit);
    return c.body(body, 200, { "content-type": "application/json" });
  });
  return r;
}
