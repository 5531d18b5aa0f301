import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { diffPlans } from "../../tools/plan/diff";
import { evaluateStack } from "../../tools/plan/evaluate";
import { checkSteps, stepsAccepted, type StepCheck } from "../../tools/plan/step-check";
import { startupRegions } from "../../tools/plan/steps-regions";
import { checkTransitions, drTransitions } from "../../tools/plan/transitions";
import type { PlanResult, PlannedResource } from "../../tools/plan/types";

// The step check of `plan --diff`: every order in which `pulumi up` may run a transition's steps
// is walked against Route 53's record-set rules and Cloudflare's references; deletes against what
// the clouds refuse; calls against the fenced region. First on small hand-made plans (each rule
// refuses what it must, and the dependency order decides), then on every transition of the prod
// DR matrix, stage by stage, and on the one-off migration of the edge records.

const ZONE = "ZTEST";
const REC = "aws:route53/record:Record";
const urn = (type: string, name: string) => `urn:pulumi:t::p::${type}::${name}`;
const record = (name: string, inputs: Record<string, unknown>, dependencies: string[] = []): PlannedResource => ({
  urn: urn(REC, name), type: REC, name, custom: true, inputs: { zoneId: ZONE, type: "A", ...inputs }, dependencies,
});
const res = (type: string, name: string, inputs: Record<string, unknown> = {}, extra: Partial<PlannedResource> = {}): PlannedResource => ({ urn: urn(type, name), type, name, custom: true, inputs, ...extra });
const plan = (resources: PlannedResource[], outputs: Record<string, unknown> = {}, config: Record<string, unknown> = {}): PlanResult => ({ stack: "t", resources, config, outputs, invokes: [] });
const check = (a: PlanResult, b: PlanResult) => checkSteps(a, b, diffPlans(a, b));
const problems = (c: StepCheck) => c.refusedSteps.map((r) => `${r.step.kind} ${r.step.name}: ${r.problem}`).sort();
const alb = (site: string) => [{ name: `${site}.elb.amazonaws.com`, zoneId: "ZALB", evaluateTargetHealth: true }];
const failover = (role: string, setIdentifier: string, site: string) => ({ name: "api.example.com", setIdentifier, failoverRoutingPolicies: [{ type: role }], aliases: alb(site) });

