import { strict as assert } from "node:assert";
import { drActiveActiveRouting, drBackupCrossRegionCopy, drCrossRegionReplica, drStandbyCapacity } from "../rules/dr";
import { checkStack, deployment, tags, type FakeResource } from "./util";

const RDS = "aws:rds/instance:Instance";
const SEOUL = "ap-northeast-2";
const TOKYO = "ap-northeast-1";
const PRIMARY_ARN = `arn:aws:rds:${SEOUL}:123456789012:db:primary-db`;

const primaryDb: FakeResource = { type: RDS, name: "primary-db", props: { region: SEOUL, arn: PRIMARY_ARN, storageEncrypted: true, kmsKeyId: `arn:aws:kms:${SEOUL}:123456789012:key/p`, tags: tags("prod") } };
const readReplica: FakeResource = { type: RDS, name: "primary-db-read-0", props: { region: SEOUL, replicateSourceDb: "primary-db", tags: tags("prod") } };
const replica = (props: Record<string, unknown> = {}): FakeResource => ({
  type: RDS,
  name: "secondary-db",
  props: { region: TOKYO, replicateSourceDb: PRIMARY_ARN, storageEncrypted: true, kmsKeyId: `arn:aws:kms:${TOKYO}:123456789012:key/s`, tags: tags("prod", { site: "secondary" }), ...props },
});
// the role is not a tag (a failover would rewrite it in the failed region): the Deployment says it
const asg = (site: string, minSize: number, desiredCapacity?: number): FakeResource => ({
  type: "aws:autoscaling/group:Group",
  name: `${site}-api`,
  props: { minSize, maxSize: 12, desiredCapacity, tags: Object.entries(tags("prod", { site })).map(([key, value]) => ({ key, value, propagateAtLaunch: true })) },
});

