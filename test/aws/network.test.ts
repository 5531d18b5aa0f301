import { strict as assert } from "node:assert";
import { evaluateStack } from "../../tools/plan/evaluate";
import { dataTierExposure, internetRoutes, subnetsOf } from "../../tools/plan/reachability";
import type { PlanResult, PlannedResource } from "../../tools/plan/types";

const of = (plan: PlanResult, type: string, prefix = "") => plan.resources.filter((r) => r.type === `aws:${type}` && r.name.startsWith(prefix));
const named = (plan: PlanResult, name: string): PlannedResource => {
  const r = plan.resources.find((x) => x.name === name && x.custom);
  assert.ok(r, `no resource ${name}`);
  return r;
};
const naclRule = (r: PlannedResource) => {
  const i = r.inputs as any;
  return `${i.networkAclId.replace(/-id$/, "")} #${i.ruleNumber} ${i.egress ? "out" : "in"} ${i.protocol} ${i.fromPort}-${i.toPort} ${i.cidrBlock} ${i.ruleAction}`;
};
const sgRule = (r: PlannedResource) => {
  const i = r.inputs as any;
  const peer = i.cidrIpv4 ?? i.cidrIpv6 ?? (i.prefixListId ? `pl:${i.prefixListId}` : `sg:${String(i.referencedSecurityGroupId).replace(/-id$/, "")}`);
  return `${String(i.securityGroupId).replace(/-id$/, "")} ${r.type.includes("Ingress") ? "in" : "out"} ${i.ipProtocol} ${i.fromPort}-${i.toPort} ${peer}`;
};

/** AWS resources that live in a region (IAM, CloudFront and Route 53 are global). */
const isRegional = (r: PlannedResource) => r.type.startsWith("aws:") && !/^aws:(iam|cloudfront|route53)\//.test(r.type);

export const DEV_ON_AWS = {
  sites: { primary: { cloud: "aws", region: "ap-southeast-1", cidr: "10.30.0.0/16" } },
  // dev's Cloudflare zone and account do not apply to a Route 53 edge (undefined drops the keys)
  edge: { dns: "route53", domain: "dev.feed.example.com", ttl: 60, zoneId: undefined, cloudflare: undefined },
};

