// The two health questions every realization asks (contract with the app, app/README.md):
// - liveness: the process works. Load balancers and autoscaling replace or skip instances on it;
//   it never touches a database, so a dependency outage never cycles healthy instances.
// - site readiness: this site can serve its role with its own dependencies. The edge (Route 53,
//   Cloudflare, the local global HAProxy) routes users on it, through the site's load balancer.
export const LIVENESS_PATH = "/healthz";
export const SITE_READINESS_PATH = "/readyz";
