import type { ConfigProblem } from "./errors";
import { NAMESPACE } from "./errors";
import type { ResolvedConfig } from "./resolved";
import { CLOUDFLARE_MIN_MONITOR_INTERVAL, ROUTE53_CHECKER_REGIONS } from "./schema";

// Cross-key rules of the edge settings: what each DNS provider needs, and its limits.

const key = (k: string) => `${NAMESPACE}:${k}`;
const CLOUDFLARE_ID = /^[0-9a-f]{32}$/;
const ROUTE53_ZONE_ID = /^Z[A-Z0-9]{1,32}$/;

/** The default Route 53 checker regions: three, spread over the Pacific and the US. */
export const DEFAULT_CHECKER_REGIONS: readonly (typeof ROUTE53_CHECKER_REGIONS)[number][] = ["ap-northeast-1", "ap-southeast-1", "us-west-2"];

/** The zone the API record lives in when only the domain is given: the domain's parent. */
export function defaultZoneName(domain: string): string {
  const labels = domain.split(".");
  return labels.length > 2 ? labels.slice(1).join(".") : domain;
}

export function edgeProblems(cfg: ResolvedConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const edge = cfg.edge;
  const sites = [cfg.sites.primary, cfg.sites.secondary].filter((s) => s !== undefined);
  if (edge.dns === "cloudflare") {
    if (edge.zoneId === undefined || !CLOUDFLARE_ID.test(edge.zoneId)) {
      problems.push({ key: key("edge.zoneId"), value: edge.zoneId, message: "the Cloudflare zone of edge.domain is required with edge.dns cloudflare (allowed: a Cloudflare zone id, 32 hex digits)" });
    }
    if (edge.cloudflare === undefined) {
      problems.push({ key: key("edge.cloudflare"), value: undefined, message: "is required with edge.dns cloudflare: pools and monitors belong to an account (allowed: { accountId: <32 hex digits>, plan, monitorIntervalSeconds, expectedCodes, tls })" });
    } else {
      const min = CLOUDFLARE_MIN_MONITOR_INTERVAL[edge.cloudflare.plan];
      const interval = edge.cloudflare.monitorIntervalSeconds;
      if (interval !== undefined && interval < min) {
        problems.push({ key: key("edge.cloudflare.monitorIntervalSeconds"), value: interval, message: `is below what the ${edge.cloudflare.plan} plan allows for load-balancer monitors (allowed: ${min}..3600)` });
      }
    }
    if (edge.legacyApexRecords) {
      problems.push({ key: key("edge.legacyApexRecords"), value: true, message: "migrates Route 53 records, but edge.dns is cloudflare (allowed with cloudflare: unset or false)" });
    }
    if (edge.checkerRegions !== undefined) {
      problems.push({ key: key("edge.checkerRegions"), value: edge.checkerRegions, message: "sets Route 53 health checker regions, but edge.dns is cloudflare (allowed with cloudflare: unset)" });
    }
  } else {
    if (edge.cloudflare !== undefined) {
      problems.push({ key: key("edge.cloudflare"), value: edge.cloudflare, message: "Cloudflare settings, but edge.dns is route53 (allowed with route53: unset)" });
    }
    if (edge.zoneId !== undefined && !ROUTE53_ZONE_ID.test(edge.zoneId)) {
      problems.push({ key: key("edge.zoneId"), value: edge.zoneId, message: "is not a Route 53 hosted zone id (allowed: Z followed by upper-case letters and digits, e.g. Z0123456789ABCDEFGHIJ)" });
    }
    const regions = edge.checkerRegions;
    if (regions !== undefined && new Set(regions).size !== regions.length) {
      problems.push({ key: key("edge.checkerRegions"), value: regions, message: "lists a region twice (allowed: at least 3 distinct Route 53 checker regions)" });
    }
    const activeActiveLatency = cfg.dr.mode === "active-active" && cfg.sites.secondary !== undefined && edge.geo.length === 0;
    const nonAws = sites.find((s) => s.cloud !== "aws");
    if (activeActiveLatency && nonAws) {
      problems.push({ key: key("edge.geo"), value: edge.geo, message: `is empty, so active-active would use Route 53 latency records, which name AWS regions only, but a site is on ${nonAws.cloud} ${nonAws.region} (allowed: geo rules, or edge.dns cloudflare)` });
    }
  }
  if (edge.zoneName !== undefined && edge.domain !== edge.zoneName && !edge.domain.endsWith(`.${edge.zoneName}`)) {
    problems.push({ key: key("edge.zoneName"), value: edge.zoneName, message: `does not contain edge.domain ${edge.domain} (allowed: ${edge.domain} or one of its parent domains)` });
  }
  return problems;
}
