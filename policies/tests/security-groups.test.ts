import { strict as assert } from "node:assert";
import { awsSgNoAdminPorts, awsSgNoWorldIngress, awsSgRuleDescription, awsSgWorldIngressLoadBalancerOnly } from "../rules/security-groups";
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
