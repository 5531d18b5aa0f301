import { strict as assert } from "node:assert";
import { diffPlans } from "../../tools/plan/diff";
import { evaluateStack } from "../../tools/plan/evaluate";
import { checkSteps, stepsAccepted, type StepCheck } from "../../tools/plan/step-check";
import { stackTransitions } from "../../tools/plan/transitions";
import type { PlanResult, PlannedResource } from "../../tools/plan/types";
import { runCli } from "../support/cli";

// The step check over the dev stack's DR transitions (one DigitalOcean site behind Cloudflare):
// which transitions its config allows (a DigitalOcean standby, backup-restore only, a failover that
// names its restore source), that each is accepted in every order `pulumi up` may run it, and that
// the DigitalOcean ordering rules refuse a broken order, on hand-made plans and on dev's own
// failover with one dependency removed.

const DO = (t: string) => `digitalocean:index/${t}`;
const urn = (type: string, name: string) => `urn:pulumi:t::p::${type}::${name}`;
const res = (type: string, name: string, inputs: Record<string, unknown> = {}, extra: Partial<PlannedResource> = {}): PlannedResource => ({ urn: urn(type, name), type, name, custom: true, inputs, ...extra });
const plan = (resources: PlannedResource[]): PlanResult => ({ stack: "t", resources, config: {}, outputs: {}, invokes: [] });
const check = (a: PlanResult, b: PlanResult) => checkSteps(a, b, diffPlans(a, b));
const problems = (c: StepCheck) => c.refusedSteps.map((r) => `${r.step.kind} ${r.step.name}: ${r.problem}`).sort();

const vpc = res(DO("vpc:Vpc"), "net");
const cluster = (deps: string[] = [vpc.urn], extra: Partial<PlannedResource> = {}) => res(DO("databaseCluster:DatabaseCluster"), "db", { engine: "mysql", privateNetworkUuid: "net-id" }, { dependencies: deps, ...extra });
const replica = res(DO("databaseReplica:DatabaseReplica"), "db-read", { clusterId: "db-id", privateNetworkUuid: "net-id" }, { dependencies: [urn(DO("databaseCluster:DatabaseCluster"), "db"), vpc.urn] });
const firewall = (deps: string[]) => res(DO("databaseFirewall:DatabaseFirewall"), "db-fw", { clusterId: "db-id", rules: [{ type: "tag", value: "api:site" }] }, { dependencies: deps });
const tag = res(DO("tag:Tag"), "api-tag", { name: "api:site" });

