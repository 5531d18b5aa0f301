// Renders `plan --compare-modes`: one row per DR mode with its monthly cost (desired / max size),
// split active / standby / global, the derived RTO and RPO, what one minute of RTO saved costs
// against the mode before it, and what the standby runs.
import { honestyLine, range, usd } from "./cost-format";
import type { ModeRow } from "./cost-modes";
import { MAX_WIDTH, row, wrap } from "./layout";

export function formatModes(stack: string, rows: readonly ModeRow[], withBreakdown: boolean): string {
  const out = [`Monthly cost and recovery objectives per DR mode, stack "${stack}" as configured`, ...wrap(honestyLine(), MAX_WIDTH, "", ""), ""];
  const header = ["mode", "monthly (max)", "active", "standby", "global", "RTO", "RPO", "$/min RTO saved"];
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
      ]);
  const widths = header.map((h, c) => Math.max(h.length, ...cells.filter((x) => x.length > 2).map((x) => (x[c] ?? "").length)));
  out.push(row(header, widths), ...cells.flatMap((c) => wrap(row(c, widths), MAX_WIDTH, "", "               ")));
  out.push("", "What the standby runs:");
  for (const r of rows.filter((x) => x.standbyRuns)) out.push(...wrap(`${r.mode}: ${r.standbyRuns}`, MAX_WIDTH, "  ", "    "));
  const unpriced = rows.filter((r) => (r.estimate?.totals.unpricedLines ?? 0) > 0);
  for (const r of unpriced) out.push(...wrap(`${r.mode}: ${r.estimate!.totals.unpricedLines} item(s) with no price, not counted (npm run plan -- --cost --mode ${r.mode})`, MAX_WIDTH, "  ", "    "));
  if (withBreakdown) {
    for (const r of rows.filter((x) => x.objectives)) {
      out.push("", ...wrap(`${r.mode}: RTO ${r.objectives!.rto}; RPO ${r.objectives!.rpo}`, MAX_WIDTH, "", "  "));
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
