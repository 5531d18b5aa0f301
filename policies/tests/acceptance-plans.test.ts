import { strict as assert } from "node:assert";
import type { PlannedResource, PlanResult } from "../../tools/plan/types";
import { evaluateStack } from "../../tools/plan/evaluate";
import { reviewPlan } from "../../tools/policy-review/review";
import { allPolicies } from "../rules/all";
import { badCharacters, descriptionsOf } from "../rules/acceptance/descriptions";

// The cloud-acceptance rules over the real program's offline plans: what the stacks send AWS is
// inside the limits, and a broken variant of prod per rule fails the pack with exactly that rule.

const edit = (plan: PlanResult, target: PlannedResource, inputs: Record<string, unknown>): PlanResult =>
  ({ ...plan, resources: plan.resources.map((r) => (r === target ? { ...r, inputs: { ...r.inputs, ...inputs } } : r)) });
/** The engine-support rule compares against this date, never today's. */
const PACK_CONFIG = { "aws-rds-engine-standard-support": { asOf: "2026-12-01" } };
const mandatory = async (plan: PlanResult) => (await reviewPlan(plan, allPolicies, PACK_CONFIG)).mandatory.map((v) => [v.policyName, v.resourceName]);

describe("cloud acceptance over the offline plans", function () {
  this.timeout(180_000);
  let prod: PlanResult;
  const plans = new Map<string, PlanResult>();

  before(async () => {
    prod = await evaluateStack({ stack: "prod" });
    plans.set("warm-standby/primary", prod);
    // every replicating mode, each active site (the peering rules exist in all of these)
    plans.set("pilot-light/secondary", await evaluateStack({ stack: "prod", mode: "pilot-light", activeSite: "secondary" }));
    plans.set("active-active/primary", await evaluateStack({ stack: "prod", mode: "active-active" }));
  });

  it("every security-group description in the replicating prod states (each mode, each active site) is inside EC2's charset and length", () => {
    for (const [state, plan] of plans) {
      const described = plan.resources.flatMap((r) => descriptionsOf(r.type, r.inputs).map((d) => ({ r, d })));
      // the peering rules are the ones that broke: 3 AZs × (app → peer db, db ← peer app) per site
      assert.equal(described.filter(({ r }) => /-peer-/.test(r.name)).length, 12, state);
      for (const { r, d } of described) {
        assert.deepEqual(badCharacters(d.text, d.refersToGroup), [], `${state}: ${r.name} ${d.where} "${d.text}"`);
        assert.ok(d.text.length <= 255, `${state}: ${r.name} ${d.where} is ${d.text.length} characters`);
      }
    }
  });

  it("every alarm's actions name an alerts topic on a customer-managed key that allows CloudWatch", () => {
    const alarms = prod.resources.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm");
    assert.ok(alarms.length >= 30, `prod has ${alarms.length} alarms`);
    const topics = new Map(prod.resources.filter((r) => r.type === "aws:sns/topic:Topic").map((t) => [t.arn, t]));
    const keys = new Map(prod.resources.filter((r) => r.type === "aws:kms/key:Key").map((k) => [k.arn, k]));
    for (const a of alarms) {
      for (const action of [...(a.inputs.alarmActions as string[]), ...(a.inputs.okActions as string[])]) {
        const topic = topics.get(action);
        assert.ok(topic, `${a.name}: action ${action} is not a topic of the stack`);
        const key = keys.get(topic.inputs.kmsMasterKeyId as string);
        assert.ok(key, `${a.name}: topic ${topic.name} is not on a key of the stack (${String(topic.inputs.kmsMasterKeyId)})`);
        assert.equal(key.inputs.enableKeyRotation, true);
        assert.equal(key.region, topic.region, "an SNS topic's key is in the topic's region");
      }
    }
  });

  it("broken: an apostrophe in a peering rule's description fails aws-sg-description-charset", async () => {
    const rule = prod.resources.find((r) => r.name === "primary-sg-db-from-peer-app-0");
    assert.ok(rule);
    assert.deepEqual(await mandatory(edit(prod, rule, { description: "MySQL from the secondary site's API subnet" })), [["aws-sg-description-charset", rule.name]]);
  });

  it("broken: the primary alerts topic on alias/aws/sns fails aws-alarm-topic-kms-key", async () => {
    const topic = prod.resources.find((r) => r.type === "aws:sns/topic:Topic" && r.name === "primary-obs-alarms");
    assert.ok(topic);
    assert.deepEqual(await mandatory(edit(prod, topic, { kmsMasterKeyId: "alias/aws/sns" })), [["aws-alarm-topic-kms-key", topic.name]]);
  });

  it("broken: the alerts key's policy without the CloudWatch statement fails aws-alarm-topic-kms-key", async () => {
    const key = prod.resources.find((r) => r.type === "aws:kms/key:Key" && r.name === "secondary-obs-alarms-key");
    assert.ok(key);
    const policy = JSON.parse(String(key.inputs.policy));
    policy.Statement = policy.Statement.filter((s: { Sid?: string }) => s.Sid !== "PublishersUseTheKey");
    assert.deepEqual(await mandatory(edit(prod, key, { policy: JSON.stringify(policy) })), [["aws-alarm-topic-kms-key", "secondary-obs-alarms"]]);
  });

  it("as shipped on 2026-12-01: MySQL 8.4 passes aws-rds-engine-standard-support (the rule ran)", async () => {
    const review = await reviewPlan(prod, allPolicies, PACK_CONFIG);
    assert.deepEqual(review.mandatory.filter((v) => v.policyName.startsWith("aws-rds-engine")), []);
    assert.ok(!review.notApplicable.some((n) => n.policyName === "aws-rds-engine-standard-support"));
  });

  it("broken: the writer on MySQL 8.0 (standard support ended 2026-07-31) fails aws-rds-engine-standard-support", async () => {
    const writer = prod.resources.find((r) => r.type === "aws:rds/instance:Instance" && r.name === "primary-db");
    assert.ok(writer);
    // twice: past standard support, and on its mysql8.4 parameter group (RDS refuses another family)
    const review = await reviewPlan(edit(prod, writer, { engineVersion: "8.0" }), allPolicies, PACK_CONFIG);
    assert.deepEqual(review.mandatory.map((v) => [v.policyName, v.resourceName]), [["aws-rds-engine-standard-support", "primary-db"], ["aws-rds-engine-standard-support", "primary-db"]]);
    assert.match(review.mandatory[0].message, /standard support ended 2026-07-31/);
    assert.match(review.mandatory[1].message, /on aws:rds\/ParameterGroup "primary-db-params" of family mysql8\.4; RDS refuses a parameter group of another family \(allowed: mysql8\.0\)/);
  });

  it("after a full failback both writers are promoted replicas (no engine input): the rule still checks them, through their parameter group's family", async () => {
    const back = await evaluateStack({ stack: "prod", configOverrides: { dr: { databaseGeneration: { primary: 1, secondary: 1 } } } });
    const as = async (asOf: string) => (await reviewPlan(back, allPolicies, { "aws-rds-engine-standard-support": { asOf } })).mandatory.map((v) => [v.policyName, v.resourceName]);
    assert.deepEqual(await as("2026-12-01"), []);
    // MySQL 8.4's standard support ends 2029-07-31: the promoted writer is named, not skipped
    assert.deepEqual(await as("2029-08-01"), [["aws-rds-engine-standard-support", "primary-db-g1"]]);
  });

  it("broken: CloudFront's /api origin on the ALB's amazonaws.com name (the 502 the issue found) fails aws-cloudfront-origin-tls", async () => {
    const cdn = prod.resources.find((r) => r.type === "aws:cloudfront/distribution:Distribution")!;
    const origins = (cdn.inputs.origins as Array<Record<string, unknown>>).map((o) => ("customOriginConfig" in o && o.customOriginConfig ? { ...o, domainName: "primary-api-alb.ap-northeast-2.elb.amazonaws.com" } : o));
    assert.ok(origins.some((o) => String(o.domainName).endsWith(".elb.amazonaws.com")), "the distribution has a custom (API) origin");
    assert.deepEqual(await mandatory(prod), []);
    const review = await reviewPlan(edit(prod, cdn, { origins }), allPolicies, PACK_CONFIG);
    assert.deepEqual(review.mandatory.map((v) => [v.policyName, v.resourceName]), [["aws-cloudfront-origin-tls", cdn.name]]);
    assert.match(review.mandatory[0].message, /no ACM certificate can cover an AWS service name/);
  });
});
