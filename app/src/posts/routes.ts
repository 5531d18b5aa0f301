import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv, Deps } from "../context";
import { notFound } from "../errors";
import { requireSession } from "../http/session";
import { tag } from "../http/route-tag";
import { idParam, jsonBody } from "../http/validate";

const createSchema = z.strictObject({
  text: z.string().refine((s) => s.trim().length > 0, "must not be empty").refine((s) => [...s].length <= 1000, "at most 1000 characters"),
  mediaKey: z.string().regex(/^[\w./-]{1,255}$/, "1-255 characters of [A-Za-z0-9_./-]").nullish(),
});

export function postRoutes(deps: Deps) {
  const r = new Hono<AppEnv>();
  r.post("/", tag("/posts"), requireSession(deps), async (c) => {
    const body = await jsonBody(c, createSchema);
    const post = await deps.posts.create(c.get("session").userId, body.text, body.mediaKey ?? null);
    return c.json({ post }, 201);
  });
  r.get("/:id", tag("/posts/:id"), async (c) => {
    const post = await deps.posts.getJson(idParam(c));
    if (post === null) throw notFound("post");
    return c.body(`{"post":${post}}`, 200, { "content-type": "application/json" });
  });
  return r;
}
