import { strict as assert } from "node:assert";
import type { PlannedResource, PlanResult } from "../../tools/plan/types";
import { evaluateStack } from "../../tools/plan/evaluate";
import { reviewPlan, type Review } from "../../tools/policy-review/review";
import { allPolicies } from "../rules/all";
import { find, variant } from "../../test/support/plan-variants";

// The whole pack over the real program's offline plans (tools/plan/evaluate.ts): the stacks as
// shipped pass, and deliberately broken variants of prod produce exactly the expected violations.
// The broken variants edit the evaluated plan, because none of these mistakes can be expressed
// through the validated stack config (which is the point of the config schema).

const summary = (r: Review) => r.mandatory.map((v) => `${v.policyName} @ ${v.resourceName ?? "(stack)"}: ${v.message}`);

const tag = (r: PlannedResource, key: string) => (r.inputs.tags as Record<string, string> | undefined)?.[key];
const isRds = (r: PlannedResource) => r.type === "aws:rds/instance:Instance";

describe("policy pack over the offline plans of the shipped stacks", function () {
  this.timeout(120_000);
  let prod: PlanResult;
  let dev: PlanResult;

  before(async () => {
    prod = await evaluateStack({ stack: "prod" });
    dev = await evaluateStack({ stack: "dev" });
  });

  it("prod (warm-standby) as shipped: zero mandatory violations", async () => {
    const review = await reviewPlan(prod, allPolicies);
    assert.deepEqual(summary(review), []);
    // the DR replica rule really ran on this plan (it is not skipped as not applicable)
    assert.ok(!review.notApplicable.some((n) => n.policyName === "dr-cross-region-replica"), JSON.stringify(review.notApplicable));
  });

  it("prod switched to pilot-light (configOverrides): zero mandatory violations", async () => {
    const pilot = await evaluateStack({ stack: "prod", configOverrides: { dr: { mode: "pilot-light" } } });
    assert.deepEqual(summary(await reviewPlan(pilot, allPolicies)), []);
  });

  it("dev as shipped: zero mandatory violations", async () => {
    assert.deepEqual(summary(await reviewPlan(dev, allPolicies)), []);
  });

  describe("broken variants of prod: the expected violations and nothing else", () => {
    it("a publicly accessible database", async () => {
      const db = find(prod, "primary writer", (r) => isRds(r) && tag(r, "site") === "primary" && r.inputs.replicateSourceDb === undefined);
      const review = await reviewPlan(variant(prod, { target: db, inputs: { publiclyAccessible: true } }), allPolicies);
      assert.deepEqual(review.mandatory.map((v) => [v.policyName, v.resourceName]), [["aws-rds-not-public", db.name]]);
      assert.match(review.mandatory[0].message, new RegExp(`^aws:rds/Instance "${db.name}" is publicly accessible \\(publiclyAccessible: true\\)\\. Set publiclyAccessible: false`));
    });

    it("warm-standby without the cross-region replica", async () => {
      const replica = find(prod, "cross-region replica", (r) => isRds(r) && tag(r, "site") === "secondary" && typeof r.inputs.replicateSourceDb === "string");
      const review = await reviewPlan(variant(prod, { target: replica, inputs: null }), allPolicies);
      assert.deepEqual(review.mandatory.map((v) => [v.policyName, v.resourceType]), [["dr-cross-region-replica", "resilient-feed:index:Deployment"]]);
      assert.match(review.mandatory[0].message, /^DR mode warm-standby needs a cross-region read replica of aws:rds\/Instance "primary-db" \(ap-northeast-2\) in the standby site's region, and the stack has none\./);
    });

    it("SSH open to the world", async () => {
      const app = find(prod, "primary app security group", (r) => r.type === "aws:ec2/securityGroup:SecurityGroup" && tag(r, "site") === "primary" && tag(r, "tier") === "app");
      const ssh: PlannedResource = {
        urn: "urn:pulumi:prod::resilient-feed::aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule::primary-sg-app-ssh",
        type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        name: "primary-sg-app-ssh",
        inputs: { region: app.region, securityGroupId: `${app.name}-id`, ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0", description: "debugging" },
        custom: true,
        region: app.region,
      };
      const review = await reviewPlan(variant(prod, { add: ssh }), allPolicies);
      assert.deepEqual(review.mandatory.map((v) => [v.policyName, v.resourceName]), [
        ["aws-sg-no-world-ingress", "primary-sg-app-ssh"],
        ["aws-sg-no-admin-ports", "primary-sg-app-ssh"],
      ]);
      assert.match(review.mandatory[0].message, /opens tcp port 22 to 0\.0\.0\.0\/0 \(the rule\)\. Only TCP 80\/443 on the load balancer's security group may be open to the world/);
      assert.match(review.mandatory[1].message, /admits SSH \(port 22\) from 0\.0\.0\.0\/0 via tcp port 22 \(the rule\)\. Remove the permission/);
    });

    it("the database security group open to the world on 3306", async () => {
      const rule = find(prod, "primary MySQL ingress rule from the app group", (r) => r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" && r.inputs.fromPort === 3306 && String(r.inputs.securityGroupId).startsWith("primary") && r.inputs.referencedSecurityGroupId === "primary-sg-app-id");
      const review = await reviewPlan(variant(prod, { target: rule, inputs: { referencedSecurityGroupId: undefined, cidrIpv4: "0.0.0.0/0" } }), allPolicies);
      assert.deepEqual(review.mandatory.map((v) => [v.policyName, v.resourceName]), [["aws-sg-no-world-ingress", rule.name]]);
      assert.match(review.mandatory[0].message, new RegExp(`^aws:vpc/SecurityGroupIngressRule "${rule.name}" opens tcp port 3306 to 0\\.0\\.0\\.0/0`));
    });
  });
});