describe("AWS network and security chain (offline plan under mocks)", function () {
  this.timeout(120_000);
  let prod: PlanResult;
  let devAws: PlanResult;
  before(async () => {
    prod = await evaluateStack({ stack: "prod" });
    devAws = await evaluateStack({ stack: "dev", configOverrides: DEV_ON_AWS });
  });

  it("VPCs carry the site CIDRs, DNS support and hostnames, in their own regions", () => {
    assert.deepEqual(of(prod, "ec2/vpc:Vpc").map((v) => [v.name, v.inputs.cidrBlock, v.region, v.inputs.enableDnsSupport, v.inputs.enableDnsHostnames]), [
      ["primary-net", "10.10.0.0/16", "ap-northeast-2", true, true],
      ["secondary-net", "10.20.0.0/16", "ap-northeast-1", true, true],
    ]);
  });

  it("subnet CIDRs per tier × AZ, no public IPs on launch", () => {
    const rows = (site: string) => of(prod, "ec2/subnet:Subnet", `${site}-`).map((s) => `${s.name} ${s.inputs.cidrBlock} ${s.inputs.availabilityZone} ${s.inputs.mapPublicIpOnLaunch}`);
    assert.deepEqual(rows("primary"), [
      "primary-net-public-0 10.10.0.0/20 ap-northeast-2a false",
      "primary-net-public-1 10.10.16.0/20 ap-northeast-2b false",
      "primary-net-public-2 10.10.32.0/20 ap-northeast-2c false",
      "primary-net-private-app-0 10.10.64.0/20 ap-northeast-2a false",
      "primary-net-private-app-1 10.10.80.0/20 ap-northeast-2b false",
      "primary-net-private-app-2 10.10.96.0/20 ap-northeast-2c false",
      "primary-net-private-data-0 10.10.128.0/20 ap-northeast-2a false",
      "primary-net-private-data-1 10.10.144.0/20 ap-northeast-2b false",
      "primary-net-private-data-2 10.10.160.0/20 ap-northeast-2c false",
    ]);
    assert.deepEqual(rows("secondary").slice(0, 3), [
      "secondary-net-public-0 10.20.0.0/20 ap-northeast-1a false",
      "secondary-net-public-1 10.20.16.0/20 ap-northeast-1c false",
      "secondary-net-public-2 10.20.32.0/20 ap-northeast-1d false",
    ]);
  });

  it("routes: public → IGW, private-app → the NAT in its AZ, private-data → only the peered site", () => {
    const routes = of(prod, "ec2/route:Route", "primary-").map((r) => `${String(r.inputs.routeTableId).replace(/-id$/, "")} ${r.inputs.destinationCidrBlock} -> ${String(r.inputs.gatewayId ?? r.inputs.natGatewayId ?? r.inputs.vpcPeeringConnectionId).replace(/-id$/, "")}`);
    assert.deepEqual(routes, [
      "primary-net-public 0.0.0.0/0 -> primary-net-igw",
      // the Tokyo site over the peering (site-peering.test.ts)
      "primary-net-private-app-0 10.20.0.0/16 -> sites-peering",
      "primary-net-private-app-1 10.20.0.0/16 -> sites-peering",
      "primary-net-private-app-2 10.20.0.0/16 -> sites-peering",
      "primary-net-private-data 10.20.0.0/16 -> sites-peering",
      "primary-net-private-app-0 0.0.0.0/0 -> primary-net-nat-0",
      "primary-net-private-app-1 0.0.0.0/0 -> primary-net-nat-1",
      "primary-net-private-app-2 0.0.0.0/0 -> primary-net-nat-2",
    ]);
    const assoc = of(prod, "ec2/routeTableAssociation:RouteTableAssociation", "primary-").map((a) => `${String(a.inputs.subnetId).replace(/-id$/, "")} => ${String(a.inputs.routeTableId).replace(/-id$/, "")}`);
    assert.ok(assoc.includes("primary-net-private-data-2 => primary-net-private-data"));
    assert.ok(assoc.includes("primary-net-private-app-1 => primary-net-private-app-1"));
    assert.equal(assoc.length, 9);
    // NAT per AZ in prod, each in its AZ's public subnet with its own EIP
    assert.deepEqual(of(prod, "ec2/natGateway:NatGateway", "primary-").map((n) => [n.inputs.subnetId, n.inputs.allocationId !== undefined]), [
      ["primary-net-public-0-id", true], ["primary-net-public-1-id", true], ["primary-net-public-2-id", true],
    ]);
  });

  it("dev on AWS: 2 AZs, one NAT shared by both private-app route tables", () => {
    assert.equal(of(devAws, "ec2/subnet:Subnet").length, 6);
    assert.equal(of(devAws, "ec2/natGateway:NatGateway").length, 1);
    assert.equal(of(devAws, "ec2/eip:Eip").length, 1);
    assert.deepEqual(of(devAws, "ec2/route:Route").map((r) => r.inputs.natGatewayId ?? r.inputs.gatewayId), ["primary-net-igw-id", "primary-net-nat-0-id", "primary-net-nat-0-id"]);
    // the site's resources in its region; only the edge's health-check alarms (and their topic and
    // key) are in us-east-1, where Route 53 publishes its metrics
    const siteResources = devAws.resources.filter((r) => r.custom && isRegional(r) && !r.name.startsWith("edge-"));
    assert.deepEqual([...new Set(siteResources.map((r) => r.region))], ["ap-southeast-1"]);
    assert.deepEqual([...new Set(devAws.resources.filter((r) => r.custom && isRegional(r) && r.name.startsWith("edge-")).map((r) => r.region))], ["us-east-1"]);
  });

  it("every NACL rule of a site: ports, direction, CIDR", () => {
    assert.deepEqual(of(prod, "ec2/networkAclRule:NetworkAclRule", "primary-").map(naclRule), [
      "primary-net-public #100 in tcp 80-80 0.0.0.0/0 allow",
      "primary-net-public #110 in tcp 443-443 0.0.0.0/0 allow",
      "primary-net-public #120 in tcp 1024-65535 0.0.0.0/0 allow",
      "primary-net-public #100 out tcp 8080-8080 10.10.64.0/20 allow",
      "primary-net-public #110 out tcp 8080-8080 10.10.80.0/20 allow",
      "primary-net-public #120 out tcp 8080-8080 10.10.96.0/20 allow",
      "primary-net-public #130 out tcp 443-443 0.0.0.0/0 allow",
      "primary-net-public #140 out tcp 1024-65535 0.0.0.0/0 allow",
      "primary-net-private-app #100 in tcp 8080-8080 10.10.0.0/20 allow",
      "primary-net-private-app #110 in tcp 8080-8080 10.10.16.0/20 allow",
      "primary-net-private-app #120 in tcp 8080-8080 10.10.32.0/20 allow",
      "primary-net-private-app #130 in tcp 1024-65535 0.0.0.0/0 allow",
      "primary-net-private-app #100 out tcp 443-443 0.0.0.0/0 allow",
      "primary-net-private-app #110 out tcp 3306-3306 10.10.128.0/20 allow",
      "primary-net-private-app #120 out tcp 3306-3306 10.10.144.0/20 allow",
      "primary-net-private-app #130 out tcp 3306-3306 10.10.160.0/20 allow",
      "primary-net-private-app #140 out tcp 6379-6379 10.10.128.0/20 allow",
      "primary-net-private-app #150 out tcp 6379-6379 10.10.144.0/20 allow",
      "primary-net-private-app #160 out tcp 6379-6379 10.10.160.0/20 allow",
      "primary-net-private-app #170 out tcp 1024-65535 10.10.0.0/20 allow",
      "primary-net-private-app #180 out tcp 1024-65535 10.10.16.0/20 allow",
      "primary-net-private-app #190 out tcp 1024-65535 10.10.32.0/20 allow",
      // peered with Tokyo (warm standby): MySQL to its data subnets, the writer after a failover
      "primary-net-private-app #200 out tcp 3306-3306 10.20.128.0/20 allow",
      "primary-net-private-app #210 out tcp 3306-3306 10.20.144.0/20 allow",
      "primary-net-private-app #220 out tcp 3306-3306 10.20.160.0/20 allow",
      "primary-net-private-data #100 in tcp 3306-3306 10.10.64.0/20 allow",
      "primary-net-private-data #110 in tcp 3306-3306 10.10.80.0/20 allow",
      "primary-net-private-data #120 in tcp 3306-3306 10.10.96.0/20 allow",
      "primary-net-private-data #130 in tcp 6379-6379 10.10.64.0/20 allow",
      "primary-net-private-data #140 in tcp 6379-6379 10.10.80.0/20 allow",
      "primary-net-private-data #150 in tcp 6379-6379 10.10.96.0/20 allow",
      "primary-net-private-data #100 out tcp 1024-65535 10.10.64.0/20 allow",
      "primary-net-private-data #110 out tcp 1024-65535 10.10.80.0/20 allow",
      "primary-net-private-data #120 out tcp 1024-65535 10.10.96.0/20 allow",
      // MySQL from Tokyo's app subnets (its apps write here) and the replies
      "primary-net-private-data #160 in tcp 3306-3306 10.20.64.0/20 allow",
      "primary-net-private-data #170 in tcp 3306-3306 10.20.80.0/20 allow",
      "primary-net-private-data #180 in tcp 3306-3306 10.20.96.0/20 allow",
      "primary-net-private-data #130 out tcp 1024-65535 10.20.64.0/20 allow",
      "primary-net-private-data #140 out tcp 1024-65535 10.20.80.0/20 allow",
      "primary-net-private-data #150 out tcp 1024-65535 10.20.96.0/20 allow",
    ]);
    assert.deepEqual(of(prod, "ec2/networkAcl:NetworkAcl", "primary-").map((a) => [a.name, a.inputs.subnetIds]), [
      ["primary-net-public", ["primary-net-public-0-id", "primary-net-public-1-id", "primary-net-public-2-id"]],
      ["primary-net-private-app", ["primary-net-private-app-0-id", "primary-net-private-app-1-id", "primary-net-private-app-2-id"]],
      ["primary-net-private-data", ["primary-net-private-data-0-id", "primary-net-private-data-1-id", "primary-net-private-data-2-id"]],
    ]);
  });

  it("every security-group rule and what it references; every rule described; no SSH/RDP", () => {
    const rules = [...of(prod, "vpc/securityGroupIngressRule:SecurityGroupIngressRule", "secondary-"), ...of(prod, "vpc/securityGroupEgressRule:SecurityGroupEgressRule", "secondary-")];
    assert.deepEqual(rules.map(sgRule).sort(), [
      "secondary-sg-app in tcp 8080-8080 sg:secondary-sg-load-balancer",
      "secondary-sg-app out tcp 3306-3306 10.10.128.0/20",
      "secondary-sg-app out tcp 3306-3306 10.10.144.0/20",
      "secondary-sg-app out tcp 3306-3306 10.10.160.0/20",
      "secondary-sg-app out tcp 3306-3306 sg:secondary-sg-database",
      "secondary-sg-app out tcp 443-443 0.0.0.0/0",
      "secondary-sg-app out tcp 6379-6379 sg:secondary-sg-cache",
      "secondary-sg-cache in tcp 6379-6379 sg:secondary-sg-app",
      "secondary-sg-database in tcp 3306-3306 10.10.64.0/20",
      "secondary-sg-database in tcp 3306-3306 10.10.80.0/20",
      "secondary-sg-database in tcp 3306-3306 10.10.96.0/20",
      "secondary-sg-database in tcp 3306-3306 sg:secondary-sg-app",
      // the app-user provisioning Lambda reaches MySQL, and nothing else
      "secondary-sg-database in tcp 3306-3306 sg:secondary-sg-db-provisioner",
      "secondary-sg-db-provisioner out tcp 3306-3306 sg:secondary-sg-database",
      // behind CloudFront (prod): HTTPS from CloudFront's origin-facing list (weight 55) in the
      // main group, the Route 53 health checkers' list (weight 25) in a second one (60 rules each)
      "secondary-sg-load-balancer in tcp 443-443 pl:pl-4c5d6e7f",
      "secondary-sg-load-balancer out tcp 8080-8080 sg:secondary-sg-app",
      "secondary-sg-load-balancer-2 in tcp 443-443 pl:pl-8a9b0c1d",
    ]);
    assert.ok(rules.every((r) => typeof r.inputs.description === "string" && (r.inputs.description as string).length > 10));
    const allIngress = of(prod, "vpc/securityGroupIngressRule:SecurityGroupIngressRule");
    assert.ok(allIngress.every((r) => ![22, 3389].some((p) => (r.inputs.fromPort as number) <= p && p <= (r.inputs.toPort as number))));
    assert.ok(of(prod, "ec2/securityGroup:SecurityGroup").every((g) => g.inputs.ingress === undefined && g.inputs.egress === undefined));
  });

  it("S3 gateway endpoint on the private route tables, flow logs with retention, default SG locked", () => {
    const s3 = named(prod, "secondary-net-s3");
    assert.deepEqual([s3.inputs.serviceName, s3.inputs.vpcEndpointType, s3.inputs.routeTableIds], [
      "com.amazonaws.ap-northeast-1.s3", "Gateway",
      ["secondary-net-private-app-0-id", "secondary-net-private-app-1-id", "secondary-net-private-app-2-id", "secondary-net-private-data-id"],
    ]);
    const group = of(prod, "cloudwatch/logGroup:LogGroup", "primary-net-flow-logs")[0];
    assert.deepEqual([group.inputs.name, group.inputs.retentionInDays], ["/resilient-feed/prod/primary/vpc-flow-logs", 90]);
    const flow = of(prod, "ec2/flowLog:FlowLog", "primary-")[0];
    assert.deepEqual([flow.inputs.vpcId, flow.inputs.trafficType, flow.inputs.logDestinationType], ["primary-net-id", "ALL", "cloud-watch-logs"]);
    const policy = JSON.parse(of(prod, "iam/rolePolicy:RolePolicy", "primary-")[0].inputs.policy as string);
    assert.deepEqual(policy.Statement[0].Action, ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]);
    const def = of(prod, "ec2/defaultSecurityGroup:DefaultSecurityGroup", "primary-")[0];
    assert.deepEqual([def.inputs.vpcId, def.inputs.ingress ?? [], def.inputs.egress ?? []], ["primary-net-id", [], []]);
  });

  it("every resource of the secondary site lands in the secondary region", () => {
    const secondary = prod.resources.filter((r) => r.custom && isRegional(r) && r.name.startsWith("secondary-"));
    assert.ok(secondary.length > 80);
    assert.deepEqual([...new Set(secondary.map((r) => r.region))], ["ap-northeast-1"]);
    const primary = prod.resources.filter((r) => r.custom && isRegional(r) && r.name.startsWith("primary-"));
    assert.deepEqual([...new Set(primary.map((r) => r.region))], ["ap-northeast-2"]);
  });

  it("the private-data tier has no path from the internet, in both sites", () => {
    assert.deepEqual(dataTierExposure(prod, "primary"), []);
    assert.deepEqual(dataTierExposure(prod, "secondary"), []);
    assert.deepEqual(dataTierExposure(devAws, "primary"), []);
    // the check can fail: the public tier does route to the internet
    assert.deepEqual(internetRoutes(prod, subnetsOf(prod, "primary", "public")), ["route primary-net-public-default: 0.0.0.0/0 via internet gateway"]);
  });

  it("the reachability check catches a data tier opened by mistake", () => {
    const broken: PlanResult = {
      ...prod,
      resources: [
        ...prod.resources,
        { urn: "x", type: "aws:ec2/route:Route", name: "oops-route", custom: true, inputs: { routeTableId: "primary-net-private-data-id", destinationCidrBlock: "0.0.0.0/0", natGatewayId: "primary-net-nat-0-id" } },
        { urn: "y", type: "aws:ec2/networkAclRule:NetworkAclRule", name: "oops-nacl", custom: true, inputs: { networkAclId: "primary-net-private-data-id", ruleNumber: 200, egress: false, protocol: "tcp", ruleAction: "allow", cidrBlock: "0.0.0.0/0", fromPort: 3306, toPort: 3306 } },
        { urn: "z", type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", name: "oops-sg", custom: true, inputs: { securityGroupId: "primary-sg-database-id", ipProtocol: "tcp", fromPort: 3306, toPort: 3306, cidrIpv4: "0.0.0.0/0" } },
      ],
    };
    assert.deepEqual(dataTierExposure(broken, "primary"), [
      "route oops-route: 0.0.0.0/0 via NAT gateway",
      "nacl rule oops-nacl: in 3306-3306 from 0.0.0.0/0",
      "sg rule oops-sg: in 3306-3306 from 0.0.0.0/0",
    ]);
  });
});

