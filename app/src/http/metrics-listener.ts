import { Hono } from "hono";
import type { Deps } from "../context";
import { READINESS_PATH, readinessHttpStatus, siteReadiness } from "./health";

// What only the instance itself may read, served on a second listener bound to 127.0.0.1
// (METRICS_PORT): the Prometheus text the CloudWatch agent scrapes, and /readyz with each
// dependency's check. The public listener has no /metrics route at all, so no spelling of the path
// (`/%6Detrics`, `/./metrics`, `/x/../metrics`: Hono decodes and the URL parser resolves them)
// reaches the metrics; the load balancer's rule hiding /metrics stays as a second layer.

/** The loopback address the metrics listener binds to (not configurable: it must not be public). */
export const METRICS_HOST = "127.0.0.1";
export const METRICS_PATH = "/metrics";

export function metricsRoutes(deps: Deps): Hono {
  const { metrics, queue } = deps;
  const app = new Hono();
  app.get(METRICS_PATH, async (c) => {
    try {
      const s = await queue.stats();
      metrics.streamLag.set({ stream: queue.key }, s.lag);
      metrics.streamPending.set({ stream: queue.key }, s.pending);
      metrics.fanoutLag.set({ stream: queue.key }, s.lag + s.pending);
    } catch {
      /* Redis down or no stream yet: keep the last values */
    }
    return c.body(await metrics.registry.metrics(), 200, { "content-type": metrics.registry.contentType });
  });
  app.get(READINESS_PATH, async (c) => {
    const ready = await siteReadiness(deps);
    return c.json(ready, readinessHttpStatus(ready));
  });
  app.notFound((c) => c.json({ error: { code: "not_found", message: `no route for ${c.req.method} ${c.req.path}` } }, 404));
  return app;
}
