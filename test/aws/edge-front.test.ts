import { strict as assert } from "node:assert";
import { CLOUDFRONT_ORIGIN_FACING, PREFIX_LIST_WEIGHT, packSources, route53HealthChecksList, SG_INBOUND_RULES, SG_PER_LOAD_BALANCER } from "../../infra/aws/origin-access";
import { evaluateStack } from "../../tools/plan/evaluate";
import type { PlanResult, PlannedResource } from "../../tools/plan/types";

// CloudFront in front of the API (prod's default): the security-group sizing, and under the
// offline plan's mocks the WAF, its logging, the response headers policy, both distributions'
// API origin, the listener rules and the Route 53 entry, exact.

const one = (plan: PlanResult, type: string, name: string): PlannedResource => {
  const r = plan.resources.find((x) => x.type === type && x.name === name);
  if (!r) throw new Error(`no ${type} ${name}`);
  return r;
};
const inputs = (plan: PlanResult, type: string, name: string) => one(plan, type, name).inputs as Record<string, any>;
const DIST = "aws:cloudfront/distribution:Distribution";
const RULE = "aws:lb/listenerRule:ListenerRule";
const RECORD = "aws:route53/record:Record";
const apiOriginOf = (plan: PlanResult, name: string) => (inputs(plan, DIST, name).origins as any[]).find((o) => o.originId === "api");

describe("edge front: security-group sizing (pure)", () => {
  const cf = { key: "cloudfront", weight: PREFIX_LIST_WEIGHT.cloudfront };
  const hc = { key: "route53HealthChecks", weight: PREFIX_LIST_WEIGHT.route53HealthChecks };

  it("weights and quotas as AWS documents them: CloudFront 55, health checkers 25, 60 inbound rules a group, 5 groups an ALB", () => {
    assert.deepEqual([PREFIX_LIST_WEIGHT.cloudfront, PREFIX_LIST_WEIGHT.route53HealthChecks, SG_INBOUND_RULES, SG_PER_LOAD_BALANCER], [55, 25, 60, 5]);
    assert.equal(CLOUDFRONT_ORIGIN_FACING, "com.amazonaws.global.cloudfront.origin-facing");
    assert.equal(route53HealthChecksList("ap-northeast-2"), "com.amazonaws.ap-northeast-2.route53-healthchecks");
  });

  it("CloudFront (55) and the health checkers (25) cannot share a group of 60: two groups, CloudFront's first", () => {
    assert.deepEqual(packSources([hc, cf]), [[cf], [hc]]);
  });

  it("two health-check lists share one group (50); a third needs another", () => {
    assert.deepEqual(packSources([hc, { ...hc, key: "b" }]), [[hc, { ...hc, key: "b" }]]);
    assert.deepEqual(packSources([cf, hc, { ...hc, key: "b" }, { ...hc, key: "c" }]).map((g) => g.map((s) => s.key)), [["cloudfront"], ["route53HealthChecks", "b"], ["c"]]);
  });

  it("refuses more groups than an ALB takes, and a source heavier than a group", () => {
    assert.throws(() => packSources(Array.from({ length: 6 }, (_, i) => ({ key: `cf${i}`, weight: 55 }))), /need 6 security groups, over the 5 an ALB takes/);
    assert.throws(() => packSources([{ key: "huge", weight: 61 }]), /huge weighs 61 rules, over the 60 a security group holds/);
    assert.deepEqual(packSources([]), [[]]);
  });
});

