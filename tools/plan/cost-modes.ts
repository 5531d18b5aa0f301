// `plan --compare-modes`: the stack as configured in each DR mode, one row per mode with its
// monthly cost (the active site, the standby site, global), the derived RTO/RPO and what the
// standby runs. A mode the stack cannot take gets its row with the config error's reason instead.
import { ConfigError } from "../../infra/config/errors";
import { estimateCost } from "./cost";
import type { CostEstimate, CostLine } from "./cost-types";
import type { Usage, UsageAssumption } from "./cost-usage";
import { evaluateStack } from "./evaluate";
import { DR_MODES } from "./transitions";

export interface RecoveryFigures {
  readonly rto: string;
  readonly rpo: string;
  readonly rtoSeconds: number;
  readonly rpoSeconds: number;
  readonly breakdown?: unknown;
}

export interface ModeRow {
  readonly mode: string;
  /** why the stack cannot take this mode (its config error), instead of figures */
  readonly refused?: string;
  readonly estimate?: CostEstimate;
  readonly objectives?: RecoveryFigures;
  /** monthly cost at the desired size (max size) of the active site(s), the standby site(s) and global */
  readonly split?: { readonly active: Split; readonly standby: Split; readonly global: Split };
  readonly standbyRuns?: string;
}

export interface Split {
  readonly monthlyUsd: number;
  readonly maxMonthlyUsd: number;
}

export async function compareModes(stack: string, activeSite: string | undefined, overrides: Record<string, unknown>, usage: Usage, assumptions: readonly UsageAssumption[]): Promise<ModeRow[]> {
  const rows: ModeRow[] = [];
  // sequential: the mocks are process-wide, one evaluation at a time
  for (const mode of DR_MODES) {
    try {
      const plan = await evaluateStack({ stack, mode, activeSite, configOverrides: overrides });
      const estimate = estimateCost(plan, usage, assumptions);
      const objectives = (plan.outputs as Record<string, unknown>).recoveryObjectives as RecoveryFigures;
      rows.push({ mode, estimate, objectives, split: split(estimate), standbyRuns: standbyRuns(estimate) });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      rows.push({ mode, refused: e.problems.map((p) => `${p.key}: ${p.message}`).join("; ") });
    }
  }
  return rows;
}

function split(e: CostEstimate): ModeRow["split"] {
  const sum = (keep: (site: string) => boolean): Split => {
    const entries = Object.entries(e.totals.perSite).filter(([site]) => keep(site));
    return { monthlyUsd: round(entries.reduce((n, [, t]) => n + t.monthlyUsd, 0)), maxMonthlyUsd: round(entries.reduce((n, [, t]) => n + t.maxMonthlyUsd, 0)) };
  };
  return {
    active: sum((s) => e.roles[s] === "active"),
    standby: sum((s) => s !== "global" && e.roles[s] !== "active"),
    global: sum((s) => s === "global"),
  };
}

/** The standby's API, database and cache, in words ("nothing" when it runs none of them). */
export function standbyRuns(e: CostEstimate): string {
  const standby = new Set(Object.entries(e.roles).filter(([, role]) => role !== "active").map(([s]) => s));
  if (standby.size === 0) return Object.keys(e.roles).length > 1 ? "no standby: every site serves" : "no standby site";
  const parts: string[] = [];
  const on = (tier: string, match: RegExp) => e.lines.filter((l) => standby.has(l.site) && l.tier === tier && match.test(l.what));
  for (const l of on("app", /instance-hours|^droplet/)) parts.push(`API ${apiCount(l)}`);
  for (const l of on("database", /instance-hours|^managed/)) parts.push(l.what.replace(/ instance-hours$/, ""));
  for (const l of on("cache", /node-hours|^managed/)) parts.push(l.what.replace(/ node-hours$/, ""));
  if (parts.length > 0) return parts.join(", ");
  const tiers = [...new Set(e.lines.filter((l) => standby.has(l.site) && (l.monthlyUsd ?? 0) > 0).map((l) => l.tier))].sort();
  return `no API, database or cache (${tiers.join(", ")})`;
}

function apiCount(l: CostLine): string {
  const m = /^(\S+) instance-hours \(desired (\d+), max (\d+)\)/.exec(l.what);
  return m ? `${m[2]}× ${m[1]} (max ${m[3]})` : l.what;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
