import { strict as assert } from "node:assert";
import { estimateCost } from "../../tools/plan/cost";
import { COVERAGE } from "../../tools/plan/cost-coverage";
import { formatCost, formatCostDelta } from "../../tools/plan/cost-format";
import { standbyRuns, type ModeRow } from "../../tools/plan/cost-modes";
import { formatModes } from "../../tools/plan/cost-modes-format";
import type { CostEstimate, CostLine } from "../../tools/plan/cost-types";
import { resolveUsage } from "../../tools/plan/cost-usage";
import { evaluateStack } from "../../tools/plan/evaluate";
import { findPrice, PRICE_TABLE_DATE, PRICES } from "../../tools/plan/prices";
import { DR_MODES } from "../../tools/plan/transitions";
import type { PlanResult } from "../../tools/plan/types";

// The cost estimate on the real program: every type prod (8 DR states) and dev register is covered
// by a rule, a free reason or an unpriced reason; the ladder's order; hand-computed lines per cloud
// against the table. Each stack state is evaluated once.

const SNAPSHOT = "arn:aws:rds:ap-northeast-1:123456789012:snapshot:awsbackup:copyjob-example";
const { usage, assumptions } = resolveUsage({}, []);
const estimate = (plan: PlanResult) => estimateCost(plan, usage, assumptions);
const lineOf = (e: CostEstimate, resource: string, what: RegExp): CostLine => {
  const hit = e.lines.find((l) => l.resource === resource && what.test(l.what));
  assert.ok(hit, `no line for ${resource} ${what} in ${e.mode}/${e.activeSite}`);
  return hit;
};

