import { strict as assert } from "node:assert";
import { diffPlans, formatDiff, type PlanDiff } from "../../tools/plan/diff";
import { evaluateStack } from "../../tools/plan/evaluate";
import type { PlanResult, PlannedResource } from "../../tools/plan/types";

// `--diff` as a reviewer reads it (issue 18 §6): each changed value old → new (nested scalars by
// path), nothing cut, every line within the width (at most 120), and the new state's warnings.

const ASG = "aws:autoscaling/group:Group";
const res = (type: string, name: string, inputs: Record<string, unknown>): PlannedResource => ({ urn: `urn:pulumi:prod::resilient-feed::${type}::${name}`, type, name, region: undefined, inputs, custom: true });
const plan = (resources: PlannedResource[], warnings: string[] = []): PlanResult => ({ stack: "prod", resources, config: {}, outputs: { drMode: "warm-standby", activeSite: "primary", warnings }, invokes: [] });

describe("offline plan --diff values", function () {
  this.timeout(600_000);
  let configured: PlanResult;
  let pilotLight: PlanResult;
  let failover: PlanDiff;
  before(async () => {
    configured = await evaluateStack({ stack: "prod" });
    pilotLight = await evaluateStack({ stack: "prod", mode: "pilot-light" });
    failover = diffPlans(configured, await evaluateStack({ stack: "prod", activeSite: "secondary" }));
  });

  it("pilot-light → warm-standby: the standby ASG's sizes old → new", () => {
    const asg = (p: PlanResult) => p.resources.find((r) => r.type === ASG && r.name === "secondary-api")!.inputs;
    const [from, to] = [asg(pilotLight), asg(configured)];
    assert.notEqual(from.minSize, to.minSize);
    const text = formatDiff(diffPlans(pilotLight, configured), 120);
    const rows = text.split("\n");
    const at = rows.findIndex((l) => /^ {2}~ {2}aws:autoscaling\/group:Group secondary-api$/.test(l));
    assert.ok(at >= 0, text);
    assert.ok(rows.slice(at + 1, at + 4).includes(`       minSize ${from.minSize} → ${to.minSize}`), rows.slice(at, at + 4).join("\n"));
    assert.ok(rows.includes(`       desiredCapacity ${from.desiredCapacity} → ${to.desiredCapacity}`));
  });

  it("failover: values old → new, secrets unprinted, the new state's warnings, lines ≤ 120 on a wide terminal", () => {
    const text = formatDiff(failover, 200);
    for (const line of text.split("\n")) assert.ok(line.length <= 120, `${line.length}: ${line}`);
    assert.ok(!text.includes("…"), "nothing is cut off");
    assert.match(text, /^ {7}numCacheClusters 1 → 2$/m);
    assert.match(text, /^ {7}automaticFailoverEnabled false → true$/m);
    assert.match(text, /^ {7}replicateSourceDb arn:aws:rds:ap-northeast-2:123456789012:db:primary-db → \(none\)$/m);
    assert.match(text, /^ {7}password \(secret\) changed$/m);
    assert.match(text, /^ {7}region ap-northeast-2 → ap-northeast-1$/m);
    // the warnings the plain plan prints for the failed-over state
    assert.match(text, /^warning: failed over without dr\.fencedRelease: /m);
    assert.match(text, /^warning: failed over: the primary is fenced .*\n(?: {9}.*\n)*? {9}.*re-seed/m);
    assert.ok(failover.after.warnings && failover.after.warnings.length >= 2);
    for (const w of failover.after.warnings) assert.ok(text.replace(/\n {9}/g, " ").includes(`warning: ${w}`), w);
  });

  it("nested scalars by path (a record's failover role); long keys wrap, never cut", () => {
    const record = (role: string, extra: Record<string, unknown> = {}) => res("aws:route53/record:Record", "edge-failover-primary", { name: "failover.feed.example.com", failoverRoutingPolicies: [{ type: role }], ...extra });
    const longKey = "aVeryLongInputKeyNameThatIsWiderThanTheNarrowestTerminal";
    const d = diffPlans(plan([record("SECONDARY", { [longKey]: 1 })]), plan([record("PRIMARY", { [longKey]: 2 })], ["pin dr.fencedRelease first"]));
    assert.deepEqual(d.changes[0].values, [{ path: longKey, before: 1, after: 2 }, { path: "failoverRoutingPolicies[0].type", before: "SECONDARY", after: "PRIMARY" }]);
    const wide = formatDiff(d, 100);
    assert.match(wide, /^ {7}failoverRoutingPolicies\[0\]\.type SECONDARY → PRIMARY$/m);
    assert.match(wide, /^warning: pin dr\.fencedRelease first$/m);
    const narrow = formatDiff(d, 40);
    for (const line of narrow.split("\n")) assert.ok(line.length <= 40, `${line.length}: ${line}`);
    assert.ok(narrow.replace(/\n +/g, "").includes(longKey), narrow);
    assert.ok(!narrow.includes("…"));
  });
});
