import type { Deps } from "../context";

// Two questions, two endpoints (the load balancers, the ASG and the edge all use these meanings):
//   GET /healthz  liveness: this process works. Never touches MySQL or Redis, so a dependency
//                 outage never makes a load balancer or the ASG replace healthy instances.
//   GET /readyz   site readiness: this site can serve its role with its own dependencies. What the
//                 edge (DNS failover, global load balancer) routes on.

/** The two paths (infra/topology/health.ts keeps the program's copy; a test keeps them equal). */
export const LIVENESS_PATH = "/healthz";
export const READINESS_PATH = "/readyz";

/**
 * Route 53's HTTP(S) health checkers need a status within two seconds of connecting (Route 53
 * Developer Guide, "How Route 53 determines whether a health check is healthy"): a dependency that
 * has not answered by then counts as down, so a hung database gives a 503, not a timed-out check.
 */
export const READINESS_CHECK_TIMEOUT_MS = 1500;

export interface Readiness {
  status: "ready" | "degraded" | "not_ready" | "draining";
  checks: {
    /** The site's own read pool (its local replica, or the primary when no replica is configured). */
    database: boolean;
    /** The writer, checked only when it is in this site (DB_PRIMARY_REMOTE unset); null otherwise. */
    writer: boolean | null;
    /** Redis down degrades the site (reads fall back to MySQL) but keeps it ready. */
    redis: boolean;
  };
}

/** True when `probe` answers within the readiness bound. */
async function answers(probe: () => Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), READINESS_CHECK_TIMEOUT_MS)));
  try {
    return await Promise.race([probe().then(() => true, () => false), late]);
  } finally {
    clearTimeout(timer);
  }
}

export async function siteReadiness(deps: Deps): Promise<Readiness> {
  const writerRemote = deps.config.dbPrimaryRemote;
  const [database, writer, redis] = await Promise.all([
    answers(() => deps.db.ping("replica")),
    writerRemote ? Promise.resolve(null) : answers(() => deps.db.ping("primary")),
    answers(() => deps.redis.ping()),
  ]);
  const checks = { database, writer, redis };
  const status: Readiness["status"] = deps.state.draining ? "draining" : !database || writer === false ? "not_ready" : redis ? "ready" : "degraded";
  logChange(deps, status, checks);
  return { status, checks };
}

/** The last status each instance reported (keyed by its state object), to log changes only. */
const lastStatus = new WeakMap<object, Readiness["status"]>();

/** Which dependency failed goes to the log (once per change), not to the public answer. */
function logChange(deps: Pick<Deps, "state" | "logger">, status: Readiness["status"], checks: Readiness["checks"]): void {
  const last = lastStatus.get(deps.state);
  if (last === status) return;
  lastStatus.set(deps.state, status);
  if (last === undefined && status === "ready") return;
  const level = status === "ready" || status === "draining" ? "info" : "warn";
  deps.logger[level]({ status, was: last ?? null, checks }, "readiness changed");
}

/**
 * What /readyz answers on the public listener: the status alone (the load balancers, Route 53 and
 * the local HAProxies route on the HTTP status; the game day reads the status). Which dependency
 * is down is for operators: the loopback listener's /readyz (http/metrics-listener.ts) and the log.
 */
export const publicReadiness = (r: Readiness): { status: Readiness["status"] } => ({ status: r.status });

export const readinessHttpStatus = (r: Readiness): 200 | 503 => (r.status === "ready" || r.status === "degraded" ? 200 : 503);

export function liveness(deps: Pick<Deps, "state">): { body: { status: "ok" | "draining" }; httpStatus: 200 | 503 } {
  return deps.state.draining ? { body: { status: "draining" }, httpStatus: 503 } : { body: { status: "ok" }, httpStatus: 200 };
}
