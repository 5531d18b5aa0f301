import { strict as assert } from "node:assert";
import { awsNatPerAz, awsVpcFlowLogs, doDatabaseFirewallNotOpen, doDatabaseHasFirewall, doFirewallNotOpen } from "../rules/network";
import { checkResource, checkStack, deployment, tags, type FakeResource } from "./util";

const vpc: FakeResource = { type: "aws:ec2/vpc:Vpc", name: "primary-net", props: { cidrBlock: "10.10.0.0/16", tags: tags("prod") } };
const subnet = (name: string, az: string): FakeResource => ({ type: "aws:ec2/subnet:Subnet", name, props: { vpcId: "vpc-1", availabilityZone: az }, deps: { vpcId: ["primary-net"] } });
const nat = (name: string, subnetName: string): FakeResource => ({ type: "aws:ec2/natGateway:NatGateway", name, props: { subnetId: `${subnetName}-id` }, deps: { subnetId: [subnetName] } });

describe("policies: networks", () => {
  it("aws-vpc-flow-logs: every VPC has a flow log", async () => {
    const log: FakeResource = { type: "aws:ec2/flowLog:FlowLog", name: "primary-net-flow-logs", props: { vpcId: "vpc-1", trafficType: "ALL" }, deps: { vpcId: ["primary-net"] } };
    assert.deepEqual((await checkStack(awsVpcFlowLogs, [vpc, log])).violations, []);
    const out = await checkStack(awsVpcFlowLogs, [vpc]);
    assert.match(out.violations[0], /^aws:ec2\/Vpc "primary-net" has no flow log, .*Add aws\.ec2\.FlowLog with vpcId: primary-net\.id, trafficType: "ALL"/);
    assert.equal(out.urns[0], "urn:pulumi:prod::resilient-feed::aws:ec2/vpc:Vpc::primary-net");
  });

  it("aws-nat-per-az: prod VPCs have a NAT gateway in every AZ they use", async () => {
    const subnets = [subnet("public-0", "ap-northeast-2a"), subnet("public-1", "ap-northeast-2b"), subnet("app-0", "ap-northeast-2a"), subnet("app-1", "ap-northeast-2b")];
    const perAz = [deployment("warm-standby"), vpc, ...subnets, nat("nat-0", "public-0"), nat("nat-1", "public-1")];
    assert.deepEqual((await checkStack(awsNatPerAz, perAz)).violations, []);
    const single = await checkStack(awsNatPerAz, [deployment("warm-standby"), vpc, ...subnets, nat("nat-0", "public-0")]);
    assert.deepEqual(single.violations.map((v) => v.split(". Put")[0]), [
      `aws:ec2/Vpc "primary-net" spans 2 AZs but has NAT gateways in 1 (ap-northeast-2a); private subnets in ap-northeast-2b lose egress when another AZ fails`,
    ]);
    assert.match((await checkStack(awsNatPerAz, [deployment("backup-restore", "dev"), vpc, ...subnets, nat("nat-0", "public-0")])).notApplicable!, /prod stacks only; this stack is "dev"/);
  });

  it("digitalocean-firewall-not-open: only the load balancer or internal sources", async () => {
    const fw = (inboundRules: unknown[]): FakeResource => ({ type: "digitalocean:index/firewall:Firewall", name: "primary-net-api", stack: "dev", props: { inboundRules } });
    assert.deepEqual((await checkResource(doFirewallNotOpen, fw([{ protocol: "tcp", portRange: "8080", sourceLoadBalancerUids: ["lb-1"] }]))).violations, []);
    const open = await checkResource(doFirewallNotOpen, fw([{ protocol: "tcp", portRange: "22", sourceAddresses: ["0.0.0.0/0", "::/0"] }]));
    assert.match(open.violations[0], /^digitalocean:index\/Firewall "primary-net-api" inboundRules\[0\] admits tcp 22 from 0\.0\.0\.0\/0 and ::\/0\. Admit only the load balancer/);
  });

  it("digitalocean-database-firewall-not-open: no world-wide trusted source, at least one rule", async () => {
    const dbfw = (rules: unknown[]): FakeResource => ({ type: "digitalocean:index/databaseFirewall:DatabaseFirewall", name: "primary-db-fw", stack: "dev", props: { clusterId: "c", rules } });
    assert.deepEqual((await checkResource(doDatabaseFirewallNotOpen, dbfw([{ type: "tag", value: "resilient-feed-dev-primary-api" }]))).violations, []);
    const open = await checkResource(doDatabaseFirewallNotOpen, dbfw([{ type: "ip_addr", value: "0.0.0.0/0" }]));
    assert.deepEqual(open.violations, [`digitalocean:index/DatabaseFirewall "primary-db-fw" rules[0] trusts 0.0.0.0/0, i.e. the whole internet. Trust the API droplets' tag (type "tag") or the VPC CIDR instead.`]);
    assert.match((await checkResource(doDatabaseFirewallNotOpen, dbfw([]))).violations[0], /has no rules/);
  });

  it("digitalocean-database-has-firewall: every managed database has a firewall", async () => {
    const cluster: FakeResource = { type: "digitalocean:index/databaseCluster:DatabaseCluster", name: "primary-db", stack: "dev", props: { engine: "mysql" } };
    const fw: FakeResource = { type: "digitalocean:index/databaseFirewall:DatabaseFirewall", name: "primary-db-fw", stack: "dev", props: { clusterId: "c-id", rules: [] }, deps: { clusterId: ["primary-db"] } };
    assert.deepEqual((await checkStack(doDatabaseHasFirewall, [cluster, fw])).violations, []);
    assert.match((await checkStack(doDatabaseHasFirewall, [cluster])).violations[0], /^digitalocean:index\/DatabaseCluster "primary-db" has no digitalocean\.DatabaseFirewall/);
  });
});
