import * as pulumi from "@pulumi/pulumi";
import { strict as assert } from "node:assert";
import type { PlannedResource, PlanResult } from "../../tools/plan/types";
import { formatMarkdown, formatText, reviewPlan, toPolicyResources, UNRESOLVED_SECRET } from "../../tools/policy-review/review";
import { allPolicies } from "../rules/all";
import { awsSgWorldIngressLoadBalancerOnly } from "../rules/security-groups";

// The review runner and its converter, on a hand-made plan shaped like tools/plan's output.

const SEOUL = "ap-northeast-2";
const res = (type: string, name: string, inputs: Record<string, unknown>, extra: Partial<PlannedResource> = {}): PlannedResource => ({
  urn: `urn:pulumi:prod::resilient-feed::${type}::${name}`, type, name, inputs, custom: !type.startsWith("resilient-feed:"), region: SEOUL, ...extra,
});
const t = (tier: string) => ({ project: "resilient-feed", environment: "prod", site: "primary", tier });

function plan(resources: PlannedResource[]): PlanResult {
  return { stack: "prod", resources, config: {}, outputs: {}, invokes: [] };
}

const base = (): PlannedResource[] => [
  res("resilient-feed:index:Deployment", "resilient-feed-prod", { mode: "backup-restore", environment: "prod", activeSite: "primary" }, { region: undefined }),
  res("aws:ec2/vpc:Vpc", "primary-net", { region: SEOUL, cidrBlock: "10.10.0.0/16", tags: t("network") }),
  res("aws:ec2/flowLog:FlowLog", "primary-net-flow-logs", { region: SEOUL, vpcId: "primary-net-id", trafficType: "ALL", tags: t("network") }),
  res("aws:ec2/securityGroup:SecurityGroup", "primary-sg-load-balancer", { region: SEOUL, description: "ALB", vpcId: "primary-net-id", tags: t("load-balancer") }),
  res("aws:ec2/securityGroup:SecurityGroup", "primary-sg-database", { region: SEOUL, description: "MySQL", vpcId: "primary-net-id", tags: t("database") }),
  res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "primary-sg-lb-https", { region: SEOUL, securityGroupId: "primary-sg-load-balancer-id", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", description: "HTTPS" }),
  res("aws:elasticache/replicationGroup:ReplicationGroup", "primary-cache", {
    region: SEOUL, nodeType: "cache.r7g.large", automaticFailoverEnabled: true, atRestEncryptionEnabled: true, transitEncryptionEnabled: true, tags: t("cache"),
    authToken: { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value: null },
  }),
];

describe("policy review (offline plan → CrossGuard args)", () => {
  it("converts planned resources: props from inputs, secrets unwrapped, dependencies rebuilt from the mock ids", () => {
    const [, vpc, log, lbGroup, , rule, cache] = toPolicyResources(plan(base()));
    assert.equal(cache.props.authToken, UNRESOLVED_SECRET);
    assert.deepEqual(log.propertyDependencies.vpcId.map((d) => d.urn), [vpc.urn]);
    assert.deepEqual(rule.propertyDependencies.securityGroupId.map((d) => d.urn), [lbGroup.urn]);
    assert.deepEqual(rule.dependencies.map((d) => d.urn), [lbGroup.urn]);
    assert.equal(vpc.opts.protect, false);
    assert.equal(vpc.isType({ __pulumiType: "aws:ec2/vpc:Vpc" } as never), true);
  });

  it("a clean plan: no mandatory violations, stack rules that do not apply say why", async () => {
    const review = await reviewPlan(plan(base()), allPolicies);
    assert.deepEqual(review.mandatory, []);
    assert.deepEqual(review.advisory, []);
    assert.equal(review.policiesRun, allPolicies.length);
    assert.ok(review.notApplicable.some((n) => n.policyName === "dr-backup-cross-region-copy" && /no RDS database/.test(n.reason)));
  });

  it("groups violations by level, names the resource, and honours per-policy config", async () => {
    const broken = base();
    broken.push(res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "primary-sg-db-open", {
      region: SEOUL, securityGroupId: "primary-sg-database-id", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", description: "oops",
    }));
    broken.push(res("aws:rds/instance:Instance", "primary-db", {
      region: SEOUL, instanceClass: "db.x2g.16xlarge", storageEncrypted: true, publiclyAccessible: false, multiAz: true, backupRetentionPeriod: 14, deletionProtection: true, tags: t("database"),
    }));
    const review = await reviewPlan(plan(broken), allPolicies);
    assert.deepEqual(review.mandatory.map((v) => [v.policyName, v.resourceName]), [
      ["aws-sg-world-ingress-load-balancer-only", "primary-sg-db-open"],
      ["dr-backup-cross-region-copy", "resilient-feed-prod"],
    ]);
    assert.deepEqual(review.advisory.map((v) => [v.policyName, v.resourceName]), [["cost-allowed-instance-classes", "primary-db"]]);

    const tuned = await reviewPlan(plan(broken), allPolicies, {
      "dr-backup-cross-region-copy": "advisory",
      "cost-allowed-instance-classes": { prod: ["db.x2g.*", "cache.r7g.*"] },
      "aws-sg-world-ingress-load-balancer-only": { enforcementLevel: "disabled" },
    });
    assert.deepEqual(tuned.mandatory, []);
    assert.deepEqual(tuned.advisory.map((v) => v.policyName), ["dr-backup-cross-region-copy"]);
    assert.equal(tuned.policiesRun, allPolicies.length - 1);

    const text = formatText(review, { stack: "prod", mode: "backup-restore" });
    assert.match(text, /^Policy review of stack prod \(mode backup-restore\): \d+ policies over 9 resources/);
    assert.match(text, /MANDATORY \(blocks the deployment\): 2\n  \[aws-sg-world-ingress-load-balancer-only\] World-open HTTP\/HTTPS rules attach only to the load balancer's security group\.\n    - urn:pulumi:prod::resilient-feed::aws:vpc\/securityGroupIngressRule:SecurityGroupIngressRule::primary-sg-db-open\n      aws:vpc\/SecurityGroupIngressRule "primary-sg-db-open" opens tcp port 443/);
    assert.match(text, /ADVISORY: 1\n  \[cost-allowed-instance-classes\]/);
    assert.match(text, /Result: FAIL \(2 mandatory violation\(s\)\)$/);

    const markdown = formatMarkdown(review, { stack: "prod", mode: "backup-restore" });
    assert.match(markdown, /^### Policy review: stack prod \(mode backup-restore\) — ❌ 2 mandatory violation\(s\)/);
    assert.match(markdown, /#### Mandatory \(2\)\n\n\| Policy \| Resource \| Violation \|\n\|---\|---\|---\|\n\| `aws-sg-world-ingress-load-balancer-only` \| `primary-sg-db-open` \(aws:vpc\/securityGroupIngressRule:SecurityGroupIngressRule\) \| /);
    assert.match(markdown, /\| `dr-backup-cross-region-copy` \| `resilient-feed-prod` \(resilient-feed:index:Deployment\) \| DR mode backup-restore/);
    assert.match(markdown, /#### Advisory \(1\)/);
  });

  it("a rule that throws is reported with the policy's name", async () => {
    const throwing = { ...awsSgWorldIngressLoadBalancerOnly, name: "boom", validateStack: () => { throw new Error("bad rule"); } };
    await assert.rejects(reviewPlan(plan(base()), [throwing]), /policy boom failed: bad rule/);
  });
});
