import { describeTerms, formatDuration, type ObjectiveTerm } from "../../infra/topology/objectives";
import { REPLACE_TABLE_SOURCE, replacingKeys } from "./replace-inputs";
import { beforeByAfterUrn } from "./identity";
import { MAX_WIDTH, warningLines, wrap } from "./layout";
import { showValue, valueChanges, type ValueChange } from "./value-changes";
import type { PlanResult, PlannedResource } from "./types";

// `npm run plan -- --diff`: the stack as configured against an overridden state (another mode or
// active site), resource by resource, the way `pulumi preview --diff` would show it: created (+),
// deleted (-), updated in place (~, with the input keys that change) or replaced (+-, when a
// changed key forces replacement per replace-inputs.ts). Custom resources only: components call
// no cloud API. Resources are attributed to a site by region, so "0 changes in the failed site"
// means no API call to the failed region's control plane.

export type Op = "+" | "-" | "~" | "+-";

export interface ResourceChange {
  readonly op: Op;
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** site key whose region the resource is in, or "global" (Route 53, us-east-1 edge alarms...) */
  readonly site: string;
  /** input keys whose values differ (updates and replacements) */
  readonly changedKeys: readonly string[];
  /** changed keys that force replacement; undefined when the table has no entry for the type */
  readonly replaceKeys?: readonly string[];
  /** a delete that only drops the resource from the stack (retainOnDelete): it stays in the cloud */
  readonly retained?: boolean;
  /** a delete that removes data (a database, a bucket, a cache): what happens to it */
  readonly dataNote?: string;
  /** updates and replacements: the changed values under changedKeys, down to scalars */
  readonly values?: readonly ValueChange[];
}

export interface SiteTotals { create: number; delete: number; update: number; replace: number; unchanged: number }

interface Objectives { rtoSeconds: number; rpoSeconds: number; breakdown?: { rto: ObjectiveTerm[]; rpo: ObjectiveTerm[] } }

export interface PlanDiff {
  readonly stack: string;
  readonly before: { mode: string; activeSite: string; fencedSite?: string; objectives?: Objectives; warnings?: readonly string[] };
  readonly after: { mode: string; activeSite: string; fencedSite?: string; objectives?: Objectives; warnings?: readonly string[] };
  readonly changes: readonly ResourceChange[];
  readonly totals: Readonly<Record<string, SiteTotals>>;
}

export function diffPlans(before: PlanResult, after: PlanResult): PlanDiff {
  const siteOfRegion = regionSites(before, after);
  const siteOf = (r: PlannedResource) => (r.region && siteOfRegion.get(r.region)) || nameSite(r) || "global";
  const index = (p: PlanResult) => new Map(p.resources.filter((r) => r.custom).map((r) => [r.urn, r]));
  // a resource renamed through an alias is the same resource: compared, not deleted and created
  const a = beforeByAfterUrn(before, after);
  const b = index(after);
  const totals: Record<string, SiteTotals> = {};
  const count = (site: string, key: keyof SiteTotals) => {
    totals[site] ??= { create: 0, delete: 0, update: 0, replace: 0, unchanged: 0 };
    totals[site][key]++;
  };
  const changes: ResourceChange[] = [];
  for (const [urn, old] of a) {
    const now = b.get(urn);
    if (!now) {
      const dataNote = old.retainOnDelete ? undefined : deletedData(old);
      changes.push({ op: "-", urn, type: old.type, name: old.name, site: siteOf(old), changedKeys: [], ...(old.retainOnDelete ? { retained: true } : {}), ...(dataNote ? { dataNote } : {}) });
      count(siteOf(old), "delete");
      continue;
    }
    const changedKeys = changedInputs(old.inputs, now.inputs);
    if (old.region !== now.region && !changedKeys.includes("region")) changedKeys.push("region");
    if (changedKeys.length === 0) {
      count(siteOf(now), "unchanged");
      continue;
    }
    const replaceKeys = replacingKeys(now.type, changedKeys);
    const replaced = replaceKeys !== undefined && replaceKeys.length > 0;
    // a region carried by the provider (not an input) still shows its old → new value
    const withRegion = (r: PlannedResource) => ({ ...r.inputs, region: r.inputs.region ?? r.region });
    const values = valueChanges(withRegion(old), withRegion(now), changedKeys);
    changes.push({ op: replaced ? "+-" : "~", urn, type: now.type, name: now.name, site: siteOf(now), changedKeys, replaceKeys, values });
    count(siteOf(now), replaced ? "replace" : "update");
  }
  for (const [urn, now] of b) {
    if (a.has(urn)) continue;
    changes.push({ op: "+", urn, type: now.type, name: now.name, site: siteOf(now), changedKeys: [] });
    count(siteOf(now), "create");
  }
  return { stack: before.stack, before: stateOf(before), after: stateOf(after), changes, totals };
}

