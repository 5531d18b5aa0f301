import { strict as assert } from "node:assert";
import { ConfigError } from "../../infra/config/errors";
import { parseProjectConfig } from "../../infra/config/parse";
import { RELEASED_TAG } from "../../infra/aws/tags";
import { buildTopology } from "../../infra/topology/build";
import { RELEASED_TAG as PACK_RELEASED_TAG } from "../../policies/rules/rds";
import { diffPlans, formatDiff, type PlanDiff, type ResourceChange } from "../../tools/plan/diff";
import { evaluateStack } from "../../tools/plan/evaluate";
import type { RecordingMocks } from "../../tools/plan/mocks";
import type { PlanResult, PlannedResource } from "../../tools/plan/types";
import { reviewPlan } from "../../tools/policy-review/review";
import { allPolicies } from "../../policies/rules/all";
import { prodWith, rejection } from "../support/config-fixtures";

// Mode switches that remove the standby's resources, in the two stages the cloud accepts: the
// provider reads deletion protection, forceDestroy and the final-snapshot settings from state
// when it deletes, and Pulumi deletes last in a run. So stage 1 (`dr.releaseProtection:
// secondary`) only updates them in place, and stage 2 (the mode switch, release still set)
// deletes nothing that is protected, asks a replica for a final snapshot or leaves a bucket
// with objects behind. Replicas never take a final snapshot; a writer keeps one in prod.

const MODES = ["backup-restore", "pilot-light", "warm-standby", "active-active"] as const;
type Mode = (typeof MODES)[number];
const RDS = "aws:rds/instance:Instance";
const ALB = "aws:lb/loadBalancer:LoadBalancer";
const BUCKET = "aws:s3/bucket:Bucket";

/** Why the cloud would refuse to delete `r`, from the inputs in state; undefined when it would not. */
function refusal(r: PlannedResource): string | undefined {
  const x = r.inputs;
  if (r.retainOnDelete) return undefined;
  if (r.type === RDS && x.deletionProtection === true) return "RDS deletion protection";
  if (r.type === RDS && typeof x.replicateSourceDb === "string" && (x.skipFinalSnapshot !== true || x.finalSnapshotIdentifier !== undefined)) return "final snapshot of a read replica";
  if (r.type === ALB && x.enableDeletionProtection === true) return "ALB deletion protection";
  if (r.type === BUCKET && x.forceDestroy !== true) return "bucket without forceDestroy";
  return undefined;
}

function refusedDeletes(before: PlanResult, after: PlanResult): string[] {
  const kept = new Set(after.resources.map((r) => r.urn));
  return before.resources.filter((r) => r.custom && !kept.has(r.urn)).flatMap((r) => {
    const why = refusal(r);
    return why ? [`${r.name}: ${why}`] : [];
  }).sort();
}

function one(p: PlanResult, type: string, name: string): Record<string, unknown> {
  const hits = p.resources.filter((r) => r.type === type && r.name === name);
  assert.equal(hits.length, 1, `${type} ${name} in the ${JSON.stringify(p.config.dr)} plan`);
  return hits[0].inputs;
}

const pick = (x: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.map((k) => [k, x[k]]));
const SNAPSHOT_KEYS = ["deletionProtection", "skipFinalSnapshot", "finalSnapshotIdentifier"];
const bySite = (d: PlanDiff, site: string) => d.changes.filter((c) => c.site === site);
const ops = (cs: readonly ResourceChange[]) => cs.map((c) => `${c.op} ${c.name}`).sort();


