import * as cloudflare from "@pulumi/cloudflare";
import type * as pulumi from "@pulumi/pulumi";
import type { CloudflareEdgeSettings, Topology } from "../topology/types";

// The Cloudflare counterpart of AWS WAF (edge.waf with edge.cloudflare.rulesets: zone): the zone's
// entry-point rulesets of two phases, a rate limiting rule on the auth paths (http_ratelimit) and
// the managed WAF (http_request_firewall_managed). A zone has one entry-point ruleset per phase,
// so each replaces whatever rules the zone had there: only on that explicit opt-in.

type Plan = CloudflareEdgeSettings["plan"];

/**
 * What each plan allows for rate limiting rules (Cloudflare WAF docs, "Rate limiting rules",
 * Availability): counting periods and mitigation timeouts in seconds, and the number of rules.
 */
export const RATE_LIMITING_BY_PLAN: Readonly<Record<Plan, { readonly periods: readonly number[]; readonly timeouts: readonly number[]; readonly rules: number }>> = {
  free: { periods: [10], timeouts: [10], rules: 1 },
  pro: { periods: [10, 60], timeouts: [10, 60, 3600], rules: 2 },
  business: { periods: [10, 60, 600], timeouts: [10, 60, 3600, 86400], rules: 5 },
  enterprise: { periods: [10, 60, 120, 300, 600], timeouts: [10, 60, 120, 300, 600, 3600, 86400], rules: 100 },
};

/**
 * The managed ruleset a plan may deploy: the Cloudflare Managed Ruleset from Pro up, the Free
 * Managed Ruleset (available on every plan) on Free (Cloudflare WAF docs, "Managed rules").
 */
export const MANAGED_RULESET_BY_PLAN: Readonly<Record<Plan, { readonly name: string; readonly id: string }>> = {
  free: { name: "Cloudflare Free Managed Ruleset", id: "77454fe2d30c4220b5701f6fdfb893ba" },
  pro: { name: "Cloudflare Managed Ruleset", id: "efb7b8c949ac4650a09736fc376e9aee" },
  business: { name: "Cloudflare Managed Ruleset", id: "efb7b8c949ac4650a09736fc376e9aee" },
  enterprise: { name: "Cloudflare Managed Ruleset", id: "efb7b8c949ac4650a09736fc376e9aee" },
};

/** The auth paths; the path field is the one expression field every plan has (Free: Path only). */
export const AUTH_PATH_EXPRESSION = 'starts_with(http.request.uri.path, "/auth/")';

/**
 * The auth rate limit on a plan: a minute's count where the plan counts minutes, else the same
 * rate over 10 s (Free), rounded up; blocked for a minute where allowed, else 10 s.
 */
export function authRateLimit(plan: Plan, requestsPerMinute: number): { period: number; requestsPerPeriod: number; mitigationTimeout: number } {
  const allowed = RATE_LIMITING_BY_PLAN[plan];
  const period = allowed.periods.includes(60) ? 60 : 10;
  return { period, requestsPerPeriod: Math.ceil((requestsPerMinute * period) / 60), mitigationTimeout: allowed.timeouts.includes(60) ? 60 : 10 };
}

export function cloudflareRulesets(name: string, topology: Topology, opts: pulumi.CustomResourceOptions): void {
  const edge = topology.edge;
  const cf = edge.cloudflare;
  if (!edge.waf || !cf || !edge.zoneId) return;
  if (cf.rulesets !== "zone") throw new Error(`${name}: edge.waf on Cloudflare needs edge.cloudflare.rulesets zone (config validation should have refused it)`);
  const limit = authRateLimit(cf.plan, edge.authRequestsPerMinute);
  new cloudflare.Ruleset(`${name}-ratelimit`, {
    zoneId: edge.zoneId,
    kind: "zone",
    phase: "http_ratelimit",
    name: `${topology.project}-${topology.environment} rate limits`,
    description: "per-IP limit on the API's auth paths (the zone's entry point: replaces the zone's other rate limiting rules)",
    rules: [{
      ref: "auth_per_ip",
      description: `auth paths: ${edge.authRequestsPerMinute} requests a minute per IP`,
      expression: `(${AUTH_PATH_EXPRESSION})`,
      action: "block",
      actionParameters: { response: { statusCode: 429, contentType: "application/json", content: JSON.stringify({ error: { code: "rate_limited", message: "too many requests" } }) } },
      // cf.colo.id: counters are per data center, which every zone rule names
      ratelimit: { characteristics: ["cf.colo.id", "ip.src"], period: limit.period, requestsPerPeriod: limit.requestsPerPeriod, mitigationTimeout: limit.mitigationTimeout },
      enabled: true,
    }],
  }, opts);
  const managed = MANAGED_RULESET_BY_PLAN[cf.plan];
  new cloudflare.Ruleset(`${name}-waf-managed`, {
    zoneId: edge.zoneId,
    kind: "zone",
    phase: "http_request_firewall_managed",
    name: `${topology.project}-${topology.environment} managed WAF`,
    description: `${managed.name} on every request (the zone's entry point: replaces the zone's other managed WAF rules)`,
    rules: [{ ref: "managed_waf", description: managed.name, expression: "true", action: "execute", actionParameters: { id: managed.id }, enabled: true }],
  }, opts);
}
