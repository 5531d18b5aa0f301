// What `plan --cost`, `plan --compare-modes` and `plan --diff --cost` run: cli.ts parses the
// options and calls in here.
import { readStackConfig } from "../../infra/config/stack-file";
import { estimateCost } from "./cost";
import { formatCost, formatCostDelta } from "./cost-format";
import { compareModes } from "./cost-modes";
import { formatModes } from "./cost-modes-format";
import { resolveUsage } from "./cost-usage";
import type { PlanResult } from "./types";

export interface CostCommand {
  readonly stack: string;
  /** the stack's state as the plan evaluated it (--mode/--active-site/--set applied) */
  readonly plan: PlanResult;
  /** --usage NAME=VALUE pairs */
  readonly usage: readonly string[];
  readonly json: boolean;
}

/** `plan --cost`: the estimate of the planned state, as text or JSON. */
export function printCost(c: CostCommand): number {
  const { usage, assumptions } = resolveUsage(readStackConfig(c.stack), c.usage);
  const estimate = estimateCost(c.plan, usage, assumptions);
  console.log(c.json ? JSON.stringify({ estimate }, null, 2) : formatCost(estimate));
  return 0;
}

/** `plan --compare-modes`: every DR mode of the stack as configured (--active-site/--set applied). */
export async function printModes(stack: string, activeSite: string | undefined, overrides: Record<string, unknown>, usageArgs: readonly string[], json: boolean, breakdown: boolean): Promise<number> {
  const { usage, assumptions } = resolveUsage(readStackConfig(stack), usageArgs);
  const rows = await compareModes(stack, activeSite, overrides, usage, assumptions);
  if (json) {
    console.log(JSON.stringify({ modes: rows.map((r) => ({ mode: r.mode, refused: r.refused, totals: r.estimate?.totals, split: r.split, objectives: r.objectives, standbyRuns: r.standbyRuns })), assumptions }, null, 2));
  } else {
    console.log(formatModes(stack, rows, breakdown));
  }
  return 0;
}

/** `plan --diff --cost`: the cost before → after, as a line for the text diff and as data for --json. */
export function diffCost(stack: string, before: PlanResult, after: PlanResult, usageArgs: readonly string[]): { text: string; json: unknown } {
  const { usage, assumptions } = resolveUsage(readStackConfig(stack), usageArgs);
  const b = estimateCost(before, usage, assumptions);
  const a = estimateCost(after, usage, assumptions);
  return { text: formatCostDelta(b, a), json: { before: b.totals, after: a.totals, priceTableDate: a.priceTableDate, assumptions } };
}