describe("dr.releaseProtection: validation and the Topology", () => {
  it("refuses the writer's site, a site that is not set, the fenced site and unknown names, each naming the key, the value and what is allowed", () => {
    const writer = rejection(prodWith((r) => { r.dr.releaseProtection = "primary"; }));
    assert.match(writer, /resilient-feed:dr\.releaseProtection = "?primary"?: names the writer's site \(dr\.activeSite\).*\(allowed: secondary, the standby site\)/);
    const unknown = rejection(prodWith((r) => { r.dr.releaseProtection = "tertiary"; }));
    assert.match(unknown, /resilient-feed:dr\.releaseProtection = "?tertiary"?: not allowed \(allowed: primary \| secondary\)/);
    const missing = rejection(prodWith((r) => { delete r.sites.secondary; r.dr = { mode: "backup-restore", releaseProtection: "secondary" }; }));
    assert.match(missing, /resilient-feed:dr\.releaseProtection = "?secondary"?: names sites\.secondary, which is not set \(allowed: none, this state has no standby site\)/);
    const fenced = rejection(prodWith((r) => { r.dr.activeSite = "secondary"; r.dr.releaseProtection = "primary"; }));
    assert.match(fenced, /resilient-feed:dr\.releaseProtection = "?primary"?: names the fenced old writer.*\(allowed: none, this state has no standby site\)/);
    // failback stage 1: the re-seeded primary is the standby, the secondary writes
    const reseeded = rejection(prodWith((r) => { r.dr.activeSite = "secondary"; r.dr.databaseGeneration = { primary: 1, secondary: 0 }; r.dr.releaseProtection = "secondary"; }));
    assert.match(reseeded, /names the writer's site.*\(allowed: primary, the standby site\)/);
  });

  it("fails before any resource is registered", async () => {
    let mocks: RecordingMocks | undefined;
    await assert.rejects(
      evaluateStack({ stack: "prod", configOverrides: { dr: { releaseProtection: "primary" } }, observe: (m) => { mocks = m; } }),
      (e: unknown) => e instanceof ConfigError && /dr\.releaseProtection/.test(e.message),
    );
    assert.equal(mocks?.resources.length, 0);
  });

  it("lifts protection on the named standby only; prod protects otherwise, dev never did (and stays so)", () => {
    const prod = buildTopology(parseProjectConfig(prodWith(() => {})));
    const released = buildTopology(parseProjectConfig(prodWith((r) => { r.dr.releaseProtection = "secondary"; })));
    const dev = buildTopology(parseProjectConfig(prodWith((r) => { r.environment = "dev"; })));
    const devReleased = buildTopology(parseProjectConfig(prodWith((r) => { r.environment = "dev"; r.dr.releaseProtection = "secondary"; })));
    const of = (t: ReturnType<typeof buildTopology>) => t.sites.map((s) => [s.key, s.protection, s.database.deletionProtection]);
    assert.deepEqual(of(prod), [
      ["primary", { deletion: true, forceDestroyBuckets: false, released: false }, true],
      ["secondary", { deletion: true, forceDestroyBuckets: false, released: false }, true],
    ]);
    assert.deepEqual(of(released), [
      ["primary", { deletion: true, forceDestroyBuckets: false, released: false }, true],
      ["secondary", { deletion: false, forceDestroyBuckets: true, released: true }, false],
    ]);
    assert.deepEqual(of(dev), [
      ["primary", { deletion: false, forceDestroyBuckets: true, released: false }, false],
      ["secondary", { deletion: false, forceDestroyBuckets: true, released: false }, false],
    ]);
    assert.deepEqual(of(devReleased).map(([k, p]) => [k, (p as { deletion: boolean }).deletion]), [["primary", false], ["secondary", false]]);
    assert.ok(released.warnings.some((w) => w.startsWith("dr.releaseProtection: the secondary's")), released.warnings.join("\n"));
    assert.ok(!prod.warnings.some((w) => w.startsWith("dr.releaseProtection")));
  });

  it("the pack's copy of the released tag is the program's", () => {
    assert.deepEqual(PACK_RELEASED_TAG, RELEASED_TAG);
  });
});

describe("mode switches that remove the standby's resources, stage by stage (prod plans)", function () {
  this.timeout(900_000);
  const plans = new Map<string, PlanResult>();
  const plan = (mode: Mode, released = false) => plans.get(`${mode}${released ? "+release" : ""}`)!;
  let failedOver: PlanResult;

  before(async () => {
    for (const mode of MODES) {
      plans.set(mode, await evaluateStack({ stack: "prod", mode }));
      plans.set(`${mode}+release`, await evaluateStack({ stack: "prod", mode, configOverrides: { dr: { releaseProtection: "secondary" } } }));
    }
    failedOver = await evaluateStack({ stack: "prod", mode: "warm-standby", activeSite: "secondary" });
  });

  it("replicas take no final snapshot; writers keep one; everything is protected in prod", () => {
    const p = plan("warm-standby");
    assert.deepEqual(pick(one(p, RDS, "secondary-db"), SNAPSHOT_KEYS), { deletionProtection: true, skipFinalSnapshot: true, finalSnapshotIdentifier: undefined });
    assert.deepEqual(pick(one(p, RDS, "primary-db"), SNAPSHOT_KEYS), { deletionProtection: true, skipFinalSnapshot: false, finalSnapshotIdentifier: "resilient-feed-prod-primary-final" });
    for (const i of [0, 1]) assert.deepEqual(pick(one(p, RDS, `primary-db-read-${i}`), SNAPSHOT_KEYS), { deletionProtection: true, skipFinalSnapshot: true, finalSnapshotIdentifier: undefined });
    for (const site of ["primary", "secondary"]) {
      assert.equal(one(p, ALB, `${site}-api`).enableDeletionProtection, true);
      for (const b of ["api-alb-logs", "app-artifacts"]) assert.equal(one(p, BUCKET, `${site}-${b}`).forceDestroy, false, `${site}-${b}`);
      assert.equal((one(p, ALB, `${site}-api`).tags as Record<string, string>)[RELEASED_TAG.key], undefined);
    }
  });

  it("failover promotes the replica into a writer with a final snapshot, in place (no replacement)", () => {
    assert.deepEqual(pick(one(failedOver, RDS, "secondary-db"), SNAPSHOT_KEYS), { deletionProtection: true, skipFinalSnapshot: false, finalSnapshotIdentifier: "resilient-feed-prod-secondary-final" });
    const change = diffPlans(plan("warm-standby"), failedOver).changes.find((c) => c.type === RDS && c.name === "secondary-db");
    assert.equal(change?.op, "~");
    assert.deepEqual(change?.replaceKeys, []);
    for (const k of ["replicateSourceDb", "skipFinalSnapshot", "finalSnapshotIdentifier"]) assert.ok(change?.changedKeys.includes(k), k);
    // its new in-region read replicas take none either
    for (const i of [0, 1]) assert.deepEqual(pick(one(failedOver, RDS, `secondary-db-read-${i}`), SNAPSHOT_KEYS), { deletionProtection: true, skipFinalSnapshot: true, finalSnapshotIdentifier: undefined });
  });

  it("stage 1 (release, same mode) updates only the standby's protection settings in place", () => {
    for (const mode of ["pilot-light", "warm-standby", "active-active"] as const) {
      const d = diffPlans(plan(mode), plan(mode, true));
      assert.deepEqual(ops(bySite(d, "primary")), [], mode);
      assert.deepEqual(ops(bySite(d, "global")), [], mode);
      assert.deepEqual(ops(bySite(d, "secondary")), ["~ secondary-api", "~ secondary-api-alb-logs", "~ secondary-app-artifacts", "~ secondary-db"], mode);
      for (const c of d.changes) assert.deepEqual(c.replaceKeys, [], `${mode} ${c.name}`);
      const released = plan(mode, true);
      assert.deepEqual(pick(one(released, RDS, "secondary-db"), SNAPSHOT_KEYS), { deletionProtection: false, skipFinalSnapshot: true, finalSnapshotIdentifier: undefined });
      assert.equal(one(released, ALB, "secondary-api").enableDeletionProtection, false);
      for (const b of ["secondary-api-alb-logs", "secondary-app-artifacts"]) {
        assert.equal(one(released, BUCKET, b).forceDestroy, true);
        assert.equal((one(released, BUCKET, b).tags as Record<string, string>)[RELEASED_TAG.key], RELEASED_TAG.value);
      }
      // the writer's site is never released
      assert.deepEqual(pick(one(released, RDS, "primary-db"), SNAPSHOT_KEYS), { deletionProtection: true, skipFinalSnapshot: false, finalSnapshotIdentifier: "resilient-feed-prod-primary-final" });
      assert.equal(one(released, ALB, "primary-api").enableDeletionProtection, true);
      assert.equal(one(released, BUCKET, "primary-app-artifacts").forceDestroy, false);
    }
  });

  it("every downgrade to backup-restore: refused deletes in one step, none in two (stage 2 updates nothing in the standby)", () => {
    for (const mode of ["pilot-light", "warm-standby", "active-active"] as const) {
      assert.deepEqual(refusedDeletes(plan(mode), plan("backup-restore")), [
        "secondary-api-alb-logs: bucket without forceDestroy",
        "secondary-api: ALB deletion protection",
        "secondary-app-artifacts: bucket without forceDestroy",
        "secondary-db: RDS deletion protection",
      ], `${mode} → backup-restore in one step`);
      assert.deepEqual(refusedDeletes(plan(mode, true), plan("backup-restore", true)), [], `${mode} → backup-restore after the release`);
      const stage2 = diffPlans(plan(mode, true), plan("backup-restore", true));
      // besides the deletes, only the replication of the writer's automated backups is created
      assert.deepEqual(bySite(stage2, "secondary").filter((c) => c.op !== "-").map((c) => `${c.op} ${c.type}`), ["+ aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication"], mode);
    }
  });

  it("the other downgrades delete nothing protected, so they need no release", () => {
    for (let i = 1; i < MODES.length; i++) {
      for (let j = 1; j < i; j++) assert.deepEqual(refusedDeletes(plan(MODES[i]), plan(MODES[j])), [], `${MODES[i]} → ${MODES[j]}`);
    }
  });

  it("the policy pack passes every stage: an unprotected replica only with the released tag, never an unprotected writer", async () => {
    const mandatory = async (p: PlanResult) => (await reviewPlan(p, allPolicies)).mandatory.map((v) => `${v.policyName} @ ${v.resourceName ?? "(stack)"}`);
    for (const mode of MODES) assert.deepEqual(await mandatory(plan(mode, true)), [], `${mode} released`);
    // the same replica without the tag is a violation: the tag is what makes the release deliberate
    const untagged = { ...plan("warm-standby", true), resources: plan("warm-standby", true).resources.map((r) => (r.type === RDS && r.name === "secondary-db" ? { ...r, inputs: { ...r.inputs, tags: { ...(r.inputs.tags as object), [RELEASED_TAG.key]: "no" } } } : r)) };
    assert.deepEqual(await mandatory(untagged), ["aws-rds-deletion-protection @ secondary-db"]);
    const writer = { ...failedOver, resources: failedOver.resources.map((r) => (r.type === RDS && r.name === "secondary-db" ? { ...r, inputs: { ...r.inputs, deletionProtection: false, tags: { ...(r.inputs.tags as object), [RELEASED_TAG.key]: RELEASED_TAG.value } } } : r)) };
    assert.deepEqual(await mandatory(writer), ["aws-rds-deletion-protection @ secondary-db"]);
  });

  it("stage 3 (remove the key once switched) changes nothing", () => {
    const d = diffPlans(plan("backup-restore", true), plan("backup-restore"));
    assert.deepEqual(ops(d.changes), []);
  });

  it("--diff says what each removed database and bucket takes with it", () => {
    const text = formatDiff(diffPlans(plan("warm-standby", true), plan("backup-restore", true)));
    assert.match(text, /- +aws:rds\/instance:Instance secondary-db\n +data: replica: no final snapshot, its data is on its writer\n/);
    assert.match(text, /secondary-app-artifacts\n +data: removes bucket secondary-app-artifacts and its objects \(forceDestroy: old versions too\)/);
    assert.match(text, /secondary-cache\n +data: cache: final snapshot resilient-feed-prod-secondary-cache-final/);
    const refused = formatDiff(diffPlans(plan("warm-standby"), plan("backup-restore")));
    assert.match(refused, /data: replica: no final snapshot, its data is on its writer; deletion protection is on, so\n +the delete is refused/);
    assert.match(refused, /data: removes bucket secondary-api-alb-logs and its objects; without forceDestroy S3 refuses/);
  });
});
