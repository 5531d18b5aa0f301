import type { Context } from "hono";

/**
 * A request header without materializing a WHATWG Headers object: on @hono/node-server the raw
 * Node IncomingMessage headers are in c.env.incoming (building Headers/Request per request costs
 * more than the whole cached profile read). Falls back to c.req.header() (app.request() in tests).
 */
export function header(c: Context, name: string): string | undefined {
  const incoming = (c.env as { incoming?: { headers: Record<string, string | string[] | undefined> } } | undefined)?.incoming;
  if (incoming) {
    const v = incoming.headers[name];
    return Array.isArray(v) ? v.join(", ") : v;
  }
  return c.req.header(name);
}
