// The shapes of the cost estimate: one line per priced quantity of a resource, and the context a
// resource's pricing rule reads (the plan, the usage figures, which sites serve traffic).
import { findPrice } from "./prices";
import type { Usage, UsageAssumption } from "./cost-usage";
import type { PlanResult, PlannedResource } from "./types";

/** Hours in the estimate's month (365 × 24 / 12), as AWS's own calculator counts them. */
export const HOURS_PER_MONTH = 730;

export interface CostLine {
  /** "primary", "secondary" (the site whose region the resource is in) or "global" */
  readonly site: string;
  readonly tier: string;
  readonly type: string;
  /** the resource's logical name */
  readonly resource: string;
  /** what is counted, e.g. "m7g.large instance-hours (desired 3)" */
  readonly what: string;
  /** the price table's item and the region it was looked up in */
  readonly priceItem: string;
  readonly region?: string;
  readonly quantity: number;
  /** the quantity at the maximum size, where it differs (an Auto Scaling group) */
  readonly maxQuantity?: number;
  readonly unit: string;
  /** undefined: the table has no price for this item and region ("no price", counted apart) */
  readonly unitUsd?: number;
  readonly monthlyUsd?: number;
  readonly maxMonthlyUsd?: number;
  /** the region whose price was carried over, when the table says so */
  readonly carriedFrom?: string;
}

export interface CostContext {
  readonly plan: PlanResult;
  readonly usage: Usage;
  /** sites (by name) that serve traffic in this state: the active site, both in active-active */
  readonly serving: ReadonlySet<string>;
  /** the plan's resource of a type and logical name (names repeat across types) */
  find(type: string, name: string): PlannedResource | undefined;
  /** the site a region belongs to */
  siteOf(r: PlannedResource, region?: string): string;
}

/** A resource type's rule: the lines it costs (none when it costs nothing in this state). */
export type PriceRule = (r: PlannedResource, ctx: CostContext) => CostLine[];

export interface LineSpec {
  readonly tier: string;
  readonly what: string;
  readonly priceItem: string;
  /** defaults to the resource's region */
  readonly region?: string;
  readonly quantity: number;
  readonly maxQuantity?: number;
  /** the site to book the line on; defaults to the site of `region` */
  readonly site?: string;
}

/** A line for `r`, priced from the table (no price when the table has no row for item and region). */
export function line(r: PlannedResource, ctx: CostContext, spec: LineSpec): CostLine {
  const region = spec.region ?? r.region;
  const row = findPrice(spec.priceItem, region);
  const priced = row === undefined ? {} : {
    unitUsd: row.usd,
    monthlyUsd: round(spec.quantity * row.usd),
    ...(spec.maxQuantity !== undefined ? { maxMonthlyUsd: round(spec.maxQuantity * row.usd) } : {}),
    ...(row.carriedFrom ? { carriedFrom: row.carriedFrom } : {}),
  };
  return {
    site: spec.site ?? ctx.siteOf(r, region),
    tier: spec.tier,
    type: r.type,
    resource: r.name,
    what: spec.what,
    priceItem: spec.priceItem,
    ...(region ? { region } : {}),
    quantity: spec.quantity,
    ...(spec.maxQuantity !== undefined ? { maxQuantity: spec.maxQuantity } : {}),
    unit: row?.unit ?? "(no price)",
    ...priced,
  };
}

/** Cents, to keep sums exact enough to compare. */
export function round(usd: number): number {
  return Math.round(usd * 100) / 100;
}

export interface CostEstimate {
  readonly stack: string;
  readonly mode: string;
  readonly activeSite: string;
  readonly priceTableDate: string;
  readonly lines: readonly CostLine[];
  /** every site's role in this state: active or standby */
  readonly roles: Readonly<Record<string, string>>;
  readonly totals: CostTotals;
  readonly assumptions: readonly UsageAssumption[];
  /** resource types in the plan no rule covers: their resources are listed as "no price" lines */
  readonly uncoveredTypes: readonly string[];
}

export interface CostTotals {
  /** priced lines at the desired size */
  readonly monthlyUsd: number;
  /** priced lines at the maximum size */
  readonly maxMonthlyUsd: number;
  readonly perSite: Readonly<Record<string, { readonly monthlyUsd: number; readonly maxMonthlyUsd: number }>>;
  readonly perTier: Readonly<Record<string, { readonly monthlyUsd: number; readonly maxMonthlyUsd: number }>>;
  /** lines without a price: never summed */
  readonly unpricedLines: number;
}
