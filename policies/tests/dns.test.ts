import { strict as assert } from "node:assert";
import { dnsFailoverPairs, dnsGeolocationDefault, dnsHealthCheckedTtl } from "../rules/dns";
import { checkResource, checkStack, deployment, type FakeResource } from "./util";

const R53 = "aws:route53/record:Record";
const record = (name: string, props: Record<string, unknown>): FakeResource => ({ type: R53, name, props: { zoneId: "Z1", name: "api.feed.example.com", type: "A", ...props } });

describe("policies: DNS", () => {
  it("dns-health-checked-ttl: health-checked records expire within the maximum (configurable)", async () => {
    assert.deepEqual((await checkResource(dnsHealthCheckedTtl, record("api-primary", { healthCheckId: "hc-1", ttl: 60, records: ["203.0.113.1"] }))).violations, []);
    const slow = await checkResource(dnsHealthCheckedTtl, record("api-primary", { healthCheckId: "hc-1", ttl: 300, records: ["203.0.113.1"] }));
    assert.deepEqual(slow.violations, [
      `aws:route53/Record "api-primary" is health-checked but has TTL 300s (maximum 60s): resolvers keep sending users to a failed site for up to 300s after failover. ` +
      `Set ttl <= 60 (config resilient-feed:edge.ttl).`,
    ]);
    const stricter = await checkResource(dnsHealthCheckedTtl, record("api-primary", { healthCheckId: "hc-1", ttl: 60 }), { config: { maximumTtlSeconds: 30 } });
    assert.match(stricter.violations[0], /TTL 60s \(maximum 30s\)/);
    assert.match((await checkResource(dnsHealthCheckedTtl, record("www", { ttl: 3600 }))).notApplicable!, /has no health check/);
    assert.match((await checkResource(dnsHealthCheckedTtl, { ...record("api", { healthCheckId: "hc", ttl: 300 }), stack: "dev" })).notApplicable!, /prod only/);
    const cf: FakeResource = { type: "cloudflare:index/loadBalancer:LoadBalancer", name: "api-lb", props: { proxied: false, ttl: 120, defaultPools: ["p1"], fallbackPool: "p1" } };
    assert.match((await checkResource(dnsHealthCheckedTtl, cf)).violations[0], /^cloudflare:index\/LoadBalancer "api-lb" is health-checked but has TTL 120s/);
  });

  it("dns-geolocation-default: a geolocation set has a country \"*\" record", async () => {
    const jp = record("api-jp", { geolocationRoutingPolicies: [{ country: "JP" }], setIdentifier: "secondary", healthCheckId: "hc-2" });
    const dflt = record("api-default", { geolocationRoutingPolicies: [{ country: "*" }], setIdentifier: "primary", healthCheckId: "hc-1" });
    assert.deepEqual((await checkStack(dnsGeolocationDefault, [deployment("active-active"), jp, dflt])).violations, []);
    const out = await checkStack(dnsGeolocationDefault, [deployment("active-active"), jp]);
    assert.match(out.violations[0], /^geolocation record set api\.feed\.example\.com A \("api-jp"\) has no default record, so Route 53 answers NODATA.*geolocationRoutingPolicies: \[\{ country: "\*" \}\]/);
  });

  it("dns-failover-pairs: one PRIMARY and one SECONDARY, both health-checked", async () => {
    const primary = record("api-primary", { failoverRoutingPolicies: [{ type: "PRIMARY" }], setIdentifier: "primary", healthCheckId: "hc-1" });
    const secondary = record("api-secondary", { failoverRoutingPolicies: [{ type: "SECONDARY" }], setIdentifier: "secondary", aliases: [{ name: "alb", zoneId: "Z", evaluateTargetHealth: true }] });
    assert.deepEqual((await checkStack(dnsFailoverPairs, [primary, secondary])).violations, []);
    const lonely = await checkStack(dnsFailoverPairs, [primary]);
    assert.match(lonely.violations[0], /^failover record set api\.feed\.example\.com A has 1 PRIMARY and 0 SECONDARY record\(s\) \("api-primary"\); it needs exactly one of each/);
    const unchecked = await checkStack(dnsFailoverPairs, [primary, { ...secondary, props: { ...secondary.props, aliases: undefined, records: ["203.0.113.9"] } }]);
    assert.deepEqual(unchecked.violations.map((v) => v.split(". Set")[0]), [
      `aws:route53/Record "api-secondary" (failover SECONDARY of api.feed.example.com A) has no health check, so Route 53 cannot tell when to fail over`,
    ]);
    assert.match((await checkStack(dnsFailoverPairs, [])).notApplicable!, /no failover records/);
    assert.match((await checkStack(dnsFailoverPairs, [deployment("active-active")])).notApplicable!, /does not route by failover/);
  });

  it("dns-failover-pairs: a failover mode without failover routing fails review (not 'not applicable')", async () => {
    for (const mode of ["pilot-light", "warm-standby"]) {
      const out = await checkStack(dnsFailoverPairs, [deployment(mode)]);
      assert.equal(out.notApplicable, undefined, mode);
      assert.deepEqual(out.violations, [
        `DR mode ${mode} routes users by failover, but the stack has no Route 53 failover record and no Cloudflare load balancer: nothing sends users to the standby when the active site fails. ` +
        `Add PRIMARY/SECONDARY failover records for the API name, each with a health check on the site's /readyz (config resilient-feed:edge).`,
      ]);
      assert.deepEqual(out.urns, ["urn:pulumi:prod::resilient-feed::resilient-feed:index:Deployment::resilient-feed-prod"]);
    }
    // a plain record is not failover routing either
    const plain = record("api", { aliases: [{ name: "alb", zoneId: "Z", evaluateTargetHealth: false }] });
    assert.equal((await checkStack(dnsFailoverPairs, [deployment("warm-standby"), plain])).violations.length, 1);
    // Cloudflare: the load balancer's ordered default pools are the failover
    const cf: FakeResource = { type: "cloudflare:index/loadBalancer:LoadBalancer", name: "api-lb", props: { proxied: true, defaultPools: ["p1", "p2"], fallbackPool: "p1" } };
    assert.deepEqual((await checkStack(dnsFailoverPairs, [deployment("pilot-light"), cf])).violations, []);
  });

  it("dns-failover-pairs: failed over, only the PRIMARY (new writer) remains; a SECONDARY on the fenced site fails", async () => {
    const primary = record("api-secondary", { failoverRoutingPolicies: [{ type: "PRIMARY" }], setIdentifier: "secondary", healthCheckId: "hc-2" });
    const fenced = record("api-primary", { failoverRoutingPolicies: [{ type: "SECONDARY" }], setIdentifier: "primary", healthCheckId: "hc-1" });
    assert.deepEqual((await checkStack(dnsFailoverPairs, [deployment("warm-standby", "prod", "secondary"), primary])).violations, []);
    assert.deepEqual((await checkStack(dnsFailoverPairs, [deployment("warm-standby", "prod", "secondary"), primary, fenced])).violations, [
      `failover record set api.feed.example.com A has 1 PRIMARY and 1 SECONDARY record(s) ("api-secondary", "api-primary"); failed over, it needs exactly one PRIMARY (the new writer's site) and no SECONDARY: the fenced old writer must get no answer.`,
    ]);
  });
});
