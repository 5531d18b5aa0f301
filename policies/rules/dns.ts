import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { asArray, asRecord, deploymentMarker, groupBy, isTrue, label, nonEmptyString, refersTo, requireProd, requireProdStack, tagValue } from "./common";
import { dnsTtlConfig, dnsTtlSchema, readConfig } from "./config";
import { AWS, CLOUDFLARE } from "./types";

// DNS steering: health-checked answers expire fast, geolocation sets have a default, failover
// records come in health-checked PRIMARY/SECONDARY pairs.

/** A Route 53 record answers according to health: its own health check, or an alias evaluating target health. */
export function isHealthChecked(props: Record<string, unknown>): boolean {
  if (nonEmptyString(props.healthCheckId)) return true;
  return asArray(props.aliases).some((a) => isTrue(asRecord(a).evaluateTargetHealth));
}

/** zone|name|type: the records Route 53 treats as one record set. */
export function recordSetKey(r: PolicyResource): string {
  const zone = typeof r.props.zoneId === "string" ? r.props.zoneId : (r.propertyDependencies?.zoneId?.[0]?.urn ?? "?");
  return `${zone}|${String(r.props.name ?? "")}|${String(r.props.type ?? "")}`;
}

export const dnsHealthCheckedTtl: ResourceValidationPolicy = {
  name: "dns-health-checked-ttl",
  description: "In prod, DNS answers that depend on a health check have a TTL no longer than the configured maximum.",
  enforcementLevel: "mandatory",
  severity: "medium",
  tags: ["reliability", "prod", "dns"],
  configSchema: dnsTtlSchema,
  validateResource: (args, reportViolation) => {
    const isRoute53 = args.type === AWS.route53Record;
    const isCloudflareLb = args.type === CLOUDFLARE.loadBalancer;
    if (!isRoute53 && !isCloudflareLb) return;
    requireProd(args, "dns-health-checked-ttl");
    const { maximumTtlSeconds } = readConfig("dns-health-checked-ttl", dnsTtlConfig, args.getConfig());
    if (isRoute53 && !nonEmptyString(args.props.healthCheckId)) args.notApplicable(`${label(args)} has no health check`);
    if (isCloudflareLb && isTrue(args.props.proxied)) args.notApplicable(`${label(args)} is proxied; Cloudflare answers with its own edge addresses`);
    const ttl = args.props.ttl;
    if (typeof ttl === "number" && ttl > maximumTtlSeconds) {
      reportViolation(
        `${label(args)} is health-checked but has TTL ${ttl}s (maximum ${maximumTtlSeconds}s): resolvers keep sending users to a failed site for up to ${ttl}s after failover. ` +
        `Set ttl <= ${maximumTtlSeconds} (config resilient-feed:edge.ttl).`,
      );
    }
  },
};

export const dnsGeolocationDefault: StackValidationPolicy = {
  name: "dns-geolocation-default",
  description: "In prod, every Route 53 geolocation record set has a default (country \"*\") record.",
  enforcementLevel: "mandatory",
  severity: "high",
  tags: ["reliability", "prod", "dns"],
  validateStack: (args, reportViolation) => {
    requireProdStack(args, "dns-geolocation-default");
    const geo = args.resources.filter((r) => r.type === AWS.route53Record && asArray(r.props.geolocationRoutingPolicies).length > 0);
    if (geo.length === 0) args.notApplicable("no geolocation records in the stack");
    for (const [, set] of groupBy(geo, recordSetKey)) {
      const hasDefault = set.some((r) => asArray(r.props.geolocationRoutingPolicies).some((p) => asRecord(p).country === "*"));
      if (!hasDefault) {
        reportViolation(
          `geolocation record set ${String(set[0].props.name)} ${String(set[0].props.type)} (${set.map((r) => `"${r.name}"`).join(", ")}) has no default record, ` +
          `so Route 53 answers NODATA to every location no rule matches. Add a record with geolocationRoutingPolicies: [{ country: "*" }] pointing at the active site.`,
          set[0].urn,
        );
      }
    }
  },
};

