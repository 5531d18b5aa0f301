import { strict as assert } from "node:assert";
import * as cloudflare from "@pulumi/cloudflare";
import { CloudflareEdge } from "../../infra/edge/cloudflare";
import { Route53Edge } from "../../infra/edge/route53";
import { entryPlan, recordPlans, routableSites, steeringPlan } from "../../infra/edge/routing";
import type { DrMode } from "../../infra/topology/types";
import { record, setupMocks, type TierMocks } from "../aws-tiers/support/harness";
import { ALB, albOrigins, edgeTopology } from "./support";

// After a failover the old writer's site is fenced but its API still runs against its old,
// still-writable database. Nothing at the edge may send a user there: no record, pool, default
// or fallback, for every mode and for both DNS providers (and with geo rules naming it).

const MODES: DrMode[] = ["backup-restore", "pilot-light", "warm-standby", "active-active"];
let mocks: TierMocks;
let n = 0;

describe("edge: no split brain after a failover", function () {
  this.timeout(120_000);
  before(async () => {
    mocks = await setupMocks("prod");
  });

  it("the routing plan names only the secondary, in every mode (geo rules for the primary dropped)", () => {
    for (const mode of MODES) {
      for (const geo of mode === "active-active" ? [false, true] : [false]) {
        const t = edgeTopology({ mode, activeSite: "secondary", geo });
        assert.deepEqual(routableSites(t).map((s) => s.key), ["secondary"], mode);
        const entry = entryPlan(t);
        const answered = [...recordPlans(t).map((r) => r.site), ...(entry.kind === "site" ? [entry.site] : [])];
        assert.deepEqual([...new Set(answered)], ["secondary"], `${mode} geo=${geo}`);
        const steering = steeringPlan(t);
        const named = [...steering.defaultOrder, ...Object.values(steering.regionOrder).flat(), ...Object.values(steering.countryOrder).flat()];
        assert.deepEqual([...new Set(named)], ["secondary"], `${mode} geo=${geo}`);
      }
    }
  });

  for (const mode of MODES) {
    it(`${mode}, active secondary: no Route 53 or Cloudflare input mentions the primary's load balancer`, async () => {
      const geo = mode === "active-active";
      const r53 = await record(mocks, () => { new Route53Edge(`sb${n++}`, { topology: edgeTopology({ mode, activeSite: "secondary", geo }), origins: albOrigins() }); });
      const cf = await record(mocks, () => {
        const name = `sb${n++}`;
        new CloudflareEdge(name, { topology: edgeTopology({ mode, activeSite: "secondary", geo, dns: "cloudflare" }), origins: albOrigins(), provider: new cloudflare.Provider(`${name}-p`, { apiToken: "t" }) });
      });
      const everything = JSON.stringify([...r53.custom, ...cf.custom].map((r) => [r.name, r.inputs]));
      assert.ok(!everything.includes(ALB.primary.dnsName), `${mode}: the primary's ALB is still an answer`);
      assert.ok(!/-primary(-readyz)?-id/.test(everything), `${mode}: a record, pool or fallback refers to a primary resource`);
      assert.ok(everything.includes(ALB.secondary.dnsName));
      assert.ok(r53.of("route53/record:Record").length >= 1);
      assert.equal(cf.of("cloudflare:index/loadBalancerPool:LoadBalancerPool").length, 1);
    });
  }
});
