import { parseProjectConfig } from "../../infra/config/parse";
import type { SiteOrigin } from "../../infra/edge/origins";
import { buildTopology } from "../../infra/topology/build";
import type { DrMode, SiteKey, Topology } from "../../infra/topology/types";
import { drState, prodWith } from "../support/config-fixtures";

// Topologies and load-balancer origins for the edge tests: prod as shipped (Seoul + Tokyo, both
// with certificates) in any mode and active site, on Route 53 or Cloudflare.

export const CF_ZONE = "0123456789abcdef0123456789abcdef";
export const CF_ACCOUNT = "fedcba9876543210fedcba9876543210";
export const GEO_RULES = [{ country: "JP", site: "secondary" }, { continent: "AS", site: "primary" }];

export interface EdgeVariant {
  mode?: DrMode;
  activeSite?: SiteKey;
  dns?: "route53" | "cloudflare";
  geo?: boolean;
  edge?: Record<string, unknown>;
}

export function edgeTopology(v: EdgeVariant = {}): Topology {
  return buildTopology(parseProjectConfig(prodWith((c) => {
    c.dr = drState(v.mode ?? "warm-standby", v.activeSite ?? "primary");
    if (v.geo) c.edge.geo = GEO_RULES;
    if (v.dns === "cloudflare") {
      c.edge = { ...c.edge, dns: "cloudflare", zoneId: CF_ZONE, cloudflare: { accountId: CF_ACCOUNT, plan: "business", monitorIntervalSeconds: 15 } };
    } else {
      // the records' own layout; CloudFront in front (prod's default) is tested with edge.cdnFrontsApi: true
      c.edge.cdnFrontsApi = false;
    }
    Object.assign(c.edge, v.edge ?? {});
  })));
}

export const ALB: Record<SiteKey, { dnsName: string; zoneId: string; region: string }> = {
  primary: { dnsName: "primary-api-123.ap-northeast-2.elb.amazonaws.com", zoneId: "ZWKZPGTI48KDX", region: "ap-northeast-2" },
  secondary: { dnsName: "secondary-api-456.ap-northeast-1.elb.amazonaws.com", zoneId: "Z14GRHDCWA56QT", region: "ap-northeast-1" },
};

/** Both sites' ALBs, as the program hands them to the edge whether or not they may serve. */
export function albOrigins(https = true): SiteOrigin[] {
  return (["primary", "secondary"] as const).map((site) => ({ site, kind: "alb", region: ALB[site].region, dnsName: ALB[site].dnsName, zoneId: ALB[site].zoneId, https }));
}
