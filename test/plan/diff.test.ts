import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as path from "node:path";
import { diffPlans, formatDiff, type PlanDiff } from "../../tools/plan/diff";
import { evaluateStack } from "../../tools/plan/evaluate";
import type { PlanResult, PlannedResource } from "../../tools/plan/types";

// `npm run plan -- --diff`: the known transition "prod warm-standby fails over to the secondary",
// then replacement marking and the terminal width on small hand-made plans, then the CLI's exits.

const ROOT = path.resolve(__dirname, "../..");
const res = (type: string, name: string, region: string | undefined, inputs: Record<string, unknown>): PlannedResource => ({ urn: `urn:pulumi:prod::resilient-feed::${type}::${name}`, type, name, region, inputs, custom: true });
const plan = (resources: PlannedResource[], mode = "warm-standby", activeSite = "primary"): PlanResult => ({
  stack: "prod", resources, config: { sites: { primary: { region: "ap-northeast-2" }, secondary: { region: "ap-northeast-1" } } },
  outputs: { drMode: mode, activeSite, recoveryObjectives: { rtoSeconds: 390, rpoSeconds: 60, breakdown: { rto: [{ name: "detection", seconds: 30, assumption: "a" }], rpo: [{ name: "replica-lag", seconds: 60, assumption: "b" }] } } },
  invokes: [],
});

describe("offline plan --diff", function () {
  this.timeout(300_000);
  let failover: PlanDiff;
  before(async () => {
    const configured = await evaluateStack({ stack: "prod" });
    failover = diffPlans(configured, await evaluateStack({ stack: "prod", activeSite: "secondary" }));
  });

  it("warm-standby failover: nothing in the failed primary's region changes; the standby promotes and scales; the edge drops the fenced site", () => {
    assert.deepEqual({ ...failover.totals.primary, unchanged: 0 }, { create: 0, delete: 0, update: 0, replace: 0, unchanged: 0 });
    assert.ok(failover.totals.primary.unchanged > 150);
    assert.equal(failover.changes.filter((c) => c.op === "+-").length, 0, "a failover replaces nothing");
    const row = (name: string, type = "aws:rds/instance:Instance") => failover.changes.find((c) => c.name === name && c.type === type);
    assert.deepEqual(row("secondary-db")?.op, "~");
    assert.ok(row("secondary-db")!.changedKeys.includes("replicateSourceDb"), "the replica is promoted by removing its source");
    assert.deepEqual(row("secondary-api", "aws:autoscaling/group:Group")?.changedKeys, ["desiredCapacity", "minSize"]);
    // failover records are named by role: the PRIMARY record is updated to the secondary's load balancer
    assert.deepEqual(failover.changes.filter((c) => c.site === "global").map((c) => `${c.op} ${c.name} ${c.changedKeys.join(",")}`).sort(), [
      "- edge-failover-secondary ", "- edge-primary-readyz ", "- edge-primary-unready ", "~ aws region", "~ edge-failover-primary aliases,healthCheckId",
    ]);
    assert.deepEqual([failover.before.activeSite, failover.after.activeSite], ["primary", "secondary"]);
  });

  it("prints per-site sections, totals and RTO/RPO before → after, within the terminal width", () => {
    const text = formatDiff(failover, 100);
    assert.match(text, /^Diff for stack "prod": warm-standby, active primary → warm-standby, active secondary, primary fenced$/m);
    assert.match(text, /replace-forcing inputs: provider resource docs/);
    assert.match(text, /^== global\n {2}- {2}aws:cloudwatch\/metricAlarm:MetricAlarm edge-primary-unready$/m);
    // records are named by role: the PRIMARY record now aliases the secondary's load balancer
    assert.match(text, /^ {2}~ {2}aws:route53\/record:Record edge-failover-primary\n {7}aliases\[0\]\.name primary-api\.ap-northeast-2\.elb\.amazonaws\.com →\n {9}secondary-api\.ap-northeast-1\.elb\.amazonaws\.com$/m);
    assert.match(text, /^ {2}~ {2}aws:autoscaling\/group:Group secondary-api\n {7}desiredCapacity 1 → 3\n {7}minSize 1 → 3$/m);
    assert.match(text, /^ {2}primary {13}0 {9}0 {9}0 {9}0 +\d+$/m);
    assert.match(text, /^RTO 6 min 30 s → 6 min 30 s$/m);
    assert.match(text, /^ {2}before: detection 30 s \+ replica-promotion 5 min \+ api-from-min 0 s \+ dns-ttl 1 min$/m);
    for (const width of [60, 100]) for (const line of formatDiff(failover, width).split("\n")) assert.ok(line.length <= width, `${line.length} > ${width}: ${line}`);
  });

  it("marks a replacement from the table, names the forcing key, and says when a type has no entry", () => {
    const before = plan([res("aws:ec2/subnet:Subnet", "primary-net-public-0", "ap-northeast-2", { cidrBlock: "10.10.0.0/20", tags: { a: "1" } }), res("aws:ec2/vpc:Vpc", "primary-net", "ap-northeast-2", { cidrBlock: "10.10.0.0/16" }), res("aws:made/up:Thing", "secondary-x", "ap-northeast-1", { size: 1 })]);
    const after = plan([res("aws:ec2/subnet:Subnet", "primary-net-public-0", "ap-northeast-2", { cidrBlock: "10.10.16.0/20", tags: { a: "2" } }), res("aws:ec2/vpc:Vpc", "primary-net", "ap-northeast-2", { cidrBlock: "10.10.0.0/16" }), res("aws:made/up:Thing", "secondary-x", "ap-northeast-1", { size: 2 })], "pilot-light");
    const d = diffPlans(before, after);
    assert.deepEqual(d.changes.map((c) => [c.op, c.name, c.changedKeys, c.replaceKeys]), [["+-", "primary-net-public-0", ["cidrBlock", "tags"], ["cidrBlock"]], ["~", "secondary-x", ["size"], undefined]]);
    assert.deepEqual(d.totals.primary, { create: 0, delete: 0, update: 0, replace: 1, unchanged: 1 });
    const text = formatDiff(d, 100);
    assert.match(text, /^ {2}\+- aws:ec2\/subnet:Subnet primary-net-public-0\n {7}cidrBlock\* 10\.10\.0\.0\/20 → 10\.10\.16\.0\/20\n {7}tags\.a 1 → 2$/m);
    assert.match(text, /^ {2}~ {2}aws:made\/up:Thing secondary-x \(no replace table entry\)\n {7}size 1 → 2$/m);
    assert.match(text, /^ {2}\* forces replacement$/m);
  });

  it("CLI: --diff exits 0 with the diff; a bad --mode exits 2 naming the key", async () => {
    const run = (args: string[]) => new Promise<{ code: number; out: string; err: string }>((resolve) => {
      execFile(process.execPath, ["--import", "tsx", "tools/plan/cli.ts", ...args], { cwd: ROOT, timeout: 240_000, maxBuffer: 8 << 20 }, (e, out, err) => resolve({ code: e ? Number(e.code) : 0, out, err }));
    });
    const bad = await run(["--stack", "prod", "--diff", "--mode", "hot-spare"]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /resilient-feed:dr\.mode = "hot-spare": not allowed \(allowed: backup-restore \| pilot-light \| warm-standby \| active-active\)/);
    const ok = await run(["--stack", "prod", "--diff", "--mode", "active-active"]);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /^Diff for stack "prod": warm-standby, active primary → active-active, active primary$/m);
    for (const line of ok.out.trimEnd().split("\n")) assert.ok(line.length <= 100, line);
  });
});
