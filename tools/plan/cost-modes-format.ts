// Renders `plan --compare-modes`: one row per DR mode with its monthly cost (desired / max size),
// split active / standby / global, the derived RTO and RPO, what one minute of RTO saved costs
// against the mode before it, and what the standby runs.
import { honestyLine, range, usd } from "./cost-format";
import type { ModeRow } from "./cost-modes";
import { row } from "./layout";

export function formatModes(stack: string, rows: readonly ModeRow[], withBreakdown: boolean): string {
  const out = [`Monthly cost and recovery objectives per DR mode, stack "${stack}" as configured`, honestyLine(), ""];
  const header = ["mode", "monthly (max)", "active", "standby", "global", "RTO", "RPO", "$/min RTO saved", "standby runs"];
  const cells = rows.map((r, i) => r.refused !== undefined || !r.estimate || !r.split || !r.objectives
    ? [r.mode, `not available: ${r.refused ?? "no figures"}`]
    : [
        r.mode,
        range(r.estimate.totals.monthlyUsd, r.estimate.totals.maxMonthlyUsd),
        usd(r.split.active.monthlyUsd),
        usd(r.split.standby.monthlyUsd),
        usd(r.split.global.monthlyUsd),
        short(r.objectives.rto),
        short(r.objectives.rpo),
        perMinute(rows, i),
        r.standbyRuns ?? "",
      ]);
  const widths = header.map((h, c) => Math.max(h.length, ...cells.filter((x) => x.length > 2).map((x) => (x[c] ?? "").length)));
  out.push(row(header, widths), ...cells.map((c) => row(c, widths)));
  const unpriced = rows.filter((r) => (r.estimate?.totals.unpricedLines ?? 0) > 0);
  for (const r of unpriced) out.push(`  ${r.mode}: ${r.estimate!.totals.unpricedLines} item(s) with no price, not counted (npm run plan -- --cost --mode ${r.mode})`);
  if (withBreakdown) {
    for (const r of rows.filter((x) => x.objectives)) {
      out.push("", `${r.mode}: RTO ${r.objectives!.rto}; RPO ${r.objectives!.rpo}`);
    }
  } else {
    out.push("", "RTO/RPO breakdowns: add --breakdown; every line of a mode's cost: npm run plan -- --cost --mode MODE");
  }
  return out.join("\n");
}

/** "≤ 6 min 30 s (detection ...)" → "≤ 6 min 30 s" */
function short(objective: string): string {
  return objective.replace(/\s*\(.*$/, "");
}

/** What each minute of RTO saved against the previous available mode costs per month. */
function perMinute(rows: readonly ModeRow[], i: number): string {
  const cur = rows[i];
  const prev = rows.slice(0, i).reverse().find((r) => r.estimate && r.objectives);
  if (!prev || !cur.estimate || !cur.objectives) return "-";
  const minutes = (prev.objectives!.rtoSeconds - cur.objectives.rtoSeconds) / 60;
  const extra = cur.estimate.totals.monthlyUsd - prev.estimate!.totals.monthlyUsd;
  if (minutes <= 0) return extra > 0 ? `+${usd(extra)}, same RTO` : "-";
  return usd(extra / minutes);
}
