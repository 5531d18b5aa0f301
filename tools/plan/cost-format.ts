// Renders a cost estimate: the honesty line, lines grouped by site and tier, totals per site and
// per tier at the desired and the maximum size, the "no price" items apart, and the assumptions.
import { NOT_ESTIMATED } from "./cost-coverage";
import type { CostEstimate, CostLine } from "./cost-types";
import { MAX_WIDTH, wrap } from "./layout";
import { PRICE_TABLE_DATE } from "./prices";

export function usd(n: number): string {
  return `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** "$A" or "$A (max $B)" when the maximum size costs more. */
export function range(monthly: number, max: number): string {
  return max > monthly ? `${usd(monthly)} (max ${usd(max)})` : usd(monthly);
}

export function honestyLine(): string {
  return `An estimate, not a bill: on-demand list prices from tools/plan/prices.ts as of ${PRICE_TABLE_DATE} (the author's reading of the public price pages, no live lookup); free tiers, savings plans, reserved capacity and taxes are ignored.`;
}

export function formatCost(e: CostEstimate): string {
  const out: string[] = [];
  out.push(...wrap(`Estimated monthly cost, stack "${e.stack}" (mode ${e.mode}, active site ${e.activeSite}): ${range(e.totals.monthlyUsd, e.totals.maxMonthlyUsd)}`, MAX_WIDTH, "", "  "));
  out.push(...wrap(honestyLine(), MAX_WIDTH, "", ""));
  const groups = new Map<string, CostLine[]>();
  for (const l of e.lines.filter((x) => x.monthlyUsd !== undefined)) groups.set(`${l.site} / ${l.tier}`, [...(groups.get(`${l.site} / ${l.tier}`) ?? []), l]);
  for (const key of [...groups.keys()].sort()) {
    const ls = groups.get(key)!;
    const sum = ls.reduce((n, l) => n + l.monthlyUsd!, 0);
    const sumMax = ls.reduce((n, l) => n + (l.maxMonthlyUsd ?? l.monthlyUsd!), 0);
    const site = key.split(" / ")[0];
    out.push("", `== ${key}${e.roles[site] ? ` (${e.roles[site]})` : ""}: ${range(round(sum), round(sumMax))}`);
    for (const l of ls) out.push(...wrap(lineText(l), MAX_WIDTH, "  ", "      "));
  }
  const unpriced = e.lines.filter((l) => l.monthlyUsd === undefined);
  out.push("", "Per site:");
  for (const [site, t] of Object.entries(e.totals.perSite).sort()) out.push(`  ${`${site}${e.roles[site] ? ` (${e.roles[site]})` : ""}`.padEnd(22)} ${range(t.monthlyUsd, t.maxMonthlyUsd)}`);
  out.push("Per tier:");
  for (const [tier, t] of Object.entries(e.totals.perTier).sort((a, b) => b[1].monthlyUsd - a[1].monthlyUsd)) out.push(`  ${tier.padEnd(22)} ${range(t.monthlyUsd, t.maxMonthlyUsd)}`);
  out.push(`Total: ${usd(e.totals.monthlyUsd)} at the desired size, ${usd(e.totals.maxMonthlyUsd)} at the maximum size${unpriced.length ? `, plus ${unpriced.length} item(s) with no price` : ""}`);
  if (unpriced.length > 0) {
    out.push("", `No price (${unpriced.length}, not counted in the totals):`);
    for (const l of unpriced) out.push(...wrap(`no price: ${l.site} / ${l.tier} ${l.resource}: ${l.what} [${l.priceItem}${l.region ? ` in ${l.region}` : ""}]`, MAX_WIDTH, "  ", "      "));
  }
  out.push("", "Usage assumptions (set cost:<name> in the stack file or --usage NAME=VALUE):");
  for (const a of e.assumptions) out.push(`  ${a.name} = ${a.value}${a.from === "default" ? "" : ` (${a.from})`}`);
  out.push("Not estimated:", ...NOT_ESTIMATED.flatMap((s) => wrap(s, MAX_WIDTH, "  ", "    ")));
  return out.join("\n");
}

function lineText(l: CostLine): string {
  const qty = l.maxQuantity !== undefined ? `${num(l.quantity)} (max ${num(l.maxQuantity)})` : num(l.quantity);
  const carried = l.carriedFrom ? ` [${l.carriedFrom} price]` : "";
  const cost = l.maxMonthlyUsd !== undefined ? range(l.monthlyUsd!, l.maxMonthlyUsd) : usd(l.monthlyUsd!);
  return `${l.resource}: ${l.what}: ${qty} × ${usd4(l.unitUsd!)}/${l.unit}${carried} = ${cost}`;
}

/** The cost before → after of a --diff, one line. */
export function formatCostDelta(before: CostEstimate, after: CostEstimate): string {
  const d = round(after.totals.monthlyUsd - before.totals.monthlyUsd);
  const dMax = round(after.totals.maxMonthlyUsd - before.totals.maxMonthlyUsd);
  const sign = (n: number) => (n >= 0 ? `+${usd(n)}` : `-${usd(-n)}`);
  const unpriced = after.totals.unpricedLines + before.totals.unpricedLines > 0 ? ` (no price: ${before.totals.unpricedLines} → ${after.totals.unpricedLines} items, not counted)` : "";
  return `Monthly cost (estimate, prices as of ${PRICE_TABLE_DATE}): ${usd(before.totals.monthlyUsd)} → ${usd(after.totals.monthlyUsd)} (${sign(d)}); at max size ${usd(before.totals.maxMonthlyUsd)} → ${usd(after.totals.maxMonthlyUsd)} (${sign(dMax)})${unpriced}`;
}

function num(n: number): string {
  return Number.isInteger(n) ? n.toLocaleString("en-US") : n.toLocaleString("en-US", { maximumFractionDigits: 2 });
}

function usd4(n: number): string {
  return `$${n < 1 ? n.toFixed(4).replace(/0+$/, "").replace(/\.$/, "") : n.toFixed(2)}`;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