describe("plan --transitions --stack dev: the DigitalOcean writer's DR transitions", function () {
  this.timeout(600_000);

  it("dev allows adding a DigitalOcean standby, failing over onto it in backup-restore (restore source by key, the fenced primary's CA pinned) and removing it; every replicating mode is refused with the reason", () => {
    const { allowed, refused } = stackTransitions("dev");
    assert.deepEqual(allowed.map((t) => t.name), ["add the digitalocean standby syd1", "digitalocean standby syd1: failover in backup-restore", "remove the digitalocean standby syd1"]);
    const failedOver = allowed[1].stages[1].overrides as { dr: Record<string, unknown>; sites: Record<string, Record<string, unknown>> };
    assert.deepEqual(failedOver.dr, { mode: "backup-restore", activeSite: "secondary", restoreFromDump: { key: "dumps/primary/2026-12-03T18-00-00Z.sql.gz" } });
    assert.deepEqual(failedOver.sites.secondary, { cloud: "digitalocean", region: "syd1", cidr: "10.40.0.0/18" });
    assert.match(String(failedOver.sites.primary.databaseCaCertificate), /^-----BEGIN CERTIFICATE-----\n/);
    // 12 mode switches, 3 failovers and 3 failbacks in replicating modes, geo ↔ latency: each through a refused mode
    assert.equal(refused.length, 20);
    for (const r of refused) assert.match(r.problem, /^resilient-feed:dr\.mode = "(pilot-light|warm-standby|active-active)": keeps a promotable replica in the standby, but promotion of a DigitalOcean replica exists only in the API and doctl/, r.name);
  });

  it("the CLI: 3 stages checked, none refused, exit 0; the 20 refused transitions listed under their reason", () => {
    const r = runCli("plan", ["--stack", "dev", "--transitions"]);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /^3 stages checked, 0 with a refused step, a refused delete or a call into a fenced region$/m);
    assert.match(r.stdout, /^ {2}backup-restore → dr\.activeSite secondary +\d+ +0 +0 +0$/m);
    assert.match(r.stdout, /^20 transitions the stack's config refuses \(not checked\):$/m);
    assert.equal(r.stdout.match(/^ {2}! +resilient-feed:dr\.mode = /gm)?.length, 3, "one reason per refused mode");
  });

  it("dev's failover: accepted as planned, refused once the standby's read replica no longer waits for its cluster", async () => {
    const failover = stackTransitions("dev").allowed[1];
    const before = await evaluateStack({ stack: "dev", configOverrides: failover.stages[0].overrides });
    const after = await evaluateStack({ stack: "dev", configOverrides: failover.stages[1].overrides });
    const ok = check(before, after);
    assert.deepEqual([problems(ok), stepsAccepted(ok)], [[], true]);
    // nothing is called in the fenced primary's region (sgp1)
    assert.deepEqual([ok.calls.fencedRegion, ok.calls.intoFenced], ["sgp1", []]);
    assert.ok(ok.states > 20, `pairs walked: ${ok.states} states`);
    const clusterUrn = after.resources.find((r) => r.type === DO("databaseCluster:DatabaseCluster") && r.name === "secondary-db")!.urn;
    const broken = { ...after, resources: after.resources.map((r) => (r.name === "secondary-db-read" ? { ...r, dependencies: (r.dependencies ?? []).filter((d) => d !== clusterUrn) } : r)) };
    assert.deepEqual(problems(check(before, broken)), ["create secondary-db-read: read replica names secondary-db, which does not exist"]);
  });

  it("a database firewall, a replica or a VPC member never names a cluster or VPC that does not exist: creates wait, deletes go last", () => {
    // a firewall created with its cluster: refused without the dependency, accepted with it
    assert.deepEqual(problems(check(plan([vpc, tag]), plan([vpc, tag, cluster(), firewall([tag.urn])]))), ["create db-fw: database firewall names db, which does not exist"]);
    assert.deepEqual(problems(check(plan([vpc, tag]), plan([vpc, tag, cluster(), firewall([cluster().urn, tag.urn])]))), []);
    // the cluster removed while its replica stays: deleted under it
    assert.deepEqual(problems(check(plan([vpc, cluster(), replica]), plan([vpc, replica]))), ["delete db: read replica names db, which does not exist"]);
    // the VPC replaced delete-first under a cluster that stays in it: DigitalOcean refuses to delete a VPC with members
    const vpc2 = { ...vpc, inputs: { ipRange: "10.1.0.0/20" }, deleteBeforeReplace: true };
    assert.deepEqual(problems(check(plan([vpc, cluster()]), plan([vpc2, cluster()]))), ["replace-delete net: database cluster is a member of VPC net, which does not exist"]);
  });

  it("a fenced DigitalOcean site: a step on its objects is a call into its region, also for an object that has a region only through its cluster", () => {
    const sgp = (r: PlannedResource): PlannedResource => ({ ...r, region: "sgp1", inputs: { ...r.inputs, region: "sgp1" } });
    const fw = firewall([cluster().urn]);
    const before = plan([sgp(vpc), sgp(cluster()), fw]);
    const after: PlanResult = { ...plan([sgp(vpc), sgp(cluster()), { ...fw, inputs: { ...fw.inputs, rules: [] } }]), outputs: { fencedSite: "primary" }, config: { sites: { primary: { cloud: "digitalocean", region: "sgp1" } } } };
    const c = check(before, after);
    assert.deepEqual([c.calls.fencedRegion, c.calls.intoFenced], ["sgp1", [`update ${DO("databaseFirewall:DatabaseFirewall")} db-fw`]]);
  });

  it("a Cloudflare pool is not named by the load balancer while its DigitalOcean origin does not exist", () => {
    const lb = (extra: Partial<PlannedResource> = {}) => res(DO("loadBalancer:LoadBalancer"), "site-lb", { dropletTag: "api:site" }, { dependencies: [tag.urn], ...extra });
    const pool = res("cloudflare:index/loadBalancerPool:LoadBalancerPool", "edge-site", { origins: [{ address: "203.0.113.10" }] }, { dependencies: [lb().urn] });
    const cfLb = res("cloudflare:index/loadBalancer:LoadBalancer", "edge-api", { defaultPools: ["edge-site-id"], fallbackPool: "edge-site-id" }, { dependencies: [pool.urn] });
    // a new origin, pool and load balancer in one run: ordered by the dependencies
    assert.deepEqual(problems(check(plan([tag]), plan([tag, lb(), pool, cfLb]))), []);
    // the origin replaced delete-first while the edge keeps routing to its pool
    const replaced = lb({ inputs: { dropletTag: "api:site", size: "lb-medium" }, deleteBeforeReplace: true });
    assert.deepEqual(problems(check(plan([tag, lb(), pool, cfLb]), plan([tag, replaced, pool, cfLb]))), [
      "replace-delete site-lb: Cloudflare pool edge-site sends traffic to DigitalOcean load balancer site-lb, which does not exist",
    ]);
  });
});
