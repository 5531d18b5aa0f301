import { strict as assert } from "node:assert";
import { awsNatPerAz, awsVpcFlowLogs } from "../rules/network";
import { checkStack, deployment, tags, type FakeResource } from "./util";

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
});
