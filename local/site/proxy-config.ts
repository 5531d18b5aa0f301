import { LIVENESS_PATH, SITE_READINESS_PATH } from "../../infra/topology/health";
import type { SiteKey } from "../../infra/topology/types";

// HAProxy configurations of the local site. Per site: the load balancer (HTTP, routes on LIVENESS
// /healthz to the site's API slots) and the site's database endpoints (TCP: the writer endpoint
// that a failover re-points, as RDS's DNS name does, and the read endpoint). Globally: the edge,
// routing on SITE READINESS /readyz through each site's load balancer.

/** Local health-check timing: the figures the derived objectives are computed with. */
export const LB_CHECK = { intervalMs: 500, fall: 2, rise: 1 };
export const EDGE_CHECK = { intervalMs: 1000, fall: 2, rise: 2 };

export interface SiteProxySpec {
  site: SiteKey;
  socket: string;
  lbPort: number;
  apiPorts: number[];
  dbWriterPort: number;
  dbReaderPort: number;
  /** where the endpoints point now (0: nowhere yet) */
  writerTarget: number;
  readerTarget: number;
}

export function siteProxyConfig(s: SiteProxySpec): string {
  return `# local site "${s.site}": load balancer + database endpoints (generated)
global
  stats socket ${s.socket} mode 600 level admin
  maxconn 4000

defaults
  timeout connect 1s
  timeout check 1s

frontend lb
  mode http
  bind 127.0.0.1:${s.lbPort}
  timeout client 30s
  default_backend api

backend api
  mode http
  balance roundrobin
  timeout server 15s
  option httpchk GET ${LIVENESS_PATH}
  http-check expect status 200
  # a connection refused by a dead instance is retried on another one
  retry-on conn-failure empty-response
  retries 2
  option redispatch
  http-response set-header x-site ${s.site}
  # the app's throttles take the client address from the last X-Forwarded-For entry (TRUSTED_HOPS=1)
  option forwardfor
  default-server inter ${LB_CHECK.intervalMs}ms fall ${LB_CHECK.fall} rise ${LB_CHECK.rise}
${s.apiPorts.map((p, i) => `  server api${i + 1} 127.0.0.1:${p} check`).join("\n")}

frontend db_writer
  mode tcp
  bind 127.0.0.1:${s.dbWriterPort}
  timeout client 1h
  default_backend db_writer

backend db_writer
  mode tcp
  timeout server 1h
  server db 127.0.0.1:${s.writerTarget || 1}${s.writerTarget ? "" : " disabled"}

frontend db_reader
  mode tcp
  bind 127.0.0.1:${s.dbReaderPort}
  timeout client 1h
  default_backend db_reader

backend db_reader
  mode tcp
  timeout server 1h
  server db 127.0.0.1:${s.readerTarget || 1}${s.readerTarget ? "" : " disabled"}
`;
}

export interface EdgeSpec {
  socket: string;
  port: number;
  /** only the sites the edge may route to: a fenced site is never listed */
  sites: Array<{ key: SiteKey; lbPort: number; backup: boolean }>;
}

export function edgeConfig(e: EdgeSpec): string {
  return `# local global edge (generated): routes on site readiness through each site's load balancer
global
  stats socket ${e.socket} mode 600 level admin
  maxconn 4000

defaults
  mode http
  timeout connect 1s
  timeout client 30s
  timeout server 15s
  timeout check 1s

frontend edge
  bind 127.0.0.1:${e.port}
  default_backend sites

backend sites
  # a client sticks to one site (like geolocation routing): x-client names the client
  balance hdr(x-client)
  hash-type consistent
  option httpchk GET ${SITE_READINESS_PATH}
  http-check expect status 200
  retry-on conn-failure
  retries 1
  option redispatch
  default-server inter ${EDGE_CHECK.intervalMs}ms fall ${EDGE_CHECK.fall} rise ${EDGE_CHECK.rise}
${e.sites.map((s) => `  server ${s.key} 127.0.0.1:${s.lbPort} check${s.backup ? " backup" : ""}`).join("\n")}
${e.sites.length === 0 ? "  http-request return status 503 content-type application/json string '{\"error\":{\"code\":\"no_site\",\"message\":\"no site routed\"}}'\n" : ""}`;
}