describe("plan --diff step check: the rules, on hand-made plans", () => {
  it("swapping PRIMARY and SECONDARY between two records in place is refused in either order (a second PRIMARY, or a second SECONDARY)", () => {
    const a = plan([record("p", failover("PRIMARY", "p", "one")), record("s", failover("SECONDARY", "s", "two"))]);
    const b = plan([record("p", failover("SECONDARY", "p", "one")), record("s", failover("PRIMARY", "s", "two"))]);
    assert.deepEqual(problems(check(a, b)), [
      "update p: api.example.com A: a failover set has one SECONDARY (p, s)",
      "update s: api.example.com A: a failover set has one PRIMARY (p, s)",
    ]);
  });

  it("the failover by role is accepted: the PRIMARY record changes its answer in place, the old writer's SECONDARY is deleted last", () => {
    const a = plan([record("primary-role", failover("PRIMARY", "primary-role", "one")), record("secondary-role", failover("SECONDARY", "secondary-role", "two"))]);
    const b = plan([record("primary-role", failover("PRIMARY", "primary-role", "two"))]);
    const c = check(a, b);
    assert.deepEqual([problems(c), c.steps, stepsAccepted(c)], [[], 2, true]);
  });

  it("a simple record cannot be created while the routed records at its name are deleted only at the end", () => {
    const a = plan([record("p", failover("PRIMARY", "p", "one")), record("s", failover("SECONDARY", "s", "two"))]);
    const b = plan([record("entry", { name: "api.example.com", aliases: alb("one") })]);
    assert.deepEqual(problems(check(a, b)), ["create entry: api.example.com A: a simple record stands alone (entry, p, s)"]);
  });

  it("changing the routing policy of a set record by record leaves two policies under one name", () => {
    const lat = (id: string, region: string, site: string) => ({ name: "api.example.com", setIdentifier: id, latencyRoutingPolicies: [{ region }], aliases: alb(site) });
    const a = plan([record("p", failover("PRIMARY", "p", "one")), record("s", failover("SECONDARY", "s", "two"))]);
    const b = plan([record("p", lat("p", "r1", "one")), record("s", lat("s", "r2", "two"))]);
    assert.equal(problems(check(a, b)).filter((p) => p.includes("one routing policy per name, not failover and latency")).length, 2);
  });

  it("an alias to a set in the zone is refused until the set exists, unless it depends on the set's records", () => {
    const set = record("lat-1", { name: "latency.api.example.com", setIdentifier: "1", latencyRoutingPolicies: [{ region: "r1" }], aliases: alb("one") });
    const a = plan([record("entry", { name: "api.example.com", aliases: alb("one") })]);
    const entry = (deps: string[]) => record("entry", { name: "api.example.com", aliases: [{ name: "latency.api.example.com", zoneId: ZONE, evaluateTargetHealth: true }] }, deps);
    assert.deepEqual(problems(check(a, plan([set, entry([])]))), ["update entry: api.example.com A: alias entry targets latency.api.example.com, which has no A record"]);
    assert.deepEqual(problems(check(a, plan([set, entry([set.urn])]))), []);
  });

  it("a health check a record still uses cannot go; a Cloudflare pool a load balancer still names cannot go", () => {
    const hc = res("aws:route53/healthCheck:HealthCheck", "hc-one");
    const withCheck = record("p", { ...failover("PRIMARY", "p", "one"), healthCheckId: "hc-one-id" });
    assert.deepEqual(problems(check(plan([hc, withCheck]), plan([withCheck]))), ["delete hc-one: api.example.com A: record p uses health check hc-one-id, which does not exist (Route 53 refuses to delete a health check in use)"]);
    const pool = (n: string) => res("cloudflare:index/loadBalancerPool:LoadBalancerPool", n);
    const lb = (pools: string[], deps: string[] = []) => res("cloudflare:index/loadBalancer:LoadBalancer", "lb", { defaultPools: pools, fallbackPool: pools[0] }, { dependencies: deps });
    // the load balancer drops the pool in the main phase, the pool goes last: accepted
    assert.deepEqual(problems(check(plan([pool("one"), pool("two"), lb(["one-id", "two-id"])]), plan([pool("two"), lb(["two-id"])]))), []);
    // a new pool the load balancer names must exist first: Pulumi orders it through the dependency
    assert.deepEqual(problems(check(plan([pool("one"), lb(["one-id"])]), plan([pool("one"), pool("two"), lb(["one-id", "two-id"], [urn("cloudflare:index/loadBalancerPool:LoadBalancerPool", "two")])]))), []);
    assert.deepEqual(problems(check(plan([pool("one"), lb(["one-id"])]), plan([pool("one"), pool("two"), lb(["one-id", "two-id"])]))), ["update lb: Cloudflare load balancer names pool two-id: lb names it, but it does not exist"]);
  });

  it("refused deletes: deletion protection, a replica's final snapshot, a bucket without forceDestroy; a retained delete is no call", () => {
    const a = plan([
      res("aws:rds/instance:Instance", "protected", { deletionProtection: true, skipFinalSnapshot: true }),
      res("aws:rds/instance:Instance", "replica", { replicateSourceDb: "arn:src", skipFinalSnapshot: false, finalSnapshotIdentifier: "x" }),
      res("aws:rds/instance:Instance", "fenced", { deletionProtection: true }, { retainOnDelete: true }),
      res("aws:lb/loadBalancer:LoadBalancer", "alb", { enableDeletionProtection: true }),
      res("aws:s3/bucket:Bucket", "logs", { forceDestroy: false }),
      res("aws:s3/bucket:Bucket", "scratch", { forceDestroy: true }),
    ]);
    const c = check(a, plan([]));
    assert.deepEqual(c.refusedDeletes.map((d) => d.step.name).sort(), ["alb", "logs", "protected", "replica"]);
    assert.equal(c.steps, 5);
  });

  it("calls into the fenced region: steps on its resources, functions, and a default provider whose start-up goes there", () => {
    const out = { fencedSite: "primary" };
    const config = { sites: { primary: { region: "r-1" }, secondary: { region: "r-2" } } };
    const a = plan([res("aws:ec2/vpc:Vpc", "vpc-1", { tags: { a: "1" } }, { region: "r-1" })], out, config);
    const b: PlanResult = { ...plan([res("aws:ec2/vpc:Vpc", "vpc-1", { tags: { a: "2" } }, { region: "r-1" })], out, config), invokes: [{ token: "aws:ssm/getParameter:getParameter", region: "r-1" }, { token: "aws:ssm/getParameter:getParameter", region: "r-2" }], defaultProviders: ["aws"], providerConfig: { "aws:region": "r-1" } };
    assert.deepEqual(check(a, b).calls.intoFenced, ["update aws:ec2/vpc:Vpc vpc-1", "function aws:ssm/getParameter:getParameter ×1", "start-up of the default AWS provider (STS: credentials, account id)"]);
    const skipping: PlanResult = { ...b, resources: a.resources, invokes: [], providerConfig: { "aws:region": "r-1", "aws:skipCredentialsValidation": "true", "aws:skipRequestingAccountId": "true" } };
    assert.deepEqual(check(a, skipping).calls.intoFenced, []);
  });
});

describe("plan --diff step check: where an AWS provider's start-up calls go", () => {
  it("Pulumi's credentials check uses region, the upstream one stsRegion; both skips silence both", () => {
    assert.deepEqual(startupRegions({ region: "r-1" }), ["r-1"]);
    assert.deepEqual(startupRegions({ region: "r-1", stsRegion: "r-2" }), ["r-1", "r-2"]);
    assert.deepEqual(startupRegions({ region: "r-1", stsRegion: "r-2", skipCredentialsValidation: "true" }), ["r-2"]);
    assert.deepEqual(startupRegions({ region: "r-1", skipCredentialsValidation: true, skipRequestingAccountId: true }), []);
  });
});

