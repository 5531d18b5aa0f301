import { strict as assert } from "node:assert";
import { evaluateStack } from "../../tools/plan/evaluate";
import type { PlanResult, PlannedResource } from "../../tools/plan/types";
import { drState } from "../support/config-fixtures";

// Static stability of the prod program as infra/index.ts runs it: a failover (`dr.activeSite:
// secondary`) changes no input of any resource in the failed primary region, tags included, in
// every mode; a mode switch adds or removes in the primary only what the DR matrix says (the
// peering to the standby's replica) and updates nothing; the global CDN never changes.

const MODES = ["backup-restore", "pilot-light", "warm-standby", "active-active"] as const;
const PRIMARY_REGION = "ap-northeast-2";
const key = (r: PlannedResource) => `${r.type}::${r.name}`;
/** the failed site: every resource in its region (the per-resource region), and its own (IAM and other global ones named after it) */
const inPrimary = (r: PlannedResource) => r.custom && (r.region === PRIMARY_REGION || r.name.startsWith("primary-"));
const cdnResources = (r: PlannedResource) => r.custom && (r.type.startsWith("aws:cloudfront/") || r.name.startsWith("cdn") || r.name.startsWith("static-replication"));

function inputsBy(p: PlanResult, which: (r: PlannedResource) => boolean): Map<string, string> {
  return new Map(p.resources.filter(which).map((r) => [key(r), JSON.stringify(r.inputs)]));
}

function diff(a: Map<string, string>, b: Map<string, string>) {
  return {
    create: [...b.keys()].filter((k) => !a.has(k)).sort(),
    delete: [...a.keys()].filter((k) => !b.has(k)).sort(),
    update: [...a.keys()].filter((k) => b.has(k) && a.get(k) !== b.get(k)).sort(),
  };
}

describe("DR transitions of the prod program: static stability", function () {
  this.timeout(600_000);
  const plans = new Map<string, PlanResult>();
  const plan = (mode: string, site: string) => plans.get(`${mode}/${site}`)!;

  before(async () => {
    for (const mode of MODES) for (const site of ["primary", "secondary"]) plans.set(`${mode}/${site}`, await evaluateStack({ stack: "prod", configOverrides: { dr: drState(mode, site) } }));
  });

  for (const mode of MODES) {
    it(`${mode}: failing over changes nothing in the primary region, tags included, and leaves the CDN as it was`, () => {
      const before = inputsBy(plan(mode, "primary"), inPrimary);
      assert.ok(before.size > 150, `the primary has its whole stack (${before.size})`);
      assert.deepEqual(diff(before, inputsBy(plan(mode, "secondary"), inPrimary)), { create: [], delete: [], update: [] });
      assert.deepEqual(diff(inputsBy(plan(mode, "primary"), cdnResources), inputsBy(plan(mode, "secondary"), cdnResources)), { create: [], delete: [], update: [] });
      // the static files' distribution and the API's (CloudFront in front of the API, at edge.domain)
      assert.deepEqual(plan(mode, "secondary").resources.filter((r) => r.type === "aws:cloudfront/distribution:Distribution").map((r) => r.name).sort(), ["cdn", "cdn-api"]);
    });
  }

  it("the state that does change lives on the Deployment component and in the stack outputs", () => {
    const deployment = (p: PlanResult) => p.resources.find((r) => r.type === "resilient-feed:index:Deployment")!.inputs as any;
    assert.deepEqual(deployment(plan("warm-standby", "primary")).sites, {
      primary: { role: "active", servesTraffic: true, database: "writer" }, secondary: { role: "standby", servesTraffic: false, database: "replica" },
    });
    assert.deepEqual(deployment(plan("warm-standby", "secondary")).sites, {
      primary: { role: "standby", servesTraffic: false, database: "fenced" }, secondary: { role: "active", servesTraffic: true, database: "writer" },
    });
    assert.deepEqual([(plan("warm-standby", "secondary").outputs.sites as any).primary.role, plan("warm-standby", "secondary").outputs.activeSite], ["standby", "secondary"]);
    for (const p of plans.values()) {
      for (const r of p.resources.filter((x) => x.custom)) {
        const tags = r.inputs.tags;
        const keys = Array.isArray(tags) ? tags.map((t: any) => t.key) : Object.keys((tags ?? {}) as object);
        assert.ok(!keys.includes("role") && !keys.includes("dr-mode"), `${key(r)} tags ${keys.join(",")}`);
      }
    }
  });

  it("mode switches in the primary: backup-restore ↔ pilot-light adds/removes only the peering to the standby's replica; the other switches change nothing; nothing is updated", () => {
    const primary = (mode: string) => inputsBy(plan(mode, "primary"), inPrimary);
    const peering = diff(primary("backup-restore"), primary("pilot-light"));
    assert.deepEqual([peering.delete, peering.update], [[], []]);
    const types = (ks: string[]) => ks.map((k) => k.split("::")[0]).reduce<Record<string, number>>((acc, t) => ({ ...acc, [t]: (acc[t] ?? 0) + 1 }), {});
    assert.deepEqual(types(peering.create), {
      "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": 1,
      // the app tier may reach the peer's database, the database admits the peer's app tier (3 AZs each)
      "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": 3,
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": 3,
      // the private route tables (3 app + 1 data) route to the peer
      "aws:ec2/route:Route": 4,
      "aws:ec2/networkAclRule:NetworkAclRule": 9,
    });
    assert.ok(peering.create.every((k) => /peer|sites-peering|-private-(app|data)-(in|out)-\d+$/.test(k)), peering.create.join("\n"));
    assert.deepEqual(diff(primary("pilot-light"), primary("backup-restore")), { create: [], delete: peering.create, update: [] });
    assert.deepEqual(diff(primary("pilot-light"), primary("warm-standby")), { create: [], delete: [], update: [] });
    assert.deepEqual(diff(primary("warm-standby"), primary("active-active")), { create: [], delete: [], update: [] });
    // the CDN and the static replication are the same in every mode but for the API origin's
    // name, which follows the routing policy (single., failover., latency.<domain>)
    const label = { "backup-restore": "single", "pilot-light": "failover", "warm-standby": "failover", "active-active": "latency" } as const;
    const anyOrigin = (p: PlanResult, mode: keyof typeof label) => new Map([...inputsBy(p, cdnResources)].map(([k, v]) => [k, v.replaceAll(`"${label[mode]}.feed.example.com"`, '"<origin>"')]));
    for (const mode of MODES) {
      assert.deepEqual(diff(anyOrigin(plan("backup-restore", "primary"), "backup-restore"), anyOrigin(plan(mode, "primary"), mode)), { create: [], delete: [], update: [] }, mode);
      assert.ok(inputsBy(plan(mode, "primary"), cdnResources).get("aws:cloudfront/distribution:Distribution::cdn-api")!.includes(`"domainName":"${label[mode]}.feed.example.com"`), mode);
    }
  });
});
