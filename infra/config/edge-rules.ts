import { namesCover } from "../facts/certificate-names";
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

/** How users reach the AWS sites' load balancers: through CloudFront, Cloudflare's proxy, or directly. */
export type EdgeFront = "cloudfront" | "cloudflare" | "direct";

export type FrontInputs = Pick<ResolvedConfig, "environment" | "edge" | "sites" | "cdn">;

/**
 * edge.cdnFrontsApi, defaulted: on in prod on Route 53 when every site is on AWS with a load
 * balancer certificate and CloudFront has a viewer certificate (it then answers at edge.domain);
 * set explicitly, its requirements are checked (edgeProblems).
 */
export function edgeFrontOf(cfg: FrontInputs): EdgeFront {
  if (cfg.edge.dns === "cloudflare") return "cloudflare";
  const sites = [cfg.sites.primary, cfg.sites.secondary].filter((s) => s !== undefined);
  const ready = cfg.cdn.certificateArn !== undefined && sites.every((s) => s.cloud === "aws" && s.certificateArn !== undefined);
  return (cfg.edge.cdnFrontsApi ?? (cfg.environment === "prod" && ready)) ? "cloudfront" : "direct";
}

/**
 * edge.waf, defaulted: on in prod wherever there is a WAF to put it on (CloudFront in front, or a
 * Cloudflare zone whose rulesets the program owns).
 */
export function edgeWafOf(cfg: FrontInputs): boolean {
  const front = edgeFrontOf(cfg);
  const possible = front === "cloudfront" || (front === "cloudflare" && cfg.edge.cloudflare?.rulesets === "zone");
  return cfg.edge.waf ?? (cfg.environment === "prod" && possible);
}

/** The routing of the API records (routing.ts): CloudFront reaches the load balancers by `<routing>.<edge.domain>`. */
export function edgeRoutingOf(cfg: Pick<ResolvedConfig, "dr" | "sites" | "edge">): "single" | "failover" | "latency" | "geo" {
  if (!cfg.sites.secondary) return "single";
  if (cfg.dr.mode === "active-active") return cfg.edge.geo.length > 0 ? "geo" : "latency";
  return cfg.dr.mode === "backup-restore" ? "single" : "failover";
}

function frontProblems(cfg: ResolvedConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const edge = cfg.edge;
  const sites = ([["primary", cfg.sites.primary], ["secondary", cfg.sites.secondary]] as const).filter(([, s]) => s !== undefined);
  if (edge.cdnFrontsApi === true) {
    if (edge.dns !== "route53") {
      problems.push({ key: key("edge.cdnFrontsApi"), value: true, message: "puts CloudFront in front of the API on a Route 53 edge, but edge.dns is cloudflare, whose proxy is the front (allowed with cloudflare: unset or false)" });
    } else {
      if (cfg.cdn.certificateArn === undefined) {
        problems.push({ key: key("cdn.certificateArn"), value: undefined, message: `is required with edge.cdnFrontsApi: CloudFront answers at ${edge.domain} only with a us-east-1 certificate covering it (allowed: an ACM certificate ARN in us-east-1 covering ${edge.domain} and ${cfg.cdn.domain ?? `static.${edge.domain}`})` });
      }
      for (const [name, s] of sites) {
        if (s!.cloud !== "aws") problems.push({ key: key(`sites.${name}.cloud`), value: s!.cloud, message: "is not aws, and edge.cdnFrontsApi locks AWS load balancers to CloudFront (allowed with edge.cdnFrontsApi: aws sites only)" });
        else if (s!.certificateArn === undefined) problems.push({ key: key(`sites.${name}.certificateArn`), value: undefined, message: "is required with edge.cdnFrontsApi: CloudFront sends the secret origin header to the load balancer, which must not cross the internet in plain HTTP (allowed: an ACM certificate ARN of the site's region)" });
      }
    }
  }
  if (edgeFrontOf(cfg) === "cloudfront") {
    const origin = `${edgeRoutingOf(cfg)}.${edge.domain}`;
    for (const [name, s] of sites) {
      const domains = s!.certificateDomains;
      if (domains !== undefined && !namesCover(domains, origin)) {
        problems.push({ key: key(`sites.${name}.certificateDomains`), value: domains, message: `does not cover ${origin}, the name CloudFront reaches this load balancer by (edge.cdnFrontsApi): TLS to it would fail (CloudFront answers 502) (allowed: names including *.${edge.domain})` });
      }
    }
  }
  if (edge.waf === true) {
    const front = edgeFrontOf(cfg);
    if (front === "direct") problems.push({ key: key("edge.waf"), value: true, message: "needs a front to put the WAF on, and users reach the load balancers directly (allowed: true with edge.cdnFrontsApi true or edge.dns cloudflare; else false)" });
    if (front === "cloudflare" && edge.cloudflare?.rulesets !== "zone") {
      problems.push({ key: key("edge.waf"), value: true, message: "deploys the zone's http_ratelimit and http_request_firewall_managed entry-point rulesets, which replace every rule the zone has in those phases (allowed: true with edge.cloudflare.rulesets: zone, or false)" });
    }
  }
  return problems;
}

export function edgeProblems(cfg: ResolvedConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = frontProblems(cfg);
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
