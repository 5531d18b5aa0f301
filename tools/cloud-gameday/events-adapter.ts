import { deletedData, type Op, type PlanDiff, type ResourceChange, type SiteTotals } from "../plan/diff";
import type { PlannedResource, PlanResult } from "../plan/types";
import type { EngineEvent } from "./workspace";

// A real preview, as engine events, in the shape of the offline plan: the resources before and
// after the run (PlanResult) and the engine's own operations as a PlanDiff, so the step check of
// `plan --diff` runs on what Pulumi will really do. Engine events carry no dependencies; they come
// from `dependencies` (keyed `type::name`) when given, else every order is walked (stricter).
// Resource ids are rewritten to the offline plan's `<name>-id`, which the Route 53 and Cloudflare
// rules use to tell which object an input names; values unknown in a preview are dropped.

export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface AdaptOptions {
  readonly stack: string;
  /** project config without the namespace (`sites`, `dr`, ...) before and after the stage */
  readonly configBefore: Record<string, unknown>;
  readonly configAfter: Record<string, unknown>;
  /** provider keys of the stack (`aws:region`, ...), secrets left out */
  readonly providerConfig?: Readonly<Record<string, string>>;
  /** the site the new state fences; else the preview's stack output `fencedSite` */
  readonly fencedSite?: string;
  /** `type::name` → the `type::name` of what it depends on */
  readonly dependencies?: ReadonlyMap<string, readonly string[]>;
}

export interface Adapted {
  readonly before: PlanResult;
  readonly after: PlanResult;
  readonly diff: PlanDiff;
  /** operations the adapter does not map (imports, discards), as `op urn` */
  readonly unmapped: readonly string[];
}

type Meta = NonNullable<EngineEvent["resourcePreEvent"]>["metadata"];
type State = NonNullable<Meta["old"]>;

const REPLACE_OPS = new Set(["replace", "create-replacement", "delete-replaced"]);
const SAME_OPS = new Set(["same", "read", "refresh", "read-replacement"]);

export const nameOfUrn = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);
const keyOf = (type: string, urn: string) => `${type}::${nameOfUrn(urn)}`;

export function adaptPreview(events: readonly EngineEvent[], o: AdaptOptions): Adapted {
  const metas = events.flatMap((e) => (e.resourcePreEvent ? [e.resourcePreEvent.metadata] : []));
  const ops = new Map<string, { op: string; meta: Meta; dbr: boolean }>();
  const unmapped: string[] = [];
  for (const m of metas) {
    const seen = ops.get(m.urn);
    if (REPLACE_OPS.has(m.op)) {
      // delete-replaced before create-replacement: the engine deletes the old copy first
      const dbr = seen?.dbr ?? (m.op === "delete-replaced");
      ops.set(m.urn, { op: "replace", meta: m.op === "replace" || !seen ? m : seen.meta, dbr });
    } else if (SAME_OPS.has(m.op) || m.op === "create" || m.op === "update" || m.op === "delete") {
      if (!seen) ops.set(m.urn, { op: SAME_OPS.has(m.op) ? "same" : m.op, meta: m, dbr: false });
    } else unmapped.push(`${m.op} ${m.urn}`);
  }
  const states = [...ops.values()].flatMap((x) => [x.meta.old, x.meta.new]).filter((s): s is State => s !== undefined);
  const ids = idNames(states);
  const deps = o.dependencies;
  const planned = (s: State, dbr: boolean, all: readonly State[], urnOfKey: ReadonlyMap<string, string>): PlannedResource => {
    const inputs = clean(s.inputs ?? {}, ids) as Record<string, unknown>;
    const region = regionOf(s, inputs, all);
    const dependencies = deps?.get(keyOf(s.type, s.urn))?.map((k) => urnOfKey.get(k)).filter((u): u is string => u !== undefined);
    return {
      urn: s.urn, type: s.type, name: nameOfUrn(s.urn), inputs, custom: s.custom !== false,
      ...(s.parent ? { parentUrn: s.parent } : {}), ...(region ? { region } : {}),
      ...(s.retainOnDelete ? { retainOnDelete: true } : {}), ...(dbr ? { deleteBeforeReplace: true } : {}),
      ...(dependencies ? { dependencies } : {}),
    };
  };
  const olds = [...ops.values()].flatMap((x) => (x.meta.old && x.op !== "create" ? [x.meta.old] : []));
  const news = [...ops.values()].flatMap((x) => (x.meta.new && x.op !== "delete" ? [x.meta.new] : []));
  const dbrOf = (urn: string) => ops.get(urn)?.dbr ?? false;
  const stackOutputs = news.find((s) => s.type === "pulumi:pulumi:Stack")?.outputs ?? {};
  const fenced = o.fencedSite ?? (typeof stackOutputs.fencedSite === "string" ? stackOutputs.fencedSite : undefined);
  const plan = (states: readonly State[], config: Record<string, unknown>, outputs: Record<string, unknown>): PlanResult => ({
    stack: o.stack,
    resources: states.map((s) => planned(s, dbrOf(s.urn), states, new Map(states.map((x) => [keyOf(x.type, x.urn), x.urn])))),
    config,
    outputs,
    invokes: [],
    defaultProviders: states.some((s) => s.provider?.includes("::pulumi:providers:aws::default")) ? ["aws"] : [],
    providerConfig: o.providerConfig ?? {},
  });
  const dr = (c: Record<string, unknown>) => (c.dr ?? {}) as { mode?: string; activeSite?: string };
  const before = plan(olds, o.configBefore, { drMode: dr(o.configBefore).mode, activeSite: dr(o.configBefore).activeSite });
  const after = plan(news, o.configAfter, { drMode: dr(o.configAfter).mode, activeSite: dr(o.configAfter).activeSite, ...(fenced ? { fencedSite: fenced } : {}) });
  return { before, after, diff: diffOf(before, after, ops), unmapped };
}