describe("policies: DR modes", () => {
  it("dr-cross-region-replica: warm-standby with a replica of the primary's ARN, key in the replica's region", async () => {
    assert.deepEqual((await checkStack(drCrossRegionReplica, [deployment("warm-standby"), primaryDb, readReplica, replica()])).violations, []);
    // the source may also be matched through the engine's property dependency (ARN unknown in preview)
    const viaDeps: FakeResource = { ...replica({ replicateSourceDb: "arn:aws:rds:ap-northeast-2:123456789012:db:primary-db-x7" }), deps: { replicateSourceDb: ["primary-db"] } };
    assert.deepEqual((await checkStack(drCrossRegionReplica, [deployment("pilot-light"), primaryDb, viaDeps])).violations, []);
  });

  it("dr-cross-region-replica: missing replica, wrong source, key in the wrong region", async () => {
    const none = await checkStack(drCrossRegionReplica, [deployment("warm-standby"), primaryDb, readReplica]);
    assert.deepEqual(none.violations.map((v) => v.split(". Add")[0]), [
      `DR mode warm-standby needs a cross-region read replica of aws:rds/Instance "primary-db" (ap-northeast-2) in the standby site's region, and the stack has none`,
    ]);
    assert.equal(none.urns[0], "urn:pulumi:prod::resilient-feed::resilient-feed:index:Deployment::resilient-feed-prod");
    const byName = await checkStack(drCrossRegionReplica, [deployment("active-active"), primaryDb, replica({ replicateSourceDb: "primary-db" })]);
    assert.deepEqual(byName.violations, [
      `aws:rds/Instance "secondary-db" in ap-northeast-1 replicates from "primary-db", which is not the ARN of the primary DB (aws:rds/Instance "primary-db"). ` +
      `A cross-region replica must name its source by ARN: set replicateSourceDb: <primary>.arn.`,
    ]);
    const wrongKey = await checkStack(drCrossRegionReplica, [deployment("warm-standby"), primaryDb, replica({ kmsKeyId: `arn:aws:kms:${SEOUL}:123456789012:key/p` })]);
    assert.match(wrongKey.violations[0], /^aws:rds\/Instance "secondary-db" in ap-northeast-1 is encrypted with a KMS key in ap-northeast-2 .*Create an aws\.kms\.Key with region: "ap-northeast-1" and set kmsKeyId: key\.arn\./);
    const keyResource: FakeResource = { type: "aws:kms/key:Key", name: "secondary-db-kms", props: { region: TOKYO } };
    const viaKey = { ...replica({ kmsKeyId: "unknown-until-created" }), deps: { kmsKeyId: ["secondary-db-kms"] } };
    assert.deepEqual((await checkStack(drCrossRegionReplica, [deployment("warm-standby"), primaryDb, keyResource, viaKey])).violations, []);
  });

  it("dr-cross-region-replica: not applicable in backup-restore, after failover, or without a database", async () => {
    assert.match((await checkStack(drCrossRegionReplica, [deployment("backup-restore"), primaryDb])).notApplicable!, /backup-restore keeps no replica/);
    assert.match((await checkStack(drCrossRegionReplica, [deployment("warm-standby", "prod", "secondary"), primaryDb])).notApplicable!, /failed over/);
    assert.match((await checkStack(drCrossRegionReplica, [deployment("warm-standby")])).notApplicable!, /no RDS primary/);
    assert.match((await checkStack(drCrossRegionReplica, [primaryDb])).notApplicable!, /no resilient-feed:index:Deployment/);
  });

  it("dr-standby-capacity: warm-standby min >= 1, pilot-light exists at 0", async () => {
    const active = asg("primary", 3);
    assert.deepEqual((await checkStack(drStandbyCapacity, [deployment("warm-standby"), active, asg("secondary", 1, 1)])).violations, []);
    assert.deepEqual((await checkStack(drStandbyCapacity, [deployment("pilot-light"), active, asg("secondary", 0, 0)])).violations, []);
    const cold = await checkStack(drStandbyCapacity, [deployment("warm-standby"), active, asg("secondary", 0)]);
    assert.deepEqual(cold.violations, [
      `aws:autoscaling/Group "secondary-api" is the warm standby but has minSize 0; warm-standby keeps at least one instance serving health checks. Set minSize >= 1 (desiredCapacity >= 1), or use pilot-light.`,
    ]);
    const warmPilot = await checkStack(drStandbyCapacity, [deployment("pilot-light"), active, asg("secondary", 1, 1)]);
    assert.match(warmPilot.violations[0], /"secondary-api" is the pilot-light standby but runs minSize 1, desiredCapacity 1/);
    const missing = await checkStack(drStandbyCapacity, [deployment("pilot-light"), active]);
    assert.match(missing.violations[0], /^DR mode pilot-light needs an autoscaling group in the standby site \(its site tag naming a site the Deployment calls standby\) at 0 instances .*\(groups: "primary-api" site=primary role=active\)/);
    // the Deployment's per-site roles decide which group is the standby
    const marker = deployment("warm-standby");
    const swapped = { ...marker, props: { ...marker.props, sites: { primary: { role: "standby" }, secondary: { role: "active" } } } };
    const primaryAsStandby = await checkStack(drStandbyCapacity, [swapped, asg("primary", 0, 0), asg("secondary", 3, 3)]);
    assert.match(primaryAsStandby.violations[0], /^aws:autoscaling\/Group "primary-api" is the warm standby but has minSize 0/);
    assert.match((await checkStack(drStandbyCapacity, [deployment("active-active"), active])).notApplicable!, /no scaled-down standby/);
  });

  it("dr-active-active-routing: health-checked routing to both sites", async () => {
    const vpcs: FakeResource[] = ["primary", "secondary"].map((site) => ({ type: "aws:ec2/vpc:Vpc", name: `${site}-net`, props: { tags: tags("prod", { site }) } }));
    const hc = (site: string): FakeResource => ({ type: "aws:route53/healthCheck:HealthCheck", name: `${site}-hc`, props: { type: "HTTPS", resourcePath: "/readyz", tags: tags("prod", { site }) } });
    const rec = (site: string, region: string): FakeResource => ({
      type: "aws:route53/record:Record", name: `api-${site}`,
      props: { zoneId: "Z1", name: "api.feed.example.com", type: "A", setIdentifier: `${site}-latency`, latencyRoutingPolicies: [{ region }], healthCheckId: `${site}-hc-id` },
      deps: { healthCheckId: [`${site}-hc`] },
    });
    const both = [deployment("active-active"), ...vpcs, hc("primary"), hc("secondary"), rec("primary", SEOUL), rec("secondary", TOKYO)];
    assert.deepEqual((await checkStack(drActiveActiveRouting, both)).violations, []);
    const one = await checkStack(drActiveActiveRouting, [deployment("active-active"), ...vpcs, hc("primary"), rec("primary", SEOUL)]);
    assert.match(one.violations[0], /^DR mode active-active needs health-checked DNS routing to every site \(primary, secondary\), but secondary has none\./);
    const pools: FakeResource[] = ["primary", "secondary"].map((s) => ({ type: "cloudflare:index/loadBalancerPool:LoadBalancerPool", name: `${s}-pool`, props: { monitor: "m-1", origins: [] } }));
    const cf: FakeResource = { type: "cloudflare:index/loadBalancer:LoadBalancer", name: "api", props: { defaultPools: ["p1", "p2"] }, deps: { defaultPools: ["primary-pool", "secondary-pool"] } };
    assert.deepEqual((await checkStack(drActiveActiveRouting, [deployment("active-active"), ...vpcs, ...pools, cf])).violations, []);
    assert.match((await checkStack(drActiveActiveRouting, [deployment("warm-standby")])).notApplicable!, /sends traffic to one site/);
  });

  it("dr-active-active-routing after a failover: only serving sites need routes, and a route to the fenced site fails", async () => {
    const failedOver: FakeResource = { ...deployment("active-active", "prod", "secondary"), props: { ...deployment("active-active", "prod", "secondary").props, sites: { primary: { role: "standby", servesTraffic: false, database: "fenced" }, secondary: { role: "active", servesTraffic: true, database: "writer" } } } };
    const vpcs: FakeResource[] = ["primary", "secondary"].map((site) => ({ type: "aws:ec2/vpc:Vpc", name: `${site}-net`, props: { tags: tags("prod", { site }) } }));
    const hc = (site: string): FakeResource => ({ type: "aws:route53/healthCheck:HealthCheck", name: `${site}-hc`, props: { type: "HTTPS", resourcePath: "/readyz", tags: tags("prod", { site }) } });
    const rec = (site: string, region: string): FakeResource => ({
      type: "aws:route53/record:Record", name: `api-${site}`,
      props: { zoneId: "Z1", name: "api.feed.example.com", type: "A", setIdentifier: site, latencyRoutingPolicies: [{ region }], healthCheckId: `${site}-hc-id` },
      deps: { healthCheckId: [`${site}-hc`] },
    });
    assert.deepEqual((await checkStack(drActiveActiveRouting, [failedOver, ...vpcs, hc("secondary"), rec("secondary", TOKYO)])).violations, []);
    const splitBrain = await checkStack(drActiveActiveRouting, [failedOver, ...vpcs, hc("primary"), hc("secondary"), rec("primary", SEOUL), rec("secondary", TOKYO)]);
    assert.deepEqual(splitBrain.violations, [
      "DR mode active-active routes users to primary, which does not serve traffic (fenced after a failover: its API still writes to its old database). Remove every record that answers with it: two writers would split the data.",
    ]);
    // Cloudflare: one monitored pool for the one serving site is enough
    const pool: FakeResource = { type: "cloudflare:index/loadBalancerPool:LoadBalancerPool", name: "secondary-pool", props: { monitor: "m-1", origins: [] } };
    const cf: FakeResource = { type: "cloudflare:index/loadBalancer:LoadBalancer", name: "api", props: { defaultPools: ["p2"] }, deps: { defaultPools: ["secondary-pool"] } };
    assert.deepEqual((await checkStack(drActiveActiveRouting, [failedOver, ...vpcs, pool, cf])).violations, []);
  });

  it("dr-backup-cross-region-copy: backup-restore copies backups to another region", async () => {
    const plan = (dest: string): FakeResource => ({
      type: "aws:backup/plan:Plan", name: "primary-backup",
      props: { region: SEOUL, rules: [{ ruleName: "hourly", targetVaultName: "primary", schedule: "cron(0 * * * ? *)", copyActions: [{ destinationVaultArn: dest }] }] },
    });
    const tokyoVault = `arn:aws:backup:${TOKYO}:123456789012:backup-vault:secondary`;
    assert.deepEqual((await checkStack(drBackupCrossRegionCopy, [deployment("backup-restore"), primaryDb, plan(tokyoVault)])).violations, []);
    const sameRegion = await checkStack(drBackupCrossRegionCopy, [deployment("backup-restore"), primaryDb, plan(`arn:aws:backup:${SEOUL}:123456789012:backup-vault:other`)]);
    assert.match(sameRegion.violations[0], /^DR mode backup-restore restores aws:rds\/Instance "primary-db" from backups, but no aws\.backup\.Plan \("primary-backup"\) copies to another region\. Add a plan whose rule has copyActions/);
    const none = await checkStack(drBackupCrossRegionCopy, [deployment("backup-restore"), primaryDb]);
    assert.match(none.violations[0], /but the stack has no aws\.backup\.Plan/);
    assert.match((await checkStack(drBackupCrossRegionCopy, [deployment("backup-restore", "dev")])).notApplicable!, /no RDS database/);
  });
});