describe("edge front: prod under the offline plan", function () {
  this.timeout(600_000);
  let prod: PlanResult;
  let single: PlanResult;
  let latency: PlanResult;
  before(async () => {
    prod = await evaluateStack({ stack: "prod" });
    single = await evaluateStack({ stack: "prod", mode: "backup-restore" });
    latency = await evaluateStack({ stack: "prod", mode: "active-active" });
  });

  it("the web ACL: CLOUDFRONT scope in us-east-1, allow by default, a 60/min per-IP block (429) on decoded, lower-cased /auth/ and /api/auth/ paths, then AWS's common and known-bad-inputs groups", () => {
    const acl = inputs(prod, "aws:wafv2/webAcl:WebAcl", "edge-waf");
    assert.deepEqual([acl.region, acl.scope, acl.name, acl.defaultAction], ["us-east-1", "CLOUDFRONT", "resilient-feed-prod-edge", { allow: {} }]);
    const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });
    assert.deepEqual(acl.rules, [
      {
        name: "auth-rate-per-ip", priority: 0, action: { block: { customResponse: { responseCode: 429 } } },
        statement: { rateBasedStatement: { limit: 60, evaluationWindowSec: 60, aggregateKeyType: "IP", scopeDownStatement: { regexMatchStatement: { regexString: "^/(api/)?auth/", fieldToMatch: { uriPath: {} }, textTransformations: [{ priority: 0, type: "URL_DECODE" }, { priority: 1, type: "LOWERCASE" }] } } } },
        visibilityConfig: visibility("resilient-feed-prod-auth-rate"),
      },
      { name: "AWSManagedRulesCommonRuleSet", priority: 1, overrideAction: { none: {} }, statement: { managedRuleGroupStatement: { vendorName: "AWS", name: "AWSManagedRulesCommonRuleSet" } }, visibilityConfig: visibility("resilient-feed-prod-AWSManagedRulesCommonRuleSet") },
      { name: "AWSManagedRulesKnownBadInputsRuleSet", priority: 2, overrideAction: { none: {} }, statement: { managedRuleGroupStatement: { vendorName: "AWS", name: "AWSManagedRulesKnownBadInputsRuleSet" } }, visibilityConfig: visibility("resilient-feed-prod-AWSManagedRulesKnownBadInputsRuleSet") },
    ]);
  });

  it("WAF logs: a us-east-1 log group named aws-waf-logs-*, cookies and authorization redacted", () => {
    const group = inputs(prod, "aws:cloudwatch/logGroup:LogGroup", "edge-waf-logs");
    assert.deepEqual([group.region, group.name, group.retentionInDays], ["us-east-1", "aws-waf-logs-resilient-feed-prod", 90]);
    const logging = inputs(prod, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", "edge-waf");
    assert.deepEqual(logging, {
      region: "us-east-1",
      resourceArn: "arn:aws:wafv2:us-east-1:123456789012:webacl/edge-waf",
      logDestinationConfigs: ["arn:aws:logs:us-east-1:123456789012:log-group:edge-waf-logs"],
      redactedFields: [{ singleHeader: { name: "cookie" } }, { singleHeader: { name: "authorization" } }],
    });
  });

  it("the response headers policy: HSTS one year with subdomains, nosniff, DENY framing, no referrer, overriding the origin", () => {
    assert.deepEqual(inputs(prod, "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "api-headers").securityHeadersConfig, {
      strictTransportSecurity: { accessControlMaxAgeSec: 31_536_000, includeSubdomains: true, preload: false, override: true },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: "DENY", override: true },
      referrerPolicy: { referrerPolicy: "no-referrer", override: true },
    });
  });

  it("users call the API distribution at edge.domain; both distributions call failover.<domain> over HTTPS with the origin header, carry the WAF and the headers policy", () => {
    const api = inputs(prod, DIST, "cdn-api");
    assert.deepEqual([api.aliases, api.webAclId, api.defaultCacheBehavior.responseHeadersPolicyId, api.defaultCacheBehavior.cachePolicyId, api.viewerCertificate.minimumProtocolVersion],
      [["feed.example.com"], "arn:aws:wafv2:us-east-1:123456789012:webacl/edge-waf", "api-headers-id", "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", "TLSv1.2_2021"]);
    for (const name of ["cdn-api", "cdn"]) {
      const origin = apiOriginOf(prod, name);
      assert.deepEqual([origin.domainName, origin.customOriginConfig.originProtocolPolicy, origin.customHeaders.map((h: any) => h.name)], ["failover.feed.example.com", "https-only", ["X-Origin-Verify"]], name);
    }
    const staticApi = (inputs(prod, DIST, "cdn").orderedCacheBehaviors as any[])[0];
    assert.deepEqual([staticApi.pathPattern, staticApi.responseHeadersPolicyId, inputs(prod, DIST, "cdn").webAclId], ["/api/*", "api-headers-id", "arn:aws:wafv2:us-east-1:123456789012:webacl/edge-waf"]);
  });

  it("the origin follows the routing policy: single.<domain> (a simple alias to the writer's ALB) in backup-restore, latency.<domain> in active-active", () => {
    assert.equal(apiOriginOf(single, "cdn-api").domainName, "single.feed.example.com");
    const rec = inputs(single, RECORD, "edge-single");
    assert.deepEqual([rec.name, rec.type, rec.aliases], ["single.feed.example.com", "A", [{ name: "primary-api.ap-northeast-2.elb.amazonaws.com", zoneId: "ZMOCKALBZONE", evaluateTargetHealth: false }]]);
    assert.equal(apiOriginOf(latency, "cdn-api").domainName, "latency.feed.example.com");
  });

  it("edge.domain is one simple alias to the API distribution, in every routing; each waits for what it names", () => {
    for (const plan of [prod, single, latency]) {
      const entry = inputs(plan, RECORD, "edge-entry");
      assert.deepEqual([entry.name, entry.type, entry.aliases], ["feed.example.com", "A", [{ name: "fe3ae1b938fb6.cloudfront.net", zoneId: "Z2FDTNDATAQYW2", evaluateTargetHealth: false }]]);
    }
    const deps = (plan: PlanResult, type: string, name: string) => (one(plan, type, name).dependencies ?? []).map((u) => u.split("::").pop()).filter((n) => /^edge-(failover|latency|geo|single)|^cdn-api$/.test(n!)).sort();
    // the entry after the distribution, both distributions after the records at their origin name
    assert.deepEqual(deps(prod, RECORD, "edge-entry"), ["cdn-api"]);
    assert.deepEqual(deps(prod, DIST, "cdn-api"), ["edge-failover-primary", "edge-failover-secondary"]);
    assert.deepEqual(deps(prod, DIST, "cdn"), ["edge-failover-primary", "edge-failover-secondary"]);
    assert.deepEqual(deps(single, DIST, "cdn-api"), ["edge-single"]);
    // an ALB refuses requests without the origin header only once edge.domain points at CloudFront
    const ruleDeps = (n: string) => (one(prod, RULE, n).dependencies ?? []).map((u) => u.split("::").pop()).sort();
    assert.deepEqual(ruleDeps("primary-api-deny-rest"), ["edge-entry", "primary-api-from-cdn", "primary-api-https", "primary-api-readiness"]);
  });

  it("listener rules: metrics 404 (10), the origin header forwards (20, both secret slots), /readyz forwards for the health checkers (30), everything else 403 (50000)", () => {
    for (const site of ["primary", "secondary"]) {
      const rule = (n: string) => inputs(prod, RULE, `${site}-api-${n}`);
      assert.deepEqual([rule("hide-metrics").priority, rule("from-cdn").priority, rule("readiness").priority, rule("deny-rest").priority], [10, 20, 30, 50000]);
      assert.equal(rule("from-cdn").conditions[0].httpHeader.httpHeaderName, "X-Origin-Verify");
      assert.equal(rule("from-cdn").conditions[0].httpHeader.values.length, 2);
      assert.deepEqual(rule("readiness").conditions, [{ pathPattern: { values: ["/readyz"] } }]);
      assert.deepEqual(rule("readiness").actions, [{ type: "forward", targetGroupArn: `arn:aws:lb:${site === "primary" ? "ap-northeast-2" : "ap-northeast-1"}:123456789012:targetgroup/${site}-api` }]);
      assert.deepEqual([rule("deny-rest").conditions, rule("deny-rest").actions], [[{ pathPattern: { values: ["*"] } }], [{ type: "fixed-response", fixedResponse: { statusCode: "403", contentType: "application/json", messageBody: '{"error":{"code":"forbidden","message":"forbidden"}}' } }]]);
    }
  });

  it("AWS sites behind Cloudflare: the ALB admits only a prefix list of Cloudflare's published IPv4 ranges (in the site's region), no CloudFront distribution for the API, no origin header", async () => {
    const cf = await evaluateStack({ stack: "prod", configOverrides: { edge: { dns: "cloudflare", zoneId: "0123456789abcdef0123456789abcdef", cloudflare: { accountId: "fedcba9876543210fedcba9876543210", plan: "business" } } } });
    const list = inputs(cf, "aws:ec2/managedPrefixList:ManagedPrefixList", "primary-sg-cloudflare");
    assert.deepEqual([list.region, list.addressFamily, list.maxEntries, list.entries], ["ap-northeast-2", "IPv4", 30, [{ cidr: "173.245.48.0/20", description: "Cloudflare (published range)" }, { cidr: "103.21.244.0/22", description: "Cloudflare (published range)" }]]);
    const rules = cf.resources.filter((r) => r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" && r.inputs.securityGroupId === "primary-sg-load-balancer-id");
    assert.deepEqual(rules.map((r) => [r.name, r.inputs.fromPort, r.inputs.prefixListId, r.inputs.cidrIpv4]), [["primary-sg-lb-from-cloudflare", 443, "primary-sg-cloudflare-id", undefined]]);
    assert.equal(cf.resources.some((r) => r.name === "cdn-api" || r.name === "primary-api-from-cdn"), false);
    // EC2 refuses any other character in a rule's description (cloud-constraints row 9)
    for (const r of rules) assert.match(String(r.inputs.description), /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]+$/, r.name);
  });

  it("the origin secret: two slots of 48 letters and digits, each replaced only by raising its generation", () => {
    for (const slot of ["a", "b"]) assert.deepEqual(inputs(prod, "random:index/randomPassword:RandomPassword", `origin-secret-${slot}`), { length: 48, special: false, keepers: { generation: "0" } });
  });
});
