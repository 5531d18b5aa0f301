// The monthly cost estimate of a planned stack state: every resource of the plan goes through its
// type's rule (cost-coverage.ts); lines without a price are kept and counted apart, never as 0.
import { COVERAGE } from "./cost-coverage";
import { round, type CostContext, type CostEstimate, type CostLine, type CostTotals } from "./cost-types";
import type { Usage, UsageAssumption } from "./cost-usage";
import { PRICE_TABLE_DATE } from "./prices";
import type { PlanResult, PlannedResource } from "./types";

export function estimateCost(plan: PlanResult, usage: Usage, assumptions: readonly UsageAssumption[]): CostEstimate {
  const out = plan.outputs as Record<string, any>;
  const roles: Record<string, string> = Object.fromEntries(Object.entries((out.sites ?? {}) as Record<string, { role?: string }>).map(([s, v]) => [s, v.role ?? "unknown"]));
  const ctx = context(plan, usage, roles);
  const lines: CostLine[] = [];
  const uncovered = new Set<string>();
  for (const r of plan.resources.filter((x) => x.custom)) {
    const coverage = COVERAGE[r.type];
    if (coverage === undefined) {
      uncovered.add(r.type);
      lines.push(noRule(r, ctx, "no rule for this resource type"));
    } else if (coverage.kind === "unpriced") {
      lines.push(noRule(r, ctx, coverage.reason));
    } else if (coverage.kind === "priced") {
      lines.push(...coverage.rule(r, ctx));
    }
  }
  return {
    stack: plan.stack,
    mode: String(out.drMode),
    activeSite: String(out.activeSite),
    priceTableDate: PRICE_TABLE_DATE,
    lines,
    roles,
    totals: totals(lines),
    assumptions,
    uncoveredTypes: [...uncovered].sort(),
  };
}

function context(plan: PlanResult, usage: Usage, roles: Record<string, string>): CostContext {
  const sites = (plan.config.sites ?? {}) as Record<string, { region?: string }>;
  const regionSite = new Map(Object.entries(sites).map(([site, s]) => [s.region, site]));
  const byKey = new Map(plan.resources.map((r) => [`${r.type}::${r.name}`, r]));
  const mode = String((plan.outputs as Record<string, unknown>).drMode);
  const serving = new Set(Object.entries(roles).filter(([, role]) => role === "active").map(([s]) => s));
  if (mode !== "active-active" && serving.size > 1) serving.clear();
  if (serving.size === 0) serving.add(String((plan.outputs as Record<string, unknown>).activeSite));
  return {
    plan,
    usage,
    serving,
    find: (type, name) => byKey.get(`${type}::${name}`),
    siteOf(r: PlannedResource, region?: string): string {
      const at = region ?? r.region;
      const site = at ? regionSite.get(at) : undefined;
      if (site) return site;
      const head = r.name.split("-")[0];
      return head in sites && !at ? head : "global";
    },
  };
}

function noRule(r: PlannedResource, ctx: CostContext, reason: string): CostLine {
  return { site: ctx.siteOf(r), tier: "unpriced", type: r.type, resource: r.name, what: reason, priceItem: r.type, ...(r.region ? { region: r.region } : {}), quantity: 1, unit: "(no price)" };
}

function totals(lines: readonly CostLine[]): CostTotals {
  const perSite: Record<string, { monthlyUsd: number; maxMonthlyUsd: number }> = {};
  const perTier: Record<string, { monthlyUsd: number; maxMonthlyUsd: number }> = {};
  let monthly = 0;
  let max = 0;
  let unpriced = 0;
  for (const l of lines) {
    if (l.monthlyUsd === undefined) {
      unpriced++;
      continue;
    }
    const m = l.maxMonthlyUsd ?? l.monthlyUsd;
    monthly += l.monthlyUsd;
    max += m;
    for (const [bucket, key] of [[perSite, l.site], [perTier, l.tier]] as const) {
      const cur = bucket[key] ?? { monthlyUsd: 0, maxMonthlyUsd: 0 };
      bucket[key] = { monthlyUsd: round(cur.monthlyUsd + l.monthlyUsd), maxMonthlyUsd: round(cur.maxMonthlyUsd + m) };
    }
  }
  return { monthlyUsd: round(monthly), maxMonthlyUsd: round(max), perSite, perTier, unpricedLines: unpriced };
}