describe("DigitalOcean network (dev as shipped)", function () {
  this.timeout(60_000);
  it("VPC with the site CIDR, firewall admitting only the load balancer on the app port, no SSH", async () => {
    const dev = await evaluateStack({ stack: "dev" });
    const vpc = dev.resources.find((r) => r.type === "digitalocean:index/vpc:Vpc")!;
    // a /18: a droplet's NODE_ID is its private IPv4 offset in the VPC (test/digitalocean has the rest)
    assert.deepEqual([vpc.inputs.ipRange, vpc.inputs.region], ["10.30.0.0/18", "sgp1"]);
    const fw = dev.resources.find((r) => r.type === "digitalocean:index/firewall:Firewall" && r.name === "primary-api-fw")!;
    assert.deepEqual(fw.inputs.inboundRules, [{ protocol: "tcp", portRange: "8080", sourceLoadBalancerUids: ["primary-lb-id"] }]);
    assert.deepEqual(fw.inputs.tags, ["api:resilient-feed-dev-primary"]);
    const lb = dev.resources.find((r) => r.type === "digitalocean:index/loadBalancer:LoadBalancer")!;
    // liveness: the load balancer skips dead droplets; only the edge routes on /readyz
    assert.deepEqual(lb.inputs.healthcheck, { protocol: "http", port: 8080, path: "/healthz", checkIntervalSeconds: 10, responseTimeoutSeconds: 5, healthyThreshold: 3, unhealthyThreshold: 3 });
    assert.deepEqual(lb.inputs.forwardingRules, [
      { entryPort: 443, entryProtocol: "https", targetPort: 8080, targetProtocol: "http", certificateName: "dev-feed-origin-ca" },
      { entryPort: 80, entryProtocol: "http", targetPort: 8080, targetProtocol: "http" },
    ]);
    // explicit provider from stack config, and nothing from AWS in a DigitalOcean-only stack
    assert.ok(dev.resources.some((r) => r.type === "pulumi:providers:digitalocean"));
    assert.equal(dev.resources.filter((r) => r.type.startsWith("aws:")).length, 0);
  });
});
