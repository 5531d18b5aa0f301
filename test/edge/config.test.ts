import { strict as assert } from "node:assert";
import { ConfigError } from "../../infra/config/errors";
import { parseProjectConfig } from "../../infra/config/parse";
import { buildTopology } from "../../infra/topology/build";
import { prodWith, stackRaw } from "../support/config-fixtures";
import { CF_ACCOUNT, CF_ZONE } from "./support";

// Edge settings are validated before anything is registered: each problem names the key, the
// value and what is allowed.

function problems(edit: (c: Record<string, any>) => void, base = prodWith(() => {})): string[] {
  edit(base);
  try {
    parseProjectConfig(base);
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.problems.map((p) => `${p.key} = ${JSON.stringify(p.value)}: ${p.message}`);
  }
}

describe("edge: config", () => {
  it("Cloudflare needs its zone id and an account", () => {
    assert.deepEqual(problems((c) => { c.edge = { dns: "cloudflare", domain: "feed.example.com" }; }), [
      `resilient-feed:edge.zoneId = undefined: the Cloudflare zone of edge.domain is required with edge.dns cloudflare (allowed: a Cloudflare zone id, 32 hex digits)`,
      `resilient-feed:edge.cloudflare = undefined: is required with edge.dns cloudflare: pools and monitors belong to an account (allowed: { accountId: <32 hex digits>, plan, monitorIntervalSeconds, expectedCodes, tls })`,
    ]);
  });

  it("the monitor interval is at least the plan's minimum (pro 60 s, business 15 s, enterprise 10 s)", () => {
    const cf = (plan: string, monitorIntervalSeconds: number) => problems((c) => { c.edge = { dns: "cloudflare", domain: "feed.example.com", zoneId: CF_ZONE, cloudflare: { accountId: CF_ACCOUNT, plan, monitorIntervalSeconds } }; });
    assert.deepEqual(cf("pro", 30), ["resilient-feed:edge.cloudflare.monitorIntervalSeconds = 30: is below what the pro plan allows for load-balancer monitors (allowed: 60..3600)"]);
    assert.deepEqual(cf("business", 15), []);
    assert.deepEqual(cf("enterprise", 10), []);
    assert.match(cf("business", 10)[0], /allowed: 15\.\.3600/);
  });

  it("the default monitor interval is the plan's minimum", () => {
    const t = buildTopology(parseProjectConfig(prodWith((c) => { c.edge = { dns: "cloudflare", domain: "feed.example.com", zoneId: CF_ZONE, cloudflare: { accountId: CF_ACCOUNT, plan: "enterprise" } }; })));
    assert.deepEqual(t.edge.cloudflare, { accountId: CF_ACCOUNT, plan: "enterprise", monitorIntervalSeconds: 10, expectedCodes: "200", tls: "unmanaged", rulesets: "unmanaged" });
  });

  it("Route 53: zone id shape, ≥ 3 distinct checker regions, no Cloudflare block, zoneName containing the domain", () => {
    assert.deepEqual(problems((c) => { c.edge.zoneId = "abc"; }), ["resilient-feed:edge.zoneId = \"abc\": is not a Route 53 hosted zone id (allowed: Z followed by upper-case letters and digits, e.g. Z0123456789ABCDEFGHIJ)"]);
    assert.match(problems((c) => { c.edge.checkerRegions = ["us-east-1", "eu-west-1"]; })[0], /^resilient-feed:edge\.checkerRegions = \["us-east-1","eu-west-1"\]: too small \(allowed: ≥ 3\)/);
    assert.match(problems((c) => { c.edge.checkerRegions = ["us-east-1", "us-east-1", "eu-west-1"]; })[0], /lists a region twice/);
    assert.match(problems((c) => { c.edge.checkerRegions = ["us-east-1", "eu-west-1", "ap-northeast-2"]; })[0], /^resilient-feed:edge\.checkerRegions\[2\] = "ap-northeast-2": not allowed \(allowed: us-east-1 \| us-west-1/);
    assert.match(problems((c) => { c.edge.cloudflare = { accountId: CF_ACCOUNT }; })[0], /^resilient-feed:edge\.cloudflare = .*edge\.dns is route53/);
    assert.deepEqual(problems((c) => { c.edge.zoneName = "other.com"; }), ["resilient-feed:edge.zoneName = \"other.com\": does not contain edge.domain feed.example.com (allowed: feed.example.com or one of its parent domains)"]);
  });

  it("Route 53 latency routing needs AWS regions", () => {
    const raw = stackRaw("dev");
    raw.edge = { dns: "route53", domain: "dev.feed.example.com" };
    raw.sites.secondary = { cloud: "digitalocean", region: "syd1", cidr: "10.40.0.0/16" };
    raw.dr = { mode: "active-active", activeSite: "primary" };
    const found = problems(() => {}, raw);
    assert.ok(found.includes("resilient-feed:edge.geo = []: is empty, so active-active would use Route 53 latency records, which name AWS regions only, but a site is on digitalocean sgp1 (allowed: geo rules, or edge.dns cloudflare)"), found.join("\n"));
  });

  it("defaults: zone = the domain's parent, three checker regions", () => {
    const t = buildTopology(parseProjectConfig(prodWith(() => {})));
    assert.deepEqual([t.edge.zoneName, t.edge.checkerRegions, t.edge.zoneId], ["example.com", ["ap-northeast-1", "ap-southeast-1", "us-west-2"], undefined]);
  });
});
