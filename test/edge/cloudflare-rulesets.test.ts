import { strict as assert } from "node:assert";
import * as cloudflare from "@pulumi/cloudflare";
import { authRateLimit, MANAGED_RULESET_BY_PLAN, RATE_LIMITING_BY_PLAN } from "../../infra/edge/cloudflare-rulesets";
import { CloudflareEdge } from "../../infra/edge/cloudflare";
import { record, setupMocks, type Recorded, type TierMocks } from "../aws-tiers/support/harness";
import { CF_ACCOUNT, CF_ZONE, albOrigins, edgeTopology } from "./support";

// Cloudflare's share of the WAF (edge.waf with edge.cloudflare.rulesets: zone): the zone's rate
// limiting and managed-WAF entry points, shaped by what the zone's plan allows.

let mocks: TierMocks;
let n = 0;
const RULESET = "cloudflare:index/ruleset:Ruleset";

async function build(plan: string, rulesets: "zone" | "unmanaged", waf?: boolean): Promise<Recorded> {
  const name = `cfw${n++}`;
  const cf = { accountId: CF_ACCOUNT, plan, monitorIntervalSeconds: 60, rulesets };
  return record(mocks, () => {
    const provider = new cloudflare.Provider(`${name}-p`, { apiToken: "test-token" });
    new CloudflareEdge(name, { topology: edgeTopology({ dns: "cloudflare", edge: { cloudflare: cf, ...(waf === undefined ? {} : { waf }) } }), origins: albOrigins(), provider });
  });
}
const ruleset = (rec: Recorded, phase: string) => rec.of(RULESET).find((r) => r.inputs.phase === phase)?.inputs as Record<string, any>;

describe("edge: Cloudflare rulesets", function () {
  this.timeout(120_000);
  before(async () => {
    mocks = await setupMocks("prod");
  });

  it("per plan (Cloudflare's availability table): Free counts 10 s and blocks 10 s, Pro and up count and block a minute; one rule fits every plan", () => {
    assert.deepEqual(authRateLimit("free", 60), { period: 10, requestsPerPeriod: 10, mitigationTimeout: 10 });
    assert.deepEqual(authRateLimit("free", 61), { period: 10, requestsPerPeriod: 11, mitigationTimeout: 10 });
    assert.deepEqual(authRateLimit("pro", 60), { period: 60, requestsPerPeriod: 60, mitigationTimeout: 60 });
    assert.deepEqual(authRateLimit("enterprise", 25), { period: 60, requestsPerPeriod: 25, mitigationTimeout: 60 });
    assert.deepEqual(Object.values(RATE_LIMITING_BY_PLAN).map((p) => p.rules), [1, 2, 5, 100]);
    assert.deepEqual(Object.values(MANAGED_RULESET_BY_PLAN).map((m) => m.id), ["77454fe2d30c4220b5701f6fdfb893ba", "efb7b8c949ac4650a09736fc376e9aee", "efb7b8c949ac4650a09736fc376e9aee", "efb7b8c949ac4650a09736fc376e9aee"]);
  });

  it("a Pro zone the program owns (prod: WAF on by default): a 60/min per-IP 429 on /auth/ and the Cloudflare Managed Ruleset, each the phase's zone entry point", async () => {
    const rec = await build("pro", "zone");
    assert.equal(rec.of(RULESET).length, 2);
    const rl = ruleset(rec, "http_ratelimit");
    assert.deepEqual([rl.zoneId, rl.kind], [CF_ZONE, "zone"]);
    assert.deepEqual(rl.rules, [{
      ref: "auth_per_ip",
      description: "auth paths: 60 requests a minute per IP",
      expression: '(starts_with(http.request.uri.path, "/auth/"))',
      action: "block",
      actionParameters: { response: { statusCode: 429, contentType: "application/json", content: '{"error":{"code":"rate_limited","message":"too many requests"}}' } },
      ratelimit: { characteristics: ["cf.colo.id", "ip.src"], period: 60, requestsPerPeriod: 60, mitigationTimeout: 60 },
      enabled: true,
    }]);
    const waf = ruleset(rec, "http_request_firewall_managed");
    assert.deepEqual([waf.zoneId, waf.kind, waf.rules], [CF_ZONE, "zone", [{ ref: "managed_waf", description: "Cloudflare Managed Ruleset", expression: "true", action: "execute", actionParameters: { id: "efb7b8c949ac4650a09736fc376e9aee" }, enabled: true }]]);
  });

  it("a Free zone: the rate over 10 s and the Free Managed Ruleset", async () => {
    const rec = await build("free", "zone");
    assert.deepEqual(ruleset(rec, "http_ratelimit").rules[0].ratelimit, { characteristics: ["cf.colo.id", "ip.src"], period: 10, requestsPerPeriod: 10, mitigationTimeout: 10 });
    assert.deepEqual(ruleset(rec, "http_request_firewall_managed").rules[0].actionParameters, { id: "77454fe2d30c4220b5701f6fdfb893ba" });
  });

  it("no rulesets where the zone's rules are not the program's, or the WAF is off", async () => {
    assert.equal((await build("pro", "unmanaged")).of(RULESET).length, 0);
    assert.equal((await build("pro", "zone", false)).of(RULESET).length, 0);
  });
});
