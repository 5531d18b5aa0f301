import { strict as assert } from "node:assert";
import { naclRules } from "../../infra/aws/nacl-rules";
import { peerOf } from "../../infra/topology/build";
import { evaluateStack } from "../../tools/plan/evaluate";
import { dataTierExposure } from "../../tools/plan/reachability";
import type { PlanResult, PlannedResource } from "../../tools/plan/types";
import { prodTopology, siteOf } from "./support/harness";

// Cross-region VPC peering between the two AWS sites, so the standby's apps reach the writer's
// MySQL in the other region. Checked on the real program's offline plan (tools/plan).

const of = (plan: PlanResult, type: string) => plan.resources.filter((r) => r.type === `aws:${type}`);
const named = (plan: PlanResult, type: string, prefix: string) => of(plan, type).filter((r) => r.name.startsWith(prefix)).sort((a, b) => a.name.localeCompare(b.name));
const ids = (rs: PlannedResource[]) => rs.map((r) => `${r.name}-id`);

describe("site peering (standby apps → the writer's MySQL in the other region)", function () {
  this.timeout(120_000);
  let prod: PlanResult;
  before(async () => {
    prod = await evaluateStack({ stack: "prod" });
  });

  it("the Topology peers the sites whenever the standby holds a replica, and keeps it after failover", () => {
    for (const mode of ["pilot-light", "warm-standby", "active-active"] as const) {
      assert.deepEqual(prodTopology({ mode }).peering, { requester: "primary", accepter: "secondary" }, mode);
    }
    assert.deepEqual(prodTopology({ activeSite: "secondary" }).peering, { requester: "primary", accepter: "secondary" });
    assert.equal(prodTopology({ mode: "backup-restore" }).peering, undefined);
    const t = prodTopology();
    assert.equal(peerOf(t, siteOf(t, "primary"))?.key, "secondary");
    assert.equal(peerOf(t, siteOf(t, "secondary"))?.key, "primary");
  });

  it("requested from Seoul, accepted in Tokyo, between the two site VPCs", () => {
    const [conn] = of(prod, "ec2/vpcPeeringConnection:VpcPeeringConnection");
    const [accept] = of(prod, "ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter");
    const vpc = (site: string) => of(prod, "ec2/vpc:Vpc").find((v) => (v.inputs.tags as Record<string, string>).site === site)!;
    assert.deepEqual(
      [conn.region, conn.inputs.vpcId, conn.inputs.peerVpcId, conn.inputs.peerRegion, conn.inputs.autoAccept],
      ["ap-northeast-2", `${vpc("primary").name}-id`, `${vpc("secondary").name}-id`, "ap-northeast-1", false],
    );
    assert.deepEqual([accept.region, accept.inputs.vpcPeeringConnectionId, accept.inputs.autoAccept], ["ap-northeast-1", `${conn.name}-id`, true]);
  });

  it("routes the other site's CIDR over the peering from the private route tables only", () => {
    const routes = of(prod, "ec2/route:Route").filter((r) => r.inputs.vpcPeeringConnectionId !== undefined);
    const privateTables = (site: string) => ids(of(prod, "ec2/routeTable:RouteTable").filter((t) => {
      const tier = (t.inputs.tags as Record<string, string>).tier;
      return t.name.startsWith(`${site}-`) && (tier === "private-app" || tier === "private-data");
    })).sort();
    const toward = (from: string, region: string, cidr: string) => routes.filter((r) => r.region === region && r.inputs.destinationCidrBlock === cidr).map((r) => String(r.inputs.routeTableId)).sort();
    assert.equal(routes.length, 8);
    assert.deepEqual(toward("primary", "ap-northeast-2", "10.20.0.0/16"), privateTables("primary"));
    assert.deepEqual(toward("secondary", "ap-northeast-1", "10.10.0.0/16"), privateTables("secondary"));
    assert.equal(privateTables("primary").length, 4, "3 app tables (one per AZ) + 1 data table");
  });

  it("security groups: MySQL only, from the peer's app subnets into the database, from the apps to the peer's data subnets", () => {
    const rule = (r: PlannedResource) => [r.name, r.inputs.securityGroupId, r.inputs.fromPort, r.inputs.toPort, r.inputs.cidrIpv4 ?? r.inputs.referencedSecurityGroupId];
    assert.deepEqual(named(prod, "vpc/securityGroupIngressRule:SecurityGroupIngressRule", "primary-sg-db-from-peer").map(rule), [
      ["primary-sg-db-from-peer-app-0", "primary-sg-database-id", 3306, 3306, "10.20.64.0/20"],
      ["primary-sg-db-from-peer-app-1", "primary-sg-database-id", 3306, 3306, "10.20.80.0/20"],
      ["primary-sg-db-from-peer-app-2", "primary-sg-database-id", 3306, 3306, "10.20.96.0/20"],
    ]);
    assert.deepEqual(named(prod, "vpc/securityGroupEgressRule:SecurityGroupEgressRule", "secondary-sg-app-to-peer").map(rule), [
      ["secondary-sg-app-to-peer-db-0", "secondary-sg-app-id", 3306, 3306, "10.10.128.0/20"],
      ["secondary-sg-app-to-peer-db-1", "secondary-sg-app-id", 3306, 3306, "10.10.144.0/20"],
      ["secondary-sg-app-to-peer-db-2", "secondary-sg-app-id", 3306, 3306, "10.10.160.0/20"],
    ]);
    // nothing admits the peer into the cache
    const cacheRules = of(prod, "vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => String(r.inputs.securityGroupId).includes("sg-cache"));
    assert.ok(cacheRules.every((r) => r.inputs.cidrIpv4 === undefined), "cache rules reference groups only");
  });

  it("NACLs: the peer rules follow the site's own, MySQL in and ephemeral replies out; no Redis crosses", () => {
    const t = prodTopology();
    const primary = siteOf(t, "primary");
    const secondary = siteOf(t, "secondary");
    const extra = (tier: "private-app" | "private-data") => naclRules(tier, primary.subnets, 8080, secondary.subnets).slice(naclRules(tier, primary.subnets, 8080).length);
    assert.deepEqual(extra("private-data").map((r) => [r.ruleNumber, r.egress, r.cidrBlock, r.fromPort, r.toPort]), [
      [160, false, "10.20.64.0/20", 3306, 3306], [170, false, "10.20.80.0/20", 3306, 3306], [180, false, "10.20.96.0/20", 3306, 3306],
      [130, true, "10.20.64.0/20", 1024, 65535], [140, true, "10.20.80.0/20", 1024, 65535], [150, true, "10.20.96.0/20", 1024, 65535],
    ]);
    assert.deepEqual(extra("private-app").map((r) => [r.ruleNumber, r.egress, r.cidrBlock, r.fromPort]), [
      [200, true, "10.20.128.0/20", 3306], [210, true, "10.20.144.0/20", 3306], [220, true, "10.20.160.0/20", 3306],
    ]);
    assert.deepEqual(naclRules("public", primary.subnets, 8080, secondary.subnets), naclRules("public", primary.subnets, 8080), "public tier unchanged");
    // and the plan carries them on the data tier's NACL
    const dataIn = of(prod, "ec2/networkAclRule:NetworkAclRule").filter((r) => r.name.startsWith("primary-net-private-data-in-"));
    assert.ok(dataIn.some((r) => r.inputs.cidrBlock === "10.20.64.0/20" && r.inputs.fromPort === 3306), "primary data NACL admits Tokyo's app subnets on 3306");
  });

  it("the internet still cannot reach either data tier; an SG opened to a non-peer CIDR still is reported", () => {
    assert.deepEqual(dataTierExposure(prod, "primary"), []);
    assert.deepEqual(dataTierExposure(prod, "secondary"), []);
    const hole: PlanResult = {
      ...prod,
      resources: [...prod.resources, {
        urn: "hole", type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", name: "hole", custom: true, region: "ap-northeast-2",
        inputs: { securityGroupId: "primary-sg-database-id", ipProtocol: "tcp", fromPort: 3306, toPort: 3306, cidrIpv4: "10.30.0.0/16" },
      }],
    };
    assert.deepEqual(dataTierExposure(hole, "primary"), ["sg rule hole: in 3306-3306 from 10.30.0.0/16"]);
  });

  it("backup-restore: no peering, no cross-site rules", async () => {
    const plan = await evaluateStack({ stack: "prod", mode: "backup-restore" });
    assert.equal(of(plan, "ec2/vpcPeeringConnection:VpcPeeringConnection").length, 0);
    assert.equal(of(plan, "ec2/route:Route").filter((r) => r.inputs.vpcPeeringConnectionId !== undefined).length, 0);
    assert.equal(plan.resources.filter((r) => r.name.includes("peer")).length, 0);
  });
});