/**
 * What deleting `r` does to the data in it, read from the inputs in state (the ones the provider
 * acts on at delete time); undefined for resources that hold no data.
 */
export function deletedData(r: PlannedResource): string | undefined {
  const x = r.inputs;
  const protectedNote = x.deletionProtection === true ? "; deletion protection is on, so the delete is refused" : "";
  if (r.type === "aws:s3/bucket:Bucket") {
    return `removes bucket ${r.name} and its objects${x.forceDestroy === true ? " (forceDestroy: old versions too)" : "; without forceDestroy S3 refuses while it holds any object or old version"}`;
  }
  if (r.type === "aws:rds/instance:Instance") {
    const replica = typeof x.replicateSourceDb === "string" && x.replicateSourceDb !== "";
    if (replica) {
      return `${x.skipFinalSnapshot === true ? "replica: no final snapshot, its data is on its writer" : "replica asks for a final snapshot, which RDS refuses for a read replica"}${protectedNote}`;
    }
    const snapshot = x.skipFinalSnapshot === true || typeof x.finalSnapshotIdentifier !== "string" ? "no final snapshot: its data is lost" : `final snapshot ${x.finalSnapshotIdentifier}`;
    return `writer: ${snapshot}${protectedNote}`;
  }
  if (r.type === "aws:elasticache/replicationGroup:ReplicationGroup") {
    return typeof x.finalSnapshotIdentifier === "string" ? `cache: final snapshot ${x.finalSnapshotIdentifier}` : "cache: no final snapshot";
  }
  return undefined;
}

/** Top-level input keys whose values differ (compared as canonical JSON). */
export function changedInputs(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => canonical(before[k]) !== canonical(after[k])).sort();
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, value) => (value && typeof value === "object" && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).sort(([x], [y]) => x.localeCompare(y)))
    : value)) ?? "undefined";
}

function regionSites(...plans: PlanResult[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of plans) {
    const sites = (p.config.sites ?? {}) as Record<string, { region?: string }>;
    for (const [key, s] of Object.entries(sites)) if (s?.region) out.set(s.region, key);
  }
  return out;
}

/** Regionless site resources (DigitalOcean firewalls, tags) are named after their site. */
function nameSite(r: PlannedResource): string | undefined {
  if (r.region) return undefined;
  const head = r.name.split("-")[0];
  return head === "primary" || head === "secondary" ? head : undefined;
}

function stateOf(p: PlanResult): PlanDiff["before"] {
  const out = p.outputs as { drMode?: string; activeSite?: string; fencedSite?: string; recoveryObjectives?: Objectives; warnings?: string[] };
  return { mode: String(out.drMode ?? "?"), activeSite: String(out.activeSite ?? "?"), ...(out.fencedSite ? { fencedSite: out.fencedSite } : {}), objectives: out.recoveryObjectives, ...(out.warnings ? { warnings: out.warnings } : {}) };
}

const SITE_ORDER = ["primary", "secondary", "global"];
const OP_ORDER: Record<Op, number> = { "-": 0, "+-": 1, "~": 2, "+": 3 };

/**
 * The diff as text, every line at most `width` columns (at most MAX_WIDTH). Nothing is cut: long
 * lines wrap. Updates list each changed value as old → new, nested ones by path.
 */
