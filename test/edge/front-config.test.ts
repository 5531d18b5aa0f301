import { strict as assert } from "node:assert";
import { ConfigError } from "../../infra/config/errors";
import { parseProjectConfig } from "../../infra/config/parse";
import { buildTopology } from "../../infra/topology/build";
import { devOnAws, drState, prodWith } from "../support/config-fixtures";
import { CF_ACCOUNT, CF_ZONE } from "./support";

// The edge's front (CloudFront, Cloudflare or none), the WAF and the origin secret: defaults per
// environment, and every refused combination named by key, value and what is allowed.

function problems(raw: Record<string, any>): string[] {
  try {
    parseProjectConfig(raw);
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.problems.map((p) => `${p.key} = ${JSON.stringify(p.value)}: ${p.message}`);
  }
}
const topo = (raw: Record<string, any>) => buildTopology(parseProjectConfig(raw));
const cloudflare = (c: Record<string, any>, extra: Record<string, unknown> = {}) => {
  c.edge = { dns: "cloudflare", domain: "feed.example.com", zoneId: CF_ZONE, cloudflare: { accountId: CF_ACCOUNT, plan: "pro", ...extra } };
};

describe("edge: front, WAF and origin secret config", () => {
  it("prod as shipped: CloudFront in front, WAF on, 60 auth requests per minute, secret slot a sent", () => {
    const { edge } = topo(prodWith(() => {}));
    assert.equal(edge.front, "cloudfront");
    assert.equal(edge.waf, true);
    assert.equal(edge.authRequestsPerMinute, 60);
    assert.deepEqual(edge.originSecret, { send: "a", a: 0, b: 0 });
  });

  it("dev on AWS (no certificates): users reach the load balancer directly, no WAF", () => {
    const { edge } = topo(devOnAws());
    assert.equal(edge.front, "direct");
    assert.equal(edge.waf, false);
  });

  it("CloudFront in front needs its viewer certificate and a load balancer certificate on every site (the secret header never crosses the internet in plain HTTP)", () => {
    const raw = devOnAws();
    raw.edge.cdnFrontsApi = true;
    assert.deepEqual(problems(raw), [
      "resilient-feed:cdn.certificateArn = undefined: is required with edge.cdnFrontsApi: CloudFront answers at dev.feed.example.com only with a us-east-1 certificate covering it (allowed: an ACM certificate ARN in us-east-1 covering dev.feed.example.com and static.dev.feed.example.com)",
      "resilient-feed:sites.primary.certificateArn = undefined: is required with edge.cdnFrontsApi: CloudFront sends the secret origin header to the load balancer, which must not cross the internet in plain HTTP (allowed: an ACM certificate ARN of the site's region)",
    ]);
  });

  it("a WAF without a front is refused; on Cloudflare it needs the zone's rulesets", () => {
    assert.deepEqual(problems(prodWith((c) => { c.edge.cdnFrontsApi = false; c.edge.waf = true; })), [
      "resilient-feed:edge.waf = true: needs a front to put the WAF on, and users reach the load balancers directly (allowed: true with edge.cdnFrontsApi true or edge.dns cloudflare; else false)",
    ]);
    assert.deepEqual(problems(prodWith((c) => { cloudflare(c); c.edge.waf = true; })), [
      "resilient-feed:edge.waf = true: deploys the zone's http_ratelimit and http_request_firewall_managed entry-point rulesets, which replace every rule the zone has in those phases (allowed: true with edge.cloudflare.rulesets: zone, or false)",
    ]);
    assert.deepEqual(problems(prodWith((c) => { cloudflare(c); c.edge.cdnFrontsApi = true; })), [
      "resilient-feed:edge.cdnFrontsApi = true: puts CloudFront in front of the API on a Route 53 edge, but edge.dns is cloudflare, whose proxy is the front (allowed with cloudflare: unset or false)",
    ]);
  });

  it("Cloudflare in prod: the WAF is on only where the zone's rulesets are the program's", () => {
    const plain = topo(prodWith((c) => cloudflare(c))).edge;
    assert.deepEqual([plain.front, plain.waf], ["cloudflare", false]);
    const owned = topo(prodWith((c) => cloudflare(c, { rulesets: "zone" }))).edge;
    assert.deepEqual([owned.front, owned.waf, owned.cloudflare?.rulesets], ["cloudflare", true, "zone"]);
  });

  it("a fenced site behind CloudFront needs its prefix lists pinned; bad ids and limits are refused", () => {
    assert.deepEqual(problems(prodWith((c) => { c.dr = drState("warm-standby", "secondary"); delete c.sites.primary.prefixLists; })), [
      "resilient-feed:sites.primary.prefixLists.cloudfront = undefined: required while the primary is fenced (dr.activeSite: secondary): its region may be down, and a lookup there fails the whole run (allowed: the prefix list id its load balancer's security groups admit, stack output sites.primary.pins.prefixLists.cloudfront from before the failover)",
      "resilient-feed:sites.primary.prefixLists.route53HealthChecks = undefined: required while the primary is fenced (dr.activeSite: secondary): its region may be down, and a lookup there fails the whole run (allowed: the prefix list id its load balancer's security groups admit, stack output sites.primary.pins.prefixLists.route53HealthChecks from before the failover)",
    ]);
    assert.match(problems(prodWith((c) => { c.sites.primary.prefixLists = { cloudfront: "pl-XYZ" }; }))[0], /^resilient-feed:sites\.primary\.prefixLists\.cloudfront = "pl-XYZ": must be a prefix list id/);
    assert.match(problems(prodWith((c) => { c.edge.authRequestsPerMinute = 5; }))[0], /^resilient-feed:edge\.authRequestsPerMinute = 5: /);
    assert.match(problems(prodWith((c) => { c.edge.originSecret = { send: "c" }; }))[0], /^resilient-feed:edge\.originSecret\.send = "c": /);
  });
});