/** DR modes whose edge answers with a health-checked PRIMARY/SECONDARY pair. */
const FAILOVER_MODES = ["pilot-light", "warm-standby"];

export const dnsFailoverPairs: StackValidationPolicy = {
  name: "dns-failover-pairs",
  description: "pilot-light and warm-standby route by failover: Route 53 PRIMARY/SECONDARY records (or a Cloudflare load balancer), each health-checked; after a failover only the PRIMARY remains.",
  enforcementLevel: "mandatory",
  severity: "high",
  tags: ["reliability", "dr", "dns"],
  validateStack: (args, reportViolation) => {
    const marker = deploymentMarker(args.resources);
    const failover = args.resources.filter((r) => r.type === AWS.route53Record && asArray(r.props.failoverRoutingPolicies).length > 0);
    const failoverMode = marker?.mode !== undefined && FAILOVER_MODES.includes(marker.mode);
    if (failover.length === 0) {
      if (!failoverMode) args.notApplicable("no failover records, and the DR mode does not route by failover");
      // a Cloudflare load balancer steering over its default pools in order is the failover
      if (args.resources.some((r) => r.type === CLOUDFLARE.loadBalancer)) return;
      reportViolation(
        `DR mode ${marker!.mode} routes users by failover, but the stack has no Route 53 failover record and no Cloudflare load balancer: nothing sends users to the standby when the active site fails. ` +
        `Add PRIMARY/SECONDARY failover records for the API name, each with a health check on the site's /readyz (config resilient-feed:edge).`,
        marker!.urn,
      );
      return;
    }
    // after a failover the old writer is fenced: it must not be the SECONDARY (split brain)
    const failedOver = marker?.fencedSite !== undefined;
    const secondariesExpected = failedOver ? 0 : 1;
    for (const [, set] of groupBy(failover, recordSetKey)) {
      const name = `${String(set[0].props.name)} ${String(set[0].props.type)}`;
      const of = (kind: string) => set.filter((r) => asArray(r.props.failoverRoutingPolicies).some((p) => asRecord(p).type === kind));
      const primaries = of("PRIMARY");
      const secondaries = of("SECONDARY");
      if (primaries.length !== 1 || secondaries.length !== secondariesExpected) {
        reportViolation(
          `failover record set ${name} has ${primaries.length} PRIMARY and ${secondaries.length} SECONDARY record(s) (${set.map((r) => `"${r.name}"`).join(", ")}); ` +
          (failedOver
            ? `failed over, it needs exactly one PRIMARY (the new writer's site) and no SECONDARY: the fenced old writer must get no answer.`
            : `it needs exactly one of each, with distinct setIdentifier, one per site.`),
          set[0].urn,
        );
      }
      for (const r of set) {
        if (!isHealthChecked(r.props)) {
          reportViolation(
            `${label(r)} (failover ${String(asRecord(asArray(r.props.failoverRoutingPolicies)[0]).type)} of ${name}) has no health check, so Route 53 cannot tell when to fail over. ` +
            `Set healthCheckId to an aws.route53.HealthCheck on the site's /readyz (or alias with evaluateTargetHealth: true).`,
            r.urn,
          );
        }
      }
    }
  },
};

/** The site a Route 53 record serves: its health check's `site` tag, else its setIdentifier. */
export function siteOfRecord(r: PolicyResource, healthChecks: readonly PolicyResource[], sites: readonly string[]): string | undefined {
  const hc = healthChecks.find((h) => refersTo(r, "healthCheckId", h));
  const tagged = hc ? tagValue(hc.props.tags, "site") : undefined;
  if (tagged) return tagged;
  const id = typeof r.props.setIdentifier === "string" ? r.props.setIdentifier : "";
  return sites.find((s) => id === s || id.split(/[-_.]/).includes(s));
}

export const dnsRules = [dnsHealthCheckedTtl, dnsGeolocationDefault, dnsFailoverPairs];
