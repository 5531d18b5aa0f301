import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context";

/** Records the route template (metrics label, access log) for the request. */
export function tag(route: string): MiddlewareHandler<AppEnv> {
  return (c, next) => {
    c.set("route", route);
    return next();
  };
}