describe("plan --diff step check: every DR transition of the prod stack, stage by stage", function () {
  this.timeout(900_000);
  const found = (c: StepCheck) => ({ refusedSteps: problems(c), refusedDeletes: c.refusedDeletes.map((d) => d.step.name), intoFenced: c.calls.intoFenced, skipped: c.skipped });
  const NOTHING = { refusedSteps: [], refusedDeletes: [], intoFenced: [], skipped: [] };

  it("Route 53 edge: the four modes both ways, failover in each mode, the three failback stages, geo ↔ latency: 0 refused steps, 0 refused deletes, 0 calls into a fenced region", async () => {
    const transitions = drTransitions({ secondaryRegion: "ap-northeast-1" });
    assert.equal(transitions.length, 12 + 4 + 3 + 2);
    const stages = await checkTransitions("prod", transitions);
    assert.equal(stages.length, 9 * 1 + 3 * 3 + 4 + 3 * 3 + 2);
    for (const s of stages) assert.deepEqual(found(s.check), NOTHING, `${s.transition}: ${s.from} → ${s.to}`);
    // the walk really ran: a failover updates the PRIMARY in place and deletes the fenced site's records last
    const fo = stages.find((s) => s.transition === "failover in warm-standby")!;
    assert.ok(fo.check.steps > 10 && fo.check.states >= 3, JSON.stringify({ steps: fo.check.steps, states: fo.check.states }));
  });

  it("Cloudflare edge: failover in each mode, the failback stages, switches between the serving modes: no pool is deleted while a load balancer names it", async () => {
    const base = { edge: { dns: "cloudflare", zoneId: "0123456789abcdef0123456789abcdef", cloudflare: { accountId: "fedcba9876543210fedcba9876543210", plan: "business" } } };
    // the pools follow the sites; the rest of the program is the Route 53 case's
    const wanted = /^failover in |^failback in warm-standby$|^(pilot-light|warm-standby|active-active) → (pilot-light|warm-standby|active-active)$/;
    const transitions = drTransitions({ secondaryRegion: "ap-northeast-1", base }).filter((t) => wanted.test(t.name));
    assert.equal(transitions.length, 4 + 1 + 6);
    const stages = await checkTransitions("prod", transitions);
    for (const s of stages) assert.deepEqual(found(s.check), NOTHING, `${s.transition}: ${s.from} → ${s.to}`);
    const pools = stages.find((s) => s.transition === "failover in warm-standby")!.check;
    assert.ok(pools.states >= 3, `pool/load-balancer states walked: ${pools.states}`);
  });

  it("the direct switch warm-standby → backup-restore, without the release stage, is refused: 4 deletes the cloud refuses", async () => {
    const ws = await evaluateStack({ stack: "prod" });
    const br = await evaluateStack({ stack: "prod", mode: "backup-restore" });
    const c = check(ws, br);
    assert.deepEqual(c.refusedDeletes.map((d) => d.step.name).sort(), ["secondary-api", "secondary-api-alb-logs", "secondary-app-artifacts", "secondary-db"]);
    assert.equal(stepsAccepted(c), false);
  });

  it("the records of the old layout (answers at edge.domain): a direct first run is refused; stage 1 (edge.legacyApexRecords) then stage 2 are accepted", async () => {
    const legacy = (JSON.parse(readFileSync("test/fixtures/prod-edge-records-apex.json", "utf8")) as Record<string, PlannedResource[]>)["warm-standby"];
    const now = await evaluateStack({ stack: "prod" });
    const stage1 = await evaluateStack({ stack: "prod", configOverrides: { edge: { legacyApexRecords: true } } });
    // today's stack: the program's resources with the old layout's records
    const old: PlanResult = { ...now, resources: [...now.resources.filter((r) => r.type !== REC), ...legacy] };
    // without stage 1 the writer's old record becomes the entry (its URN alias) while the other is still there
    assert.deepEqual(problems(check(old, now)), ["update edge-entry: feed.example.com A: a simple record stands alone (edge-entry, edge-secondary)"]);
    assert.deepEqual(found(check(old, stage1)), NOTHING);
    assert.deepEqual(found(check(stage1, now)), NOTHING);
    // stage 1 keeps the writer's old record exactly; stage 2 turns it into the entry (a URN alias: one batch, DELETE + CREATE)
    assert.deepEqual(diffPlans(stage1, now).changes.filter((c) => c.type === REC).map((c) => `${c.op} ${c.name} ${c.changedKeys.join(",")}`), ["~ edge-entry aliases,failoverRoutingPolicies,healthCheckId,setIdentifier"]);
    const kept = stage1.resources.find((r) => r.name === "edge-primary")!;
    assert.deepEqual(kept.inputs, legacy.find((r) => r.name === "edge-primary")!.inputs);
    assert.deepEqual(diffPlans(old, stage1).changes.filter((c) => c.type === REC).map((c) => `${c.op} ${c.name}`).sort(), ["+ edge-failover-primary", "+ edge-failover-secondary", "- edge-secondary"]);
  });
});
