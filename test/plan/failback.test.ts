import { strict as assert } from "node:assert";
import { diffPlans, type PlanDiff } from "../../tools/plan/diff";
import { evaluateStack } from "../../tools/plan/evaluate";
import type { PlanResult } from "../../tools/plan/types";

// Failback as config states on the prod program (warm-standby), each stage one config change:
//   failed over        dr.activeSite: secondary                      (the primary is fenced)
//   1 re-seed primary  + dr.databaseGeneration.primary: 1            (a new replica of the secondary)
//   2 switch back      dr.activeSite: primary                        (the secondary is fenced)
//   3 re-seed secondary + dr.databaseGeneration.secondary: 1         (a new replica of the primary)
// Each stage writes nothing to the site that keeps serving, replaces nothing, and the old writer
// only leaves the stack (retainOnDelete), never the cloud.

const state = (activeSite: string, primary: number, secondary: number) => ({ dr: { activeSite, databaseGeneration: { primary, secondary } } });
const DB_TYPES = ["aws:rds/instance:Instance", "aws:kms/key:Key", "aws:rds/subnetGroup:SubnetGroup", "aws:rds/parameterGroup:ParameterGroup", "aws:iam/role:Role", "aws:iam/rolePolicyAttachment:RolePolicyAttachment"];

/**
 * Each record: its name, failover role (or -) and what it answers with (a site's ALB, a set's
 * name, or the API distribution and the name it calls: CloudFront in front of the API).
 */
function records(p: PlanResult): string[] {
  const api = p.resources.find((r) => r.type === "aws:cloudfront/distribution:Distribution" && r.name === "cdn-api");
  const origin = (api?.inputs.origins as { domainName: string }[] | undefined)?.[0]?.domainName;
  const target = (name: string) => (name.endsWith(".cloudfront.net") ? `cdn-api → ${origin}` : /^(primary|secondary)-api\./.exec(name)?.[1] ?? name);
  return p.resources
    .filter((r) => r.type === "aws:route53/record:Record" && r.name.startsWith("edge-"))
    .map((r) => {
      const role = ((r.inputs.failoverRoutingPolicies as { type: string }[] | undefined) ?? []).map((f) => f.type).join(",") || "-";
      return `${r.name} ${role} → ${target(String((r.inputs.aliases as { name: string }[])[0].name))}`;
    })
    .sort();
}

const sites = (p: PlanResult) => (p.resources.find((r) => r.type === "resilient-feed:index:Deployment")!.inputs as { sites: unknown }).sites;
const changes = (d: PlanDiff, site: string) => d.changes.filter((c) => c.site === site).map((c) => `${c.op} ${c.name}`).sort();
const quiet = (d: PlanDiff, site: string) => ({ ...d.totals[site], unchanged: 0 });
const NONE = { create: 0, delete: 0, update: 0, replace: 0, unchanged: 0 };

