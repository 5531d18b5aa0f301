import { strict as assert } from "node:assert";
import * as cloudflare from "@pulumi/cloudflare";
import { CloudflareEdge } from "../../infra/edge/cloudflare";
import type { SiteOrigin } from "../../infra/edge/origins";
import { evaluateStack } from "../../tools/plan/evaluate";
import { pick, record, setupMocks, type Recorded, type TierMocks } from "../aws-tiers/support/harness";
import { ALB, CF_ACCOUNT, CF_ZONE, albOrigins, edgeTopology, type EdgeVariant } from "./support";

// The Cloudflare edge: one monitor on /readyz, one pool per routable site, a proxied load
// balancer on edge.domain; exact inputs for failover and geo, before and after a failover.

let mocks: TierMocks;
let n = 0;

async function build(v: EdgeVariant, origins: SiteOrigin[] = albOrigins()): Promise<{ rec: Recorded; name: string }> {
  const name = `cf${n++}`;
  const rec = await record(mocks, () => {
    const provider = new cloudflare.Provider(`${name}-p`, { apiToken: "test-token" });
    new CloudflareEdge(name, { topology: edgeTopology({ dns: "cloudflare", ...v }), origins, provider });
  });
  return { rec, name };
}
const lbOf = (rec: Recorded) => rec.one("cloudflare:index/loadBalancer:LoadBalancer", rec.of("cloudflare:index/loadBalancer:LoadBalancer")[0].name).inputs as Record<string, any>;
const poolId = (name: string, site: string) => `${name}-${site}-id`;

