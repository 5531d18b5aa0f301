import { strict as assert } from "node:assert";
import { dataTierExposure, loadBalancerOpenToInternet, loadBalancerSources, peeredAppCidrs, sgIngressFromOutside } from "../../tools/plan/reachability";
import type { PlanResult, PlannedResource } from "../../tools/plan/types";
import { deploySites, tinyBundle } from "./support/deploy";
import { Recorded, devAwsTopology, prodTopology } from "./support/harness";
import { heredoc, launchUserData } from "./support/user-data";

// The tiers composed per site by AwsSite (network and security chain, then the tiers),
// with a tiny app bundle standing in for app/src.

const envOf = (text: string): Record<string, string> =>
  Object.fromEntries(heredoc(text, "/etc/resilient-feed/app.env").split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
const asPlan = (r: Recorded): PlanResult => ({ stack: "test", resources: r.all, config: {}, outputs: {}, invokes: [] });
const tiersOf = (r: Recorded, site: string) => [...new Set(r.all.filter((x) => !x.custom && x.name.startsWith(`${site}-`) && x.type.startsWith("resilient-feed:aws:")).map((x) => x.type.replace("resilient-feed:aws:", "")))].sort();

describe("AwsSite composes the tiers per the Topology", function () {
  this.timeout(120_000);
  let prod: Recorded;
  let failedOver: Recorded;
  let pilot: Recorded;
  let dev: Recorded;

  before(async () => {
    const bundle = tinyBundle();
    prod = await deploySites(prodTopology(), bundle);
    failedOver = await deploySites(prodTopology({ activeSite: "secondary" }), bundle);
    pilot = await deploySites(prodTopology({ mode: "pilot-light" }), bundle);
    dev = await deploySites(devAwsTopology(), bundle);
  });

  it("the CDN takes the stack's us-east-1 viewer certificate and alias in prod, the default certificate in dev", () => {
    const prodCdn = prod.all.find((r) => r.type === "aws:cloudfront/distribution:Distribution")!;
    assert.deepEqual([prodCdn.inputs.aliases, prodCdn.inputs.viewerCertificate], [
      ["static.feed.example.com"],
      { acmCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a", sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" },
    ]);
    const devCdn = dev.all.find((r) => r.type === "aws:cloudfront/distribution:Distribution")!;
    assert.deepEqual([devCdn.inputs.aliases, devCdn.inputs.viewerCertificate], [undefined, { cloudfrontDefaultCertificate: true, minimumProtocolVersion: "TLSv1" }]);
  });

  it("prod warm-standby: the writer site runs every tier, the standby a replica, a small API, a single-node cache and the static files' replica bucket", () => {
    assert.deepEqual(tiersOf(prod, "primary"), ["ApiFleet", "ApiLoadBalancer", "ApiService", "AppBundle", "AppLogGroup", "AppUserProvisioner", "Cache", "Database", "FlowLogs", "Network", "Observability", "SecurityChain", "SiteBackup", "StaticSite"]);
    assert.deepEqual(tiersOf(prod, "secondary"), ["ApiFleet", "ApiLoadBalancer", "ApiService", "AppBundle", "AppLogGroup", "Cache", "CrossRegionReplica", "FlowLogs", "Network", "Observability", "SecurityChain", "SiteBackup", "StaticSite"]);
    assert.equal(prod.one("rds/instance:Instance", "secondary-db").inputs.replicateSourceDb, "arn:aws:rds:ap-northeast-2:123456789012:db:primary-db");
    assert.deepEqual(prod.of("autoscaling/group:Group").map((g) => [g.name, g.inputs.minSize, g.inputs.maxSize, g.inputs.desiredCapacity]), [["primary-api", 3, 12, 3], ["secondary-api", 1, 12, 1]]);
    assert.deepEqual(prod.of("elasticache/replicationGroup:ReplicationGroup").map((g) => [g.name, g.inputs.numCacheClusters]), [["primary-cache", 2], ["secondary-cache", 1]]);
    assert.deepEqual(prod.of("rds/instance:Instance").map((d) => d.name).sort(), ["primary-db", "primary-db-read-0", "primary-db-read-1", "secondary-db"]);
  });

  it("user data renders each site's endpoints: local writer + read replicas in the primary; remote writer + local replica in the standby", () => {
    const p = envOf(launchUserData(prod, "primary-api"));
    assert.deepEqual([p.DB_PRIMARY_HOST, p.DB_REPLICA_HOSTS, p.REDIS_HOST, p.SITE_ID, p.DB_SECRET_ARN], [
      "primary-db.mock.ap-northeast-2.rds.amazonaws.com",
      "primary-db-read-0.mock.ap-northeast-2.rds.amazonaws.com,primary-db-read-1.mock.ap-northeast-2.rds.amazonaws.com",
      "master.primary-cache.mock.ap-northeast-2.cache.amazonaws.com", "1",
      "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:db-app-user",
    ]);
    const s = envOf(launchUserData(prod, "secondary-api"));
    assert.deepEqual([s.DB_PRIMARY_HOST, s.DB_REPLICA_HOSTS, s.REDIS_HOST, s.SITE_ID, s.DB_SECRET_ARN], [
      "primary-db.mock.ap-northeast-2.rds.amazonaws.com",
      "secondary-db.mock.ap-northeast-1.rds.amazonaws.com",
      "master.secondary-cache.mock.ap-northeast-1.cache.amazonaws.com", "2",
      "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:db-app-user",
    ]);
  });

  it("one session key for both sites: each site's instances read its own region's copy, before and after a failover", () => {
    const arn = (region: string) => `arn:aws:secretsmanager:${region}:123456789012:secret:session`;
    for (const r of [prod, failedOver]) {
      assert.equal(envOf(launchUserData(r, "primary-api")).SESSION_SECRET_ARN, arn("ap-northeast-2"));
      assert.equal(envOf(launchUserData(r, "secondary-api")).SESSION_SECRET_ARN, arn("ap-northeast-1"));
      assert.deepEqual(r.of("secretsmanager/secret:Secret").filter((x) => x.name === "session").map((x) => x.inputs.region), ["ap-northeast-2"]);
    }
  });

  it("after failover the promoted secondary writes: its own address and read replicas, the same local credentials replica; the fenced primary is unchanged", () => {
    const s = envOf(launchUserData(failedOver, "secondary-api"));
    assert.deepEqual([s.DB_PRIMARY_HOST, s.DB_REPLICA_HOSTS, s.DB_SECRET_ARN], [
      "secondary-db.mock.ap-northeast-1.rds.amazonaws.com",
      "secondary-db-read-0.mock.ap-northeast-1.rds.amazonaws.com,secondary-db-read-1.mock.ap-northeast-1.rds.amazonaws.com",
      "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:db-app-user",
    ]);
    assert.equal(failedOver.one("rds/instance:Instance", "secondary-db").inputs.replicateSourceDb, undefined);
    assert.deepEqual(failedOver.of("autoscaling/group:Group").map((g) => [g.name, g.inputs.minSize, g.inputs.desiredCapacity]).sort(), [["primary-api", 3, 3], ["secondary-api", 3, 3]]);
    // static stability: the fenced primary's resources are those of the active primary, tags included
    const norm = (r: Recorded) => r.custom.filter((x) => x.name.startsWith("primary-")).map((x) => `${x.type} ${x.name} ${JSON.stringify(x.inputs)}`).sort();
    assert.deepEqual(norm(failedOver), norm(prod));
  });

  it("pilot light: the standby has the replica, an ALB and launch template with 0 instances, no cache (no Redis in its env)", () => {
    assert.deepEqual(tiersOf(pilot, "secondary"), ["ApiFleet", "ApiLoadBalancer", "ApiService", "AppBundle", "AppLogGroup", "CrossRegionReplica", "FlowLogs", "Network", "Observability", "SecurityChain", "SiteBackup", "StaticSite"]);
    assert.deepEqual([pilot.one("autoscaling/group:Group", "secondary-api").inputs.minSize, pilot.one("autoscaling/group:Group", "secondary-api").inputs.desiredCapacity], [0, 0]);
    const env = envOf(launchUserData(pilot, "secondary-api"));
    assert.deepEqual([env.CACHE_ENABLED, env.REDIS_HOST], ["false", undefined]);
    assert.equal(pilot.of("cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.name === "secondary-obs-asg-below-min").length, 0);
  });

  it("dev on AWS: one site with every tier, sized small", () => {
    assert.deepEqual(tiersOf(dev, "primary"), ["ApiFleet", "ApiLoadBalancer", "ApiService", "AppBundle", "AppLogGroup", "AppUserProvisioner", "Cache", "Database", "FlowLogs", "Network", "Observability", "SecurityChain", "SiteBackup", "StaticSite"]);
    assert.ok(dev.custom.filter((r) => r.type.startsWith("aws:") && !r.type.startsWith("aws:iam/") && !r.type.startsWith("aws:cloudfront/")).every((r) => r.region === "ap-southeast-1"));
  });

  it("reachability: the database and the cache only from the app instances, the instances only from the ALB", () => {
    for (const site of ["primary", "secondary"]) {
      const plan = asPlan(prod);
      assert.deepEqual(dataTierExposure(plan, site), []);
      assert.deepEqual(sgIngressFromOutside(plan, `${site}-sg-app`, [`${site}-sg-load-balancer`]), []);
      const sg = (tier: string) => `${site}-sg-${tier}-id`;
      const rds = prod.of("rds/instance:Instance").filter((d) => d.name.startsWith(`${site}-`));
      assert.ok(rds.length > 0);
      for (const d of rds) assert.deepEqual([d.inputs.vpcSecurityGroupIds, d.inputs.publiclyAccessible], [[sg("database")], false], d.name);
      for (const c of prod.of("elasticache/replicationGroup:ReplicationGroup").filter((x) => x.name.startsWith(`${site}-`))) assert.deepEqual(c.inputs.securityGroupIds, [sg("cache")]);
      assert.deepEqual(prod.one("ec2/launchTemplate:LaunchTemplate", `${site}-api`).inputs.vpcSecurityGroupIds, [sg("app")]);
      // behind CloudFront: the main group (the app tier admits it) and the one its sources' weights need
      assert.deepEqual(prod.one("lb/loadBalancer:LoadBalancer", `${site}-api`).inputs.securityGroups, [sg("load-balancer"), sg("load-balancer-2")]);
      // placement: instances in private-app subnets, data stores in private-data subnets
      const subnets = (tier: string) => [0, 1, 2].map((i) => `${site}-net-${tier}-${i}-id`);
      assert.deepEqual(prod.one("autoscaling/group:Group", `${site}-api`).inputs.vpcZoneIdentifiers, subnets("private-app"));
      assert.deepEqual(prod.one("lb/loadBalancer:LoadBalancer", `${site}-api`).inputs.subnets, subnets("public"));
      assert.deepEqual(prod.one("rds/subnetGroup:SubnetGroup", `${site}-db-subnets`).inputs.subnetIds, subnets("private-data"));
      assert.deepEqual(prod.one("elasticache/subnetGroup:SubnetGroup", `${site}-cache-subnets`).inputs.subnetIds, subnets("private-data"));
    }
  });

  it("reachability: behind CloudFront the ALB admits CloudFront's list and the health checkers' list on 443 only, never 0.0.0.0/0; dev reached directly admits the internet", () => {
    const plan = asPlan(prod);
    assert.deepEqual(loadBalancerSources(plan, "primary"), ["443 from prefix list pl-0a1b2c3d", "443 from prefix list pl-0e1f2a3b"]);
    assert.deepEqual(loadBalancerSources(plan, "secondary"), ["443 from prefix list pl-4c5d6e7f", "443 from prefix list pl-8a9b0c1d"]);
    assert.deepEqual(loadBalancerOpenToInternet(plan, "primary"), []);
    // a failover keeps the fenced primary's rules exactly (pinned lists, no lookup in its region)
    assert.deepEqual(loadBalancerSources(asPlan(failedOver), "primary"), ["443 from prefix list pl-0a1b2c3d", "443 from prefix list pl-0e1f2a3b"]);
    assert.deepEqual(loadBalancerOpenToInternet(asPlan(dev), "primary"), ["443 from 0.0.0.0/0", "443 from ::/0", "80 from 0.0.0.0/0", "80 from ::/0"]);
  });

  it("the check finds a hole: a database group opened to the VPC is reported", () => {
    const hole: PlannedResource = { urn: "x", type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", name: "hole", custom: true, region: "ap-northeast-2",
      inputs: { securityGroupId: "primary-sg-database-id", ipProtocol: "tcp", fromPort: 3306, toPort: 3306, cidrIpv4: "10.10.0.0/16" } };
    const plan = { ...asPlan(prod), resources: [...prod.all, hole] };
    // the peered site's app subnets (Tokyo) are allowed; the VPC-wide hole is not
    assert.deepEqual(sgIngressFromOutside(plan, "primary-sg-database", ["primary-sg-app", "primary-sg-db-provisioner"], peeredAppCidrs(plan, "primary")), ["sg rule hole: in 3306-3306 from 10.10.0.0/16"]);
  });
});