describe("failback as config states (prod, warm-standby)", function () {
  this.timeout(600_000);
  let failed: PlanResult, reseeded: PlanResult, switched: PlanResult, back: PlanResult;
  before(async () => {
    failed = await evaluateStack({ stack: "prod", configOverrides: state("secondary", 0, 0) });
    reseeded = await evaluateStack({ stack: "prod", configOverrides: state("secondary", 1, 0) });
    switched = await evaluateStack({ stack: "prod", configOverrides: state("primary", 1, 0) });
    back = await evaluateStack({ stack: "prod", configOverrides: state("primary", 1, 1) });
  });

  it("1 re-seed: the primary gains a replica of the secondary's writer; the old writer leaves the stack but stays in the cloud; nothing in the secondary changes", () => {
    const d = diffPlans(failed, reseeded);
    assert.deepEqual(quiet(d, "secondary"), NONE);
    assert.ok(d.totals.secondary.unchanged > 150);
    assert.equal(d.changes.filter((c) => c.op === "+-").length, 0);
    assert.deepEqual(d.changes.filter((c) => c.op === "+").map((c) => c.name).sort().filter((n) => n.startsWith("primary-")), [
      "primary-db-g1", "primary-db-g1-kms", "primary-db-g1-monitoring", "primary-db-g1-monitoring", "primary-db-g1-params", "primary-db-g1-subnets",
    ]);
    const replica = reseeded.resources.find((r) => r.name === "primary-db-g1" && r.type === "aws:rds/instance:Instance")!;
    const writer = failed.resources.find((r) => r.name === "secondary-db" && r.type === "aws:rds/instance:Instance")!;
    const key = reseeded.resources.find((r) => r.name === "primary-db-g1-kms")!;
    assert.deepEqual([replica.inputs.replicateSourceDb, replica.region, replica.inputs.kmsKeyId, replica.inputs.multiAz, replica.inputs.backupRetentionPeriod],
      [writer.arn, "ap-northeast-2", key.arn, true, 14]);
    // a replica takes no final snapshot (RDS refuses one): its data is on its writer
    assert.deepEqual([replica.inputs.skipFinalSnapshot, replica.inputs.finalSnapshotIdentifier], [true, undefined]);
    // every piece of the old writer is retained; nothing else is
    const deletes = d.changes.filter((c) => c.op === "-");
    const oldWriter = deletes.filter((c) => DB_TYPES.includes(c.type) && /^primary-db(-read-\d|-kms|-params|-subnets|-monitoring)?$/.test(c.name));
    assert.deepEqual(oldWriter.map((c) => c.name).sort(), ["primary-db", "primary-db-kms", "primary-db-monitoring", "primary-db-monitoring", "primary-db-params", "primary-db-read-0", "primary-db-read-1", "primary-db-subnets"]);
    assert.ok(oldWriter.every((c) => c.retained), "the old writer's instances and keys are retained");
    assert.deepEqual(deletes.filter((c) => c.retained && !oldWriter.includes(c)), [], "only the old writer is retained");
    // the primary is the standby again: warm, its apps writing to the secondary's writer
    assert.deepEqual(sites(reseeded), { primary: { role: "standby", servesTraffic: false, database: "replica" }, secondary: { role: "active", servesTraffic: true, database: "writer" } });
    assert.deepEqual(records(reseeded), ["edge-entry - → cdn-api → failover.feed.example.com", "edge-failover-primary PRIMARY → secondary", "edge-failover-secondary SECONDARY → primary"]);
    assert.deepEqual(changes(d, "global"), ["+ edge-failover-secondary", "+ edge-primary-readyz", "+ edge-primary-unready"]);
  });

  it("2 switch back: the re-seeded replica is promoted in place; the secondary is fenced and untouched; only the primary answers", () => {
    const d = diffPlans(reseeded, switched);
    assert.deepEqual(quiet(d, "secondary"), NONE);
    assert.equal(d.changes.filter((c) => c.op === "+-" || c.op === "-").filter((c) => c.site !== "global").length, 0);
    assert.deepEqual(d.changes.find((c) => c.name === "primary-db-g1" && c.type === "aws:rds/instance:Instance")?.changedKeys, ["applyImmediately", "finalSnapshotIdentifier", "password", "replicateSourceDb", "skipFinalSnapshot"]);
    const promoted = switched.resources.find((r) => r.name === "primary-db-g1" && r.type === "aws:rds/instance:Instance")!;
    assert.deepEqual([promoted.inputs.replicateSourceDb, promoted.inputs.applyImmediately, promoted.inputs.backupRetentionPeriod], [undefined, true, 14]);
    // the promoted writer keeps a final snapshot, named after its generation
    assert.deepEqual([promoted.inputs.skipFinalSnapshot, promoted.inputs.finalSnapshotIdentifier], [false, "resilient-feed-prod-primary-g1-final"]);
    assert.ok(changes(d, "primary").includes("+ primary-db-g1-read-0") && changes(d, "primary").includes("+ primary-backup"));
    assert.deepEqual(sites(switched), { primary: { role: "active", servesTraffic: true, database: "writer" }, secondary: { role: "standby", servesTraffic: false, database: "fenced" } });
    assert.deepEqual(records(switched), ["edge-entry - → cdn-api → failover.feed.example.com", "edge-failover-primary PRIMARY → primary"], "the fenced secondary gets no record");
    assert.equal((switched.outputs as { fencedSite?: string }).fencedSite, "secondary");
  });

  it("3 re-seed the secondary: back to the normal shape (primary writes, secondary replicates); nothing in the primary changes", () => {
    const d = diffPlans(switched, back);
    assert.deepEqual(quiet(d, "primary"), NONE);
    assert.ok(d.totals.primary.unchanged > 150);
    const replica = back.resources.find((r) => r.name === "secondary-db-g1" && r.type === "aws:rds/instance:Instance")!;
    const writer = switched.resources.find((r) => r.name === "primary-db-g1" && r.type === "aws:rds/instance:Instance")!;
    assert.deepEqual([replica.inputs.replicateSourceDb, replica.region], [writer.arn, "ap-northeast-1"]);
    assert.ok(d.changes.filter((c) => c.op === "-" && c.type === "aws:rds/instance:Instance").every((c) => c.retained));
    assert.deepEqual(sites(back), { primary: { role: "active", servesTraffic: true, database: "writer" }, secondary: { role: "standby", servesTraffic: false, database: "replica" } });
    assert.deepEqual(records(back), ["edge-entry - → cdn-api → failover.feed.example.com", "edge-failover-primary PRIMARY → primary", "edge-failover-secondary SECONDARY → secondary"]);
    assert.equal((back.outputs as { fencedSite?: string }).fencedSite, undefined);
  });

  it("active-active switched back: the fenced secondary gets no latency record; a geo rule naming it falls to the default", async () => {
    const latency = await evaluateStack({ stack: "prod", configOverrides: { dr: { mode: "active-active", activeSite: "primary", databaseGeneration: { primary: 1, secondary: 0 } } } });
    assert.deepEqual(records(latency), ["edge-entry - → cdn-api → latency.feed.example.com", "edge-latency-primary - → primary"]);
    const geo = await evaluateStack({ stack: "prod", configOverrides: { dr: { mode: "active-active", activeSite: "primary", databaseGeneration: { primary: 1, secondary: 0 } }, edge: { geo: [{ country: "JP", site: "secondary" }] } } });
    const answers = geo.resources.filter((r) => r.type === "aws:route53/record:Record" && r.name !== "edge-entry").map((r) => `${r.name} ${JSON.stringify(r.inputs.geolocationRoutingPolicies ?? [])}`);
    assert.deepEqual(answers, ['edge-geo-default [{"country":"*"}]']);
  });
});