export function formatDiff(diff: PlanDiff, width = 100): string {
  width = Math.min(width, MAX_WIDTH);
  const lines: string[] = [];
  const state = (s: PlanDiff["before"]) => `${s.mode}, active ${s.activeSite}${s.fencedSite ? `, ${s.fencedSite} fenced` : ""}`;
  lines.push(...wrap(`Diff for stack "${diff.stack}": ${state(diff.before)} → ${state(diff.after)}`, width));
  lines.push(...wrap(`(+ create, - delete, ~ update in place, +- replace; ${REPLACE_TABLE_SOURCE})`, width));
  // the plain plan's warnings for the state the diff moves to: pins, re-seeding, fenced sites
  lines.push(...warningLines(diff.after.warnings ?? [], width));
  const retained = diff.changes.filter((c) => c.retained).length;
  if (retained > 0) lines.push(...wrap(`${retained} of the deletes only drop the resource from the stack (retainOnDelete): the old writer's instances and their keys stay in the cloud until deleted by hand`, width));
  const sites = [...new Set([...Object.keys(diff.totals), ...diff.changes.map((c) => c.site)])].sort((x, y) => rank(x) - rank(y) || x.localeCompare(y));
  for (const site of sites) {
    const changes = diff.changes.filter((c) => c.site === site).sort((x, y) => OP_ORDER[x.op] - OP_ORDER[y.op] || x.type.localeCompare(y.type) || x.name.localeCompare(y.name));
    if (changes.length === 0) continue;
    lines.push("", `== ${site}`);
    for (const c of changes) {
      const note = c.op === "~" && c.replaceKeys === undefined ? " (no replace table entry)" : c.retained ? " (retained: left in the cloud)" : "";
      lines.push(...wrap(`${c.op.padEnd(2)} ${c.type} ${c.name}${note}`, width, "  ", "       "));
      if (c.op === "~" || c.op === "+-") lines.push(...changeLines(c, width));
      if (c.dataNote) lines.push(...wrap(`data: ${c.dataNote}`, width, "       ", "         "));
    }
  }
  if (diff.changes.some((c) => c.op === "+-")) lines.push("", "  * forces replacement");
  lines.push("", "Totals per site:");
  lines.push(`  ${"site".padEnd(10)} ${["create", "delete", "update", "replace", "unchanged"].map((h) => h.padStart(10)).join("")}`);
  const all: SiteTotals = { create: 0, delete: 0, update: 0, replace: 0, unchanged: 0 };
  for (const site of sites) {
    const t = diff.totals[site] ?? { create: 0, delete: 0, update: 0, replace: 0, unchanged: 0 };
    for (const k of Object.keys(all) as (keyof SiteTotals)[]) all[k] += t[k];
    lines.push(`  ${site.padEnd(10)} ${[t.create, t.delete, t.update, t.replace, t.unchanged].map((n) => String(n).padStart(10)).join("")}`);
  }
  lines.push(`  ${"all".padEnd(10)} ${[all.create, all.delete, all.update, all.replace, all.unchanged].map((n) => String(n).padStart(10)).join("")}`);
  lines.push("", ...objectiveLines("RTO", diff.before.objectives, diff.after.objectives, "rto", width), ...objectiveLines("RPO", diff.before.objectives, diff.after.objectives, "rpo", width));
  // the totals table is the one fixed-width block: below 62 columns it wraps too
  return lines.flatMap((l) => (l.length <= width ? [l] : wrap(l.trim(), width, "  ", "    "))).join("\n");
}

/** One line per changed value (old → new), `*` on keys that force replacement. */
function changeLines(c: ResourceChange, width: number): string[] {
  const star = (path: string) => (c.replaceKeys?.includes(path.split(/[.[]/)[0]) ? "*" : "");
  const values: readonly ValueChange[] = c.values ?? c.changedKeys.map((path) => ({ path }));
  return values.flatMap((v) => {
    const text = v.secret ? `${v.path}${star(v.path)} (secret) changed`
      : v.more !== undefined ? `${v.path}: ${v.more} more nested change${v.more === 1 ? "" : "s"}`
      : "before" in v || "after" in v ? `${v.path}${star(v.path)} ${showValue(v.before)} → ${showValue(v.after)}`
      : `${v.path}${star(v.path)} changed`;
    return wrap(text, width, "       ", "         ");
  });
}

function rank(site: string): number {
  const i = SITE_ORDER.indexOf(site);
  return i < 0 ? SITE_ORDER.length : i;
}

function objectiveLines(label: string, before: Objectives | undefined, after: Objectives | undefined, which: "rto" | "rpo", width: number): string[] {
  if (!before || !after) return [];
  const secs = (o: Objectives) => (which === "rto" ? o.rtoSeconds : o.rpoSeconds);
  const terms = (o: Objectives) => (o.breakdown ? describeTerms(o.breakdown[which]) : "no breakdown");
  return [
    `${label} ${formatDuration(secs(before))} → ${formatDuration(secs(after))}`,
    ...wrap(`before: ${terms(before)}`, width, "  ", "    "),
    ...wrap(`after:  ${terms(after)}`, width, "  ", "    "),
  ];
}

/** Word wrapping lives in layout.ts; re-exported for existing importers. */
export { wrap } from "./layout";