describe("plan --cost", function () {
  this.timeout(600_000);
  const prod = new Map<string, PlanResult>();
  let dev: PlanResult;

  before(async () => {
    for (const mode of DR_MODES) {
      for (const activeSite of ["primary", "secondary"]) {
        const restore = mode === "backup-restore" && activeSite === "secondary" ? { dr: { restoreFromSnapshot: SNAPSHOT } } : {};
        prod.set(`${mode}/${activeSite}`, await evaluateStack({ stack: "prod", mode, activeSite, configOverrides: restore }));
      }
    }
    dev = await evaluateStack({ stack: "dev" });
  });

  it("covers every resource type prod (all 8 DR states) and dev register: priced, or free/unpriced with a reason", () => {
    const types = new Set([...prod.values(), dev].flatMap((p) => p.resources.filter((r) => r.custom).map((r) => r.type)));
    const missing = [...types].filter((t) => COVERAGE[t] === undefined).sort();
    assert.deepEqual(missing, [], `types with no pricing rule and no free/unpriced reason: ${missing.join(", ")}`);
    for (const [type, c] of Object.entries(COVERAGE)) {
      if (c.kind !== "priced") assert.ok(c.reason.length > 10, `${type}: ${c.kind} needs a reason`);
    }
    for (const p of [...prod.values(), dev]) assert.deepEqual(estimate(p).uncoveredTypes, []);
  });

  it("prices every line of every prod state and of dev (the sizes the stack files and defaults use)", () => {
    for (const [state, p] of [...prod.entries(), ["dev", dev] as const]) {
      const unpriced = estimate(p).lines.filter((l) => l.monthlyUsd === undefined);
      assert.deepEqual(unpriced.filter((l) => COVERAGE[l.type]?.kind === "priced").map((l) => `${l.resource}: ${l.priceItem} in ${l.region}`), [], state);
    }
  });

  it("keeps the ladder's order for prod: backup-restore < pilot-light < warm-standby < active-active", () => {
    const totals = DR_MODES.map((m) => estimate(prod.get(`${m}/primary`)!).totals);
    for (let i = 1; i < totals.length; i++) {
      assert.ok(totals[i].monthlyUsd > totals[i - 1].monthlyUsd, `${DR_MODES[i]} ${totals[i].monthlyUsd} ≤ ${DR_MODES[i - 1]} ${totals[i - 1].monthlyUsd}`);
    }
  });

  it("prices the API fleet at its desired and its maximum size (AWS, hand-computed)", () => {
    const e = estimate(prod.get("warm-standby/primary")!);
    const primary = lineOf(e, "primary-api", /m7g\.large instance-hours/);
    // 3 × 730 h × $0.0998 (Seoul); max 12 × 730 h × $0.0998
    assert.equal(primary.monthlyUsd, 218.56);
    assert.equal(primary.maxMonthlyUsd, 874.25);
    const standby = lineOf(e, "secondary-api", /m7g\.large instance-hours/);
    // warm standby keeps 1 instance in Tokyo: 730 h × $0.1049; max 12
    assert.equal(standby.monthlyUsd, 76.58);
    assert.equal(standby.maxMonthlyUsd, 918.92);
    assert.ok(e.totals.maxMonthlyUsd > e.totals.monthlyUsd);
    const pilot = lineOf(estimate(prod.get("pilot-light/primary")!), "secondary-api", /instance-hours/);
    assert.equal(pilot.monthlyUsd, 0);
  });

  it("checks hand-computed AWS lines against the table: Multi-AZ RDS, NAT, Route 53 health check, cross-region replica", () => {
    const e = estimate(prod.get("warm-standby/primary")!);
    // Multi-AZ: 2 × 730 h × $0.26
    assert.equal(lineOf(e, "primary-db", /db\.r6g\.large Multi-AZ instance-hours/).monthlyUsd, 379.6);
    // 100 GB gp3, Multi-AZ: 200 GB-month × $0.131
    assert.equal(lineOf(e, "primary-db", /gp3 storage/).monthlyUsd, 26.2);
    // a Tokyo NAT gateway: 730 h × $0.062
    assert.equal(lineOf(e, "secondary-net-nat-0", /gateway-hours/).monthlyUsd, 45.26);
    // HTTPS + fast interval on an AWS endpoint: $0.50 + 2 × $1.00
    assert.equal(lineOf(e, "edge-primary-readyz", /^health check/).monthlyUsd, 0.5);
    assert.equal(lineOf(e, "edge-primary-readyz", /optional features/).monthlyUsd, 2);
    // the cross-region replica's binlog leaves Seoul: 30 GB × $0.08
    const binlog = lineOf(e, "secondary-db", /binlog/);
    assert.equal(binlog.region, "ap-northeast-2");
    assert.equal(binlog.monthlyUsd, 2.4);
    assert.equal(binlog.site, "secondary");
    // secrets replicated to Tokyo: one replica line each
    assert.equal(lineOf(e, "db-master", /replica in ap-northeast-1/).monthlyUsd, 0.4);
  });

  it("checks hand-computed DigitalOcean and Cloudflare lines against the table (dev)", () => {
    const e = estimate(dev);
    const flat = (re: RegExp) => e.lines.filter((l) => re.test(l.type));
    for (const l of flat(/^digitalocean:/)) assert.equal(l.monthlyUsd, findPrice(l.priceItem, "any")!.usd * l.quantity, `${l.resource} ${l.what}`);
    const mysql = e.lines.find((l) => l.type === "digitalocean:index/databaseCluster:DatabaseCluster" && l.tier === "database");
    if (mysql) assert.equal(mysql.monthlyUsd, 30 * Number(/× (\d+) node/.exec(mysql.what)![1]));
    const lb = e.lines.find((l) => l.type === "digitalocean:index/loadBalancer:LoadBalancer");
    assert.equal(lb?.monthlyUsd, 12);
    // Cloudflare: the load-balancing subscription and the Pro plan the stack names (billed annually)
    assert.equal(lineOf(e, "edge-api", /load balancing subscription/).monthlyUsd, 5);
    assert.equal(lineOf(e, "edge-api", /zone plan pro/).monthlyUsd, 20);
  });

  it("prints \"no price\" for a size the table lacks and counts it apart, never as 0", () => {
    const base = prod.get("warm-standby/primary")!;
    const resources = base.resources.map((r) => (r.name === "primary-db-read-0" && r.type === "aws:rds/instance:Instance" ? { ...r, inputs: { ...r.inputs, instanceClass: "db.x9.huge" } } : r));
    const odd = estimate({ ...base, resources });
    const line = lineOf(odd, "primary-db-read-0", /db\.x9\.huge/);
    assert.equal(line.monthlyUsd, undefined);
    assert.equal(odd.totals.unpricedLines, 1);
    const normal = estimate(base);
    assert.equal(round(normal.totals.monthlyUsd - odd.totals.monthlyUsd), lineOf(normal, "primary-db-read-0", /instance-hours/).monthlyUsd);
    const text = formatCost(odd);
    assert.match(text, /No price \(1, not counted in the totals\):\n {2}no price: primary \/ database primary-db-read-0: db\.x9\.huge /);
  });

  it("prices an AWS WAF web ACL as it lands: the ACL, its rules and the requests it inspects", () => {
    const base = prod.get("warm-standby/primary")!;
    const alb = base.resources.find((r) => r.type === "aws:lb/loadBalancer:LoadBalancer" && r.name === "primary-api")!;
    const acl = { ...alb, type: "aws:wafv2/webAcl:WebAcl", name: "primary-waf", inputs: { scope: "REGIONAL", region: alb.region, rules: [{}, {}, {}] } };
    const e = estimate({ ...base, resources: [...base.resources, acl] });
    // $5 + 3 × $1 + 100 M requests on the serving site × $0.60 per million
    assert.equal(lineOf(e, "primary-waf", /web ACL/).monthlyUsd, 5);
    assert.equal(lineOf(e, "primary-waf", /3 rules/).monthlyUsd, 3);
    assert.equal(lineOf(e, "primary-waf", /requests inspected/).monthlyUsd, 60);
  });

  it("reports a type with no rule as \"no price\" and names it", () => {
    const base = dev;
    const stray = { ...base.resources.find((r) => r.custom)!, type: "aws:shield/protection:Protection", name: "edge-shield" };
    const e = estimate({ ...base, resources: [...base.resources, stray] });
    assert.deepEqual(e.uncoveredTypes, ["aws:shield/protection:Protection"]);
    assert.equal(lineOf(e, "edge-shield", /no rule/).monthlyUsd, undefined);
  });

  it("prints the estimate's honesty line, the table's date and every assumption; --diff prints before → after", () => {
    const text = formatCost(estimate(prod.get("warm-standby/primary")!));
    assert.match(text.replace(/\n/g, " "), new RegExp(`An estimate, not a bill: .* as of ${PRICE_TABLE_DATE}.*free tiers, savings plans, reserved capacity and taxes are ignored`));
    for (const a of assumptions) assert.ok(text.includes(`${a.name} = ${a.value}`), a.name);
    assert.match(text, /\[us-east-1 price\]/, "a carried-over price says so");
    const delta = formatCostDelta(estimate(prod.get("warm-standby/primary")!), estimate(prod.get("active-active/primary")!));
    assert.match(delta, /^Monthly cost \(estimate, prices as of .*\): \$[\d,.]+ → \$[\d,.]+ \(\+\$[\d,.]+\)/);
  });

  it("--compare-modes: a row per mode with cost, RTO/RPO, $ per minute of RTO saved and the standby; a refused mode with its reason", () => {
    const rows: ModeRow[] = DR_MODES.map((mode) => {
      const plan = prod.get(`${mode}/primary`)!;
      const e = estimate(plan);
      const o = (plan.outputs as Record<string, any>).recoveryObjectives;
      const split = { monthlyUsd: 0, maxMonthlyUsd: 0 };
      return { mode, estimate: e, objectives: o, split: { active: split, standby: split, global: split }, standbyRuns: standbyRuns(e) };
    });
    assert.equal(rows[2].standbyRuns, "API 1× m7g.large (max 12), db.r6g.large Multi-AZ, cache.r7g.large × 1");
    assert.equal(rows[3].standbyRuns, "no standby: every site serves");
    const text = formatModes("prod", [...rows, { mode: "x", refused: "dr.mode: needs a standby site" }], false);
    const pilot = text.split("\n").find((l) => l.startsWith("pilot-light"))!;
    const perMinute = (rows[1].estimate!.totals.monthlyUsd - rows[0].estimate!.totals.monthlyUsd) / ((3270 - 570) / 60);
    assert.ok(pilot.includes(`$${perMinute.toFixed(2)}`), pilot);
    assert.match(text, /^x +not available: dr\.mode: needs a standby site$/m);
    assert.match(text, /^ {2}warm-standby: API 1× m7g\.large \(max 12\), db\.r6g\.large Multi-AZ, cache\.r7g\.large × 1$/m);
    for (const l of [...text.split("\n"), ...formatCost(rows[2].estimate!).split("\n")]) assert.ok(l.length <= 120, `wider than 120: ${l}`);
  });

  it("reads usage from the stack's cost:<name> keys and --usage, refusing unknown names and bad values", () => {
    const r = resolveUsage({ "cost:cdnGbOut": "1000", "resilient-feed:dr": "{}" }, ["dnsQueriesPerMonth=5000000"]);
    assert.equal(r.usage.cdnGbOut, 1000);
    assert.equal(r.usage.dnsQueriesPerMonth, 5_000_000);
    assert.equal(r.assumptions.find((a) => a.name === "cdnGbOut")!.from, "stack config");
    assert.throws(() => resolveUsage({}, ["nope=1"]), /unknown usage figure "nope"/);
    assert.throws(() => resolveUsage({}, ["cdnGbOut=-1"]), /must be a number ≥ 0/);
  });

  it("gives every price row a unit, a source page and a positive or zero price", () => {
    for (const row of PRICES) {
      assert.match(row.source, /^https:\/\//, row.item);
      assert.ok(row.unit.length > 0 && row.usd >= 0, row.item);
      if (row.carriedFrom) assert.notEqual(row.carriedFrom, row.region, row.item);
    }
  });
});

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
