import { strict as assert } from "node:assert";
import { awsAlbOnlyFromEdge, awsSgNoAdminPorts, awsSgNoWorldIngress, awsSgRuleDescription, awsSgWorldIngressLoadBalancerOnly } from "../rules/security-groups";
import { checkResource, checkStack, tags, type FakeResource } from "./util";

const SG = "aws:ec2/securityGroup:SecurityGroup";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";

const rule = (name: string, props: Record<string, unknown>): FakeResource => ({ type: INGRESS, name, props: { region: "ap-northeast-2", ipProtocol: "tcp", description: "test rule", ...props } });
const group = (name: string, tier: string, props: Record<string, unknown> = {}): FakeResource => ({ type: SG, name, props: { description: `${tier} group`, vpcId: "vpc-1", tags: tags("prod", { tier }), ...props } });

describe("policies: security groups", () => {
  it("aws-sg-no-world-ingress: 80/443 from the world pass, other world-open ports fail", async () => {
    for (const port of [80, 443]) {
      assert.deepEqual((await checkResource(awsSgNoWorldIngress, rule("lb-web", { fromPort: port, toPort: port, cidrIpv4: "0.0.0.0/0" }))).violations, []);
    }
    assert.deepEqual((await checkResource(awsSgNoWorldIngress, rule("db-from-app", { fromPort: 3306, toPort: 3306, referencedSecurityGroupId: "sg-app" }))).violations, []);
    const mysql = await checkResource(awsSgNoWorldIngress, rule("db-open", { fromPort: 3306, toPort: 3306, cidrIpv4: "0.0.0.0/0" }));
    assert.deepEqual(mysql.violations, [
      `aws:vpc/SecurityGroupIngressRule "db-open" opens tcp port 3306 to 0.0.0.0/0 (the rule). Only TCP 80/443 on the load balancer's security group may be open to the world; ` +
      `restrict the source to a security group (referencedSecurityGroupId / securityGroups) or a private CIDR, or put the service behind the load balancer.`,
    ]);
    const v6 = await checkResource(awsSgNoWorldIngress, rule("all-v6", { ipProtocol: "-1", cidrIpv6: "::/0" }));
    assert.match(v6.violations[0], /opens all protocols and ports to ::\/0/);
  });

  it("aws-sg-no-world-ingress: inline world-open web ingress only on the load-balancer tier", async () => {
    const web = [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], description: "https" }];
    assert.deepEqual((await checkResource(awsSgNoWorldIngress, group("lb", "load-balancer", { ingress: web }))).violations, []);
    const app = await checkResource(awsSgNoWorldIngress, group("app", "app", { ingress: web }));
    assert.match(app.violations[0], /^aws:ec2\/SecurityGroup "app" opens tcp port 443 to 0\.0\.0\.0\/0 \(ingress\[0\]\) but is not the load balancer's group \(tag tier="app"\)/);
  });

  it("aws-sg-no-admin-ports: flags SSH and RDP from any source, including all-port rules", async () => {
    assert.deepEqual((await checkResource(awsSgNoAdminPorts, rule("https", { fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" }))).violations, []);
    const ssh = await checkResource(awsSgNoAdminPorts, rule("ssh", { fromPort: 22, toPort: 22, cidrIpv4: "10.0.0.0/8" }));
    assert.deepEqual(ssh.violations, [
      `aws:vpc/SecurityGroupIngressRule "ssh" admits SSH (port 22) from 10.0.0.0/8 via tcp port 22 (the rule). ` +
      `Remove the permission: instances are reached through SSM Session Manager (the instance role has AmazonSSMManagedInstanceCore), never by SSH.`,
    ]);
    const range = await checkResource(awsSgNoAdminPorts, { type: RULE, name: "wide", props: { type: "ingress", protocol: "tcp", fromPort: 0, toPort: 65535, sourceSecurityGroupId: "sg-x", description: "x" } });
    assert.equal(range.violations.length, 2);
    assert.match(range.violations[1], /admits RDP \(port 3389\) from a security group \/ prefix list via tcp ports 0-65535/);
    const egressIgnored = await checkResource(awsSgNoAdminPorts, { type: RULE, name: "out", props: { type: "egress", protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] } });
    assert.deepEqual(egressIgnored.violations, []);
  });

  it("aws-sg-rule-description: groups and rules need descriptions", async () => {
    assert.deepEqual((await checkResource(awsSgRuleDescription, group("lb", "load-balancer"))).violations, []);
    assert.deepEqual((await checkResource(awsSgRuleDescription, rule("r", { fromPort: 443, toPort: 443 }))).violations, []);
    const defaulted = await checkResource(awsSgRuleDescription, group("g", "app", { description: "Managed by Pulumi", ingress: [{ protocol: "tcp", fromPort: 1, toPort: 1 }] }));
    assert.deepEqual(defaulted.violations.map((v) => v.split(". Set")[0]), [
      `aws:ec2/SecurityGroup "g" has no description (the provider default is "Managed by Pulumi")`,
      `aws:ec2/SecurityGroup "g" ingress[0] has no description`,
    ]);
    const egress = await checkResource(awsSgRuleDescription, { type: EGRESS, name: "e", props: { ipProtocol: "tcp", fromPort: 443, toPort: 443 } });
    assert.match(egress.violations[0], /^aws:vpc\/SecurityGroupEgressRule "e" has no description\. Set `description`/);
  });

  it("aws-sg-world-ingress-load-balancer-only: world-open web rules attach to the load balancer's group only", async () => {
    const lb = group("primary-sg-load-balancer", "load-balancer");
    const app = group("primary-sg-app", "app");
    const good = rule("lb-https", { fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", securityGroupId: "sg-lb" });
    const bad = rule("app-https", { fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", securityGroupId: "sg-app" });
    const ok = await checkStack(awsSgWorldIngressLoadBalancerOnly, [lb, app, { ...good, deps: { securityGroupId: ["primary-sg-load-balancer"] } }]);
    assert.deepEqual(ok.violations, []);
    const out = await checkStack(awsSgWorldIngressLoadBalancerOnly, [lb, app, { ...good, deps: { securityGroupId: ["primary-sg-load-balancer"] } }, { ...bad, deps: { securityGroupId: ["primary-sg-app"] } }]);
    assert.equal(out.violations.length, 1);
    assert.match(out.violations[0], /^aws:vpc\/SecurityGroupIngressRule "app-https" opens tcp port 443 to 0\.0\.0\.0\/0 on aws:ec2\/SecurityGroup "primary-sg-app", which is not the load balancer's group/);
    assert.equal(out.urns[0], "urn:pulumi:prod::resilient-feed::aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule::app-https");
    // matched by id when the engine reports the group's id instead of a dependency
    const byId = await checkStack(awsSgWorldIngressLoadBalancerOnly, [{ ...app, props: { ...app.props, id: "sg-app" } }, bad]);
    assert.equal(byId.violations.length, 1);
    // a group used by an ALB counts as the load balancer's group whatever its tags
    const untaggedLb = group("web", "web");
    const alb: FakeResource = { type: "aws:lb/loadBalancer:LoadBalancer", name: "alb", props: { securityGroups: ["sg-web"] }, deps: { securityGroups: ["web"] } };
    assert.deepEqual((await checkStack(awsSgWorldIngressLoadBalancerOnly, [untaggedLb, alb, { ...bad, deps: { securityGroupId: ["web"] } }])).violations, []);
  });
});

describe("policies: aws-alb-only-from-edge", () => {
  const DEPLOYMENT = "resilient-feed:index:Deployment";
  const marker = (edgeFront?: string): FakeResource => ({ type: DEPLOYMENT, name: "resilient-feed-prod", props: { environment: "prod", mode: "warm-standby", ...(edgeFront ? { edgeFront } : {}) } });
  const lbGroup = group("primary-sg-load-balancer", "load-balancer", { id: "sg-lb" });
  const alb: FakeResource = { type: "aws:lb/loadBalancer:LoadBalancer", name: "primary-api", props: { loadBalancerType: "application", internal: false, securityGroups: ["sg-lb"], tags: tags("prod") } };
  const world = rule("primary-sg-lb-https-ipv4", { securityGroupId: "sg-lb", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" });
  const fromCloudFront = rule("primary-sg-lb-from-cloudfront", { securityGroupId: "sg-lb", fromPort: 443, toPort: 443, prefixListId: "pl-0a1b2c3d" });

  it("behind CloudFront: the ALB's group admitting 0.0.0.0/0 fails review, naming the rule, the group and the ALB", async () => {
    assert.deepEqual((await checkStack(awsAlbOnlyFromEdge, [marker("cloudfront"), lbGroup, alb, fromCloudFront])).violations, []);
    const out = await checkStack(awsAlbOnlyFromEdge, [marker("cloudfront"), lbGroup, alb, fromCloudFront, world]);
    assert.deepEqual(out.violations, [
      `aws:vpc/SecurityGroupIngressRule "primary-sg-lb-https-ipv4" opens tcp port 443 to 0.0.0.0/0 on aws:ec2/SecurityGroup "primary-sg-load-balancer" of aws:lb/LoadBalancer "primary-api", but users reach it through cloudfront (edgeFront cloudfront): anyone could bypass the edge's WAF and limits. ` +
      `Admit only the edge (the CloudFront origin-facing and Route 53 health-check prefix lists, or Cloudflare's ranges), or set edge.cdnFrontsApi false if users really call the load balancer directly.`,
    ]);
    assert.deepEqual(out.urns, ["urn:pulumi:prod::resilient-feed::aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule::primary-sg-lb-https-ipv4"]);
  });

  it("::/0 inline on the group behind Cloudflare fails too; a marker without edgeFront counts as fronted", async () => {
    const inline = group("primary-sg-load-balancer", "load-balancer", { id: "sg-lb", ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, ipv6CidrBlocks: ["::/0"], description: "https" }] });
    assert.match((await checkStack(awsAlbOnlyFromEdge, [marker("cloudflare"), inline, alb])).violations[0], /^aws:ec2\/SecurityGroup "primary-sg-load-balancer" ingress\[0\] opens tcp port 443 to ::\/0 .* through cloudflare \(edgeFront cloudflare\)/);
    assert.equal((await checkStack(awsAlbOnlyFromEdge, [marker(), lbGroup, alb, world])).violations.length, 1);
  });

  it("not applicable when users reach the ALBs directly, outside prod, or without an internet-facing ALB", async () => {
    assert.match((await checkStack(awsAlbOnlyFromEdge, [marker("direct"), lbGroup, alb, world])).notApplicable!, /users reach the load balancers directly \(edgeFront direct\)/);
    assert.match((await checkStack(awsAlbOnlyFromEdge, [{ ...marker("cloudfront"), props: { environment: "dev", edgeFront: "cloudfront" } }, lbGroup, alb, world])).notApplicable!, /applies to prod stacks only/);
    assert.match((await checkStack(awsAlbOnlyFromEdge, [marker("cloudfront"), lbGroup, { ...alb, props: { ...alb.props, internal: true } }, world])).notApplicable!, /no internet-facing application load balancer/);
  });
});