describe("edge: Cloudflare", function () {
  this.timeout(120_000);
  before(async () => {
    mocks = await setupMocks("prod");
  });

  it("monitor: HTTPS GET /readyz with the configured codes and interval, Host = edge.domain, certificate checked", async () => {
    const { rec } = await build({});
    const [monitor] = rec.of("cloudflare:index/loadBalancerMonitor:LoadBalancerMonitor");
    assert.deepEqual(pick(monitor, ["accountId", "type", "method", "path", "expectedCodes", "interval", "timeout", "retries", "consecutiveDown", "consecutiveUp", "followRedirects", "allowInsecure", "header"]), {
      accountId: CF_ACCOUNT, type: "https", method: "GET", path: "/readyz", expectedCodes: "200", interval: 15, timeout: 5, retries: 1, consecutiveDown: 3, consecutiveUp: 2, followRedirects: false, allowInsecure: false, header: { Host: ["feed.example.com"] },
    });
  });

  it("failover (warm-standby): a pool per site (origin = the ALB DNS name), defaultPools primary then secondary, fallback = primary, steering off, proxied", async () => {
    const { rec, name } = await build({});
    const pools = rec.of("cloudflare:index/loadBalancerPool:LoadBalancerPool").sort((a, b) => a.name.localeCompare(b.name));
    assert.deepEqual(pools.map((p) => pick(p, ["accountId", "name", "monitor", "minimumOrigins", "origins"])), (["primary", "secondary"] as const).map((site) => ({
      accountId: CF_ACCOUNT, name: `resilient-feed-prod-${site}`, monitor: `${name}-readyz-id`, minimumOrigins: 1,
      origins: [{ name: `${site}-lb`, address: ALB[site].dnsName, port: 0, enabled: true, weight: 1, header: { hosts: ["feed.example.com"] } }],
    })));
    const lb = lbOf(rec);
    assert.deepEqual(pick({ inputs: lb } as any, ["zoneId", "name", "proxied", "steeringPolicy", "sessionAffinity", "defaultPools", "fallbackPool", "regionPools", "countryPools", "ttl"]), {
      zoneId: CF_ZONE, name: "feed.example.com", proxied: true, steeringPolicy: "off", sessionAffinity: "none",
      defaultPools: [poolId(name, "primary"), poolId(name, "secondary")], fallbackPool: poolId(name, "primary"), regionPools: undefined, countryPools: undefined, ttl: undefined,
    });
  });

  it("failover after failing over: only the secondary's pool exists and is default and fallback", async () => {
    for (const mode of ["pilot-light", "warm-standby", "backup-restore"] as const) {
      const { rec, name } = await build({ mode, activeSite: "secondary" });
      assert.deepEqual(rec.of("cloudflare:index/loadBalancerPool:LoadBalancerPool").map((p) => p.name), [`${name}-secondary`], mode);
      const lb = lbOf(rec);
      assert.deepEqual([lb.defaultPools, lb.fallbackPool], [[poolId(name, "secondary")], poolId(name, "secondary")], mode);
    }
  });

  it("geo (active-active with rules): region pools for the continent, country pools for the country, each with the other site behind", async () => {
    const { rec, name } = await build({ mode: "active-active", geo: true });
    const lb = lbOf(rec);
    const p = poolId(name, "primary");
    const s = poolId(name, "secondary");
    assert.equal(lb.steeringPolicy, "geo");
    assert.deepEqual(lb.countryPools, { JP: [s, p] });
    assert.deepEqual(lb.regionPools, { ME: [p, s], SAS: [p, s], SEAS: [p, s], NEAS: [p, s] });
    assert.deepEqual([lb.defaultPools, lb.fallbackPool], [[p, s], p]);
  });

  it("geo after failover: no pool, region entry or fallback names the fenced primary", async () => {
    const { rec, name } = await build({ mode: "active-active", geo: true, activeSite: "secondary" });
    const lb = lbOf(rec);
    const s = poolId(name, "secondary");
    assert.deepEqual([lb.countryPools, lb.regionPools, lb.defaultPools, lb.fallbackPool], [{ JP: [s] }, {}, [s], s]);
  });

  it("latency (active-active, no rules): dynamic latency steering over both pools", async () => {
    const { rec, name } = await build({ mode: "active-active" });
    const lb = lbOf(rec);
    assert.deepEqual([lb.steeringPolicy, lb.defaultPools], ["dynamic_latency", [poolId(name, "primary"), poolId(name, "secondary")]]);
  });

  it("TLS: nothing by default; per-hostname minimum TLS on opt-in 'hostname'; zone-wide settings only on opt-in 'zone'", async () => {
    const none = (await build({})).rec;
    assert.equal(none.of("cloudflare:index/hostnameTlsSetting:HostnameTlsSetting").length + none.of("cloudflare:index/zoneSetting:ZoneSetting").length, 0);
    const hostname = (await build({ edge: { cloudflare: { accountId: CF_ACCOUNT, plan: "business", tls: "hostname" } } })).rec;
    assert.deepEqual(hostname.of("cloudflare:index/hostnameTlsSetting:HostnameTlsSetting").map((r) => r.inputs), [{ zoneId: CF_ZONE, hostname: "feed.example.com", settingId: "min_tls_version", value: "1.2" }]);
    assert.equal(hostname.of("cloudflare:index/zoneSetting:ZoneSetting").length, 0);
    const zone = (await build({ edge: { cloudflare: { accountId: CF_ACCOUNT, plan: "business", tls: "zone" } } })).rec;
    assert.deepEqual(zone.of("cloudflare:index/zoneSetting:ZoneSetting").map((r) => [r.inputs.settingId, r.inputs.value]).sort(), [["always_use_https", "on"], ["min_tls_version", "1.2"], ["ssl", "strict"]]);
  });

  it("a DigitalOcean origin: the load balancer's IP over HTTPS; an Origin CA certificate turns the monitor's verification off", async () => {
    const ip: SiteOrigin[] = [{ site: "primary", kind: "ip", region: "sgp1", ip: "203.0.113.10", https: true, publiclyTrusted: false }, { site: "secondary", kind: "ip", region: "syd1", ip: "203.0.113.11", https: true, publiclyTrusted: false }];
    const { rec } = await build({}, ip);
    assert.deepEqual(pick(rec.of("cloudflare:index/loadBalancerMonitor:LoadBalancerMonitor")[0], ["type", "allowInsecure"]), { type: "https", allowInsecure: true });
    assert.deepEqual(rec.of("cloudflare:index/loadBalancerPool:LoadBalancerPool").map((p) => (p.inputs.origins as any[])[0].address).sort(), ["203.0.113.10", "203.0.113.11"]);
  });

  it("dev as shipped (DigitalOcean + Cloudflare) plans: explicit provider, a pool on the DO load balancer, a proxied load balancer", async () => {
    const dev = await evaluateStack({ stack: "dev" });
    const types = (t: string) => dev.resources.filter((r) => r.type === t);
    assert.equal(types("pulumi:providers:cloudflare").length, 1);
    const [pool] = types("cloudflare:index/loadBalancerPool:LoadBalancerPool");
    assert.deepEqual((pool.inputs.origins as any[])[0].address, "203.0.113.10");
    const [lb] = types("cloudflare:index/loadBalancer:LoadBalancer");
    assert.deepEqual(pick(lb, ["name", "proxied", "steeringPolicy", "defaultPools", "fallbackPool", "zoneId"]), {
      name: "dev.feed.example.com", proxied: true, steeringPolicy: "off", defaultPools: ["edge-primary-id"], fallbackPool: "edge-primary-id", zoneId: "0123456789abcdef0123456789abcdef",
    });
  });
});