/** The engine's operations as a PlanDiff, sites attributed by region as `plan --diff` does. */
function diffOf(before: PlanResult, after: PlanResult, ops: ReadonlyMap<string, { op: string; meta: Meta }>): PlanDiff {
  const regionSite = new Map<string, string>();
  for (const p of [before, after]) for (const [k, s] of Object.entries((p.config.sites ?? {}) as Record<string, { region?: string }>)) if (s?.region) regionSite.set(s.region, k);
  const byUrn = new Map([...before.resources, ...after.resources].map((r) => [r.urn, r]));
  const siteOf = (r: PlannedResource) => (r.region && regionSite.get(r.region)) || (/^(primary|secondary)-/.exec(r.name)?.[1]) || "global";
  const totals: Record<string, SiteTotals> = {};
  const changes: ResourceChange[] = [];
  const symbol: Record<string, Op | undefined> = { create: "+", delete: "-", update: "~", replace: "+-" };
  for (const [urn, { op, meta }] of ops) {
    const r = after.resources.find((x) => x.urn === urn) ?? byUrn.get(urn);
    if (!r || !r.custom) continue;
    const site = siteOf(r);
    totals[site] ??= { create: 0, delete: 0, update: 0, replace: 0, unchanged: 0 };
    const sym = symbol[op];
    if (!sym) {
      totals[site].unchanged++;
      continue;
    }
    totals[site][op as keyof SiteTotals]++;
    const old = before.resources.find((x) => x.urn === urn);
    const retained = sym === "-" && old?.retainOnDelete === true;
    const dataNote = sym === "-" && old && !retained ? deletedData(old) : undefined;
    changes.push({
      op: sym, urn, type: r.type, name: r.name, site, changedKeys: [...(meta.diffs ?? [])],
      ...(sym === "+-" ? { replaceKeys: [...(meta.keys ?? [])] } : {}),
      ...(retained ? { retained } : {}), ...(dataNote ? { dataNote } : {}),
    });
  }
  const state = (p: PlanResult) => ({ mode: String(p.outputs.drMode ?? "?"), activeSite: String(p.outputs.activeSite ?? "?"), ...(p.outputs.fencedSite ? { fencedSite: String(p.outputs.fencedSite) } : {}) });
  return { stack: before.stack, before: state(before), after: state(after), changes, totals };
}

/** Real id → `<name>-id` for every resource with a known id. */
function idNames(states: readonly State[]): Map<string, string> {
  return new Map(states.filter((s) => s.id && s.id !== UNKNOWN && s.custom !== false).map((s) => [s.id, `${nameOfUrn(s.urn)}-id`]));
}

function clean(v: unknown, ids: ReadonlyMap<string, string>): unknown {
  if (typeof v === "string") return v === UNKNOWN ? undefined : ids.get(v) ?? v;
  if (Array.isArray(v)) return v.map((x) => clean(x, ids));
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clean(x, ids)]).filter(([, x]) => x !== undefined));
  return v;
}

const GLOBAL_SERVICES = ["route53", "iam", "cloudfront"];

/**
 * As the offline mocks place resources: a provider is in no region; else the `region` input; a
 * global service's resource (Route 53, IAM, CloudFront) in none; else its provider's region in
 * the same state (the provider reference is `urn::id`, its id unknown while it is replaced).
 */
function regionOf(s: State, inputs: Record<string, unknown>, all: readonly State[]): string | undefined {
  if (s.type.startsWith("pulumi:providers:")) return undefined;
  if (typeof inputs.region === "string") return inputs.region;
  if (GLOBAL_SERVICES.some((g) => s.type.startsWith(`aws:${g}/`)) || !s.provider) return undefined;
  const urn = s.provider.slice(0, s.provider.lastIndexOf("::"));
  const region = all.find((p) => p.urn === urn)?.inputs?.region;
  return typeof region === "string" ? region : undefined;
}
