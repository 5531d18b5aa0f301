import { DR_MODES, type DrMode } from "../../infra/facts/vocabulary";
import { ConfigError } from "../../infra/config/errors";
import { projectConfigFrom } from "../../infra/config/load";
import { parseProjectConfig } from "../../infra/config/parse";
import { readStackConfig } from "../../infra/config/stack-file";
import { diffPlans } from "./diff";
import { evaluateStack } from "./evaluate";
import { checkSteps, type StepCheck } from "./step-check";
import type { PlanResult } from "./types";
import { mockDatabaseCa } from "./mocks";

// Every transition of the DR matrix as the config states a user sets, stage by stage: the four
// modes in both directions (a switch to backup-restore removes the standby's protected resources,
// so it goes through dr.releaseProtection first), the failover in each mode, the three failback stages, a switch
// of the edge's routing policy (geo ↔ latency), and the same on a Cloudflare edge. Each stage is
// checked from the one before, as `plan --diff --from … --set …` would. A stack without a standby
// (dev: one DigitalOcean site behind Cloudflare) gets one first, on each cloud it may pair with;
// the transitions the stack's config refuses (on DigitalOcean: no replicating mode, so no mode
// switch, failback or geo routing) are listed with the validation's words, not evaluated.

export { DR_MODES };
type Mode = DrMode;
type Overrides = Record<string, unknown>;

export interface Stage {
  /** what the user sets in this stage, in words */
  readonly label: string;
  readonly overrides: Overrides;
}

export interface Transition {
  readonly name: string;
  /** the starting state, then each stage's state */
  readonly stages: readonly Stage[];
}

/** Geo rules for the routing-switch transition: Japan to the secondary, the rest of Asia to the primary. */
const GEO = [{ country: "JP", site: "secondary" }, { continent: "AS", site: "primary" }];

export interface TransitionOptions {
  /** the standby's region: failing over in backup-restore restores a recovery point there */
  readonly secondaryRegion: string;
  /** the standby's cloud, which names the restore source's key (default aws: an RDS snapshot) */
  readonly secondaryCloud?: string;
  /** a fenced DigitalOcean primary keeps its cluster CA pinned (no call into its region) */
  readonly primaryCloud?: string;
  /** merged into every state (e.g. a Cloudflare edge, an added standby) */
  readonly base?: Overrides;
}

export interface SiteRef {
  readonly cloud: string;
  readonly region: string;
}

/** What failing over in backup-restore restores from, by the standby's cloud: never an empty database. */
function restoreSource(secondary: SiteRef): Overrides {
  return secondary.cloud === "digitalocean"
    ? { restoreFromDump: { key: "dumps/primary/2026-12-03T18-00-00Z.sql.gz" } }
    : { restoreFromSnapshot: `arn:aws:rds:${secondary.region}:123456789012:snapshot:awsbackup:copyjob-example` };
}

/**
 * The stand-in for the stack output sites.primary.pins.databaseCaCertificate a fenced DigitalOcean
 * primary pins: what getDatabaseCa answers for its cluster under the mocks, as a real pin is the
 * deployed CA, so the fenced primary keeps every input.
 */
const PINNED_CLUSTER_CA = mockDatabaseCa("primary-db-id");

export function drTransitions(o: TransitionOptions): Transition[] {
  const state = (mode: Mode, activeSite = "primary", dr: Overrides = {}, more: Overrides = {}): Overrides => merge(merge(o.base ?? {}, {
    ...more,
    dr: { mode, activeSite, ...(mode === "backup-restore" && activeSite === "secondary" ? restoreSource({ cloud: o.secondaryCloud ?? "aws", region: o.secondaryRegion }) : {}), ...dr },
  }), activeSite === "secondary" && o.primaryCloud === "digitalocean" ? { sites: { primary: { databaseCaCertificate: PINNED_CLUSTER_CA } } } : {});
  const stage = (label: string, overrides: Overrides): Stage => ({ label, overrides });
  const out: Transition[] = [];
  for (const from of DR_MODES) {
    for (const to of DR_MODES) {
      if (from === to) continue;
      const start = stage(`${from}`, state(from));
      // only backup-restore removes the standby's protected resources (its database, ALB, buckets)
      if (to !== "backup-restore") out.push({ name: `${from} → ${to}`, stages: [start, stage(`dr.mode ${to}`, state(to))] });
      else out.push({
        name: `${from} → ${to}`,
        stages: [
          start,
          stage("dr.releaseProtection secondary", state(from, "primary", { releaseProtection: "secondary" })),
          stage(`dr.mode ${to}`, state(to, "primary", { releaseProtection: "secondary" })),
          stage("dr.releaseProtection unset", state(to)),
        ],
      });
    }
  }
  for (const mode of DR_MODES) out.push({ name: `failover in ${mode}`, stages: [stage(mode, state(mode)), stage("dr.activeSite secondary", state(mode, "secondary"))] });
  for (const mode of DR_MODES.filter((m) => m !== "backup-restore")) {
    const gen = (primary: number, secondary: number) => ({ databaseGeneration: { primary, secondary } });
    out.push({
      name: `failback in ${mode}`,
      stages: [
        stage(`${mode} failed over`, state(mode, "secondary", gen(0, 0))),
        stage("1: dr.databaseGeneration.primary 1", state(mode, "secondary", gen(1, 0))),
        stage("2: dr.activeSite primary", state(mode, "primary", gen(1, 0))),
        stage("3: dr.databaseGeneration.secondary 1", state(mode, "primary", gen(1, 1))),
      ],
    });
  }
  const latency = stage("active-active, latency", state("active-active"));
  const geo = stage("edge.geo rules (geo routing)", state("active-active", "primary", {}, { edge: { geo: GEO } }));
  out.push({ name: "edge.routing latency → geo", stages: [latency, geo] });
  out.push({ name: "edge.routing geo → latency", stages: [geo, stage("edge.geo unset (latency)", latency.overrides)] });
  return out;
}

/**
 * The standby added to a stack that has none, by the primary's cloud, to run its transitions
 * against (region and CIDR are this check's choice, not config). Not an AWS standby for a
 * DigitalOcean primary: validation allows the pair in backup-restore, but the program cannot plan
 * it yet (AwsSite requires an AWS writer site for a site that does not write).
 */
export const ASSUMED_STANDBYS: Readonly<Record<string, SiteRef & { readonly cidr: string }>> = {
  digitalocean: { cloud: "digitalocean", region: "syd1", cidr: "10.40.0.0/18" },
  aws: { cloud: "aws", region: "ap-southeast-2", cidr: "10.20.0.0/16" },
};

export interface RefusedTransition {
  readonly name: string;
  readonly stage: string;
  /** the validation's first problem: key = value: what is wrong (allowed: …) */
  readonly problem: string;
}

export interface StackTransitions {
  readonly allowed: Transition[];
  /** transitions whose stages the stack's config validation refuses (not evaluated) */
  readonly refused: RefusedTransition[];
}

/**
 * The DR transitions of a stack: with a secondary, the matrix over it; without one, adding each
 * assumed standby, the matrix over it, and removing it again. Split by the stack's own validation.
 */
export function stackTransitions(stack: string): StackTransitions {
  const raw = projectConfigFrom(readStackConfig(stack));
  const sites = (raw.sites ?? {}) as Record<string, { cloud?: string; region?: string } | undefined>;
  const primaryCloud = sites.primary?.cloud ?? "aws";
  let all: Transition[];
  if (sites.secondary?.region) {
    all = drTransitions({ secondaryRegion: sites.secondary.region, secondaryCloud: sites.secondary.cloud, primaryCloud });
  } else {
    all = [ASSUMED_STANDBYS[primaryCloud] ?? ASSUMED_STANDBYS.aws].flatMap((standby) => {
      const base = { sites: { secondary: standby } };
      const label = `${standby.cloud} standby ${standby.region}`;
      const shipped: Stage = { label: `${stack} as shipped (no standby)`, overrides: {} };
      const added: Stage = { label: `sites.secondary: ${label}`, overrides: merge(base, { dr: { mode: "backup-restore", activeSite: "primary" } }) };
      return [
        { name: `add the ${label}`, stages: [shipped, added] },
        ...drTransitions({ secondaryRegion: standby.region, secondaryCloud: standby.cloud, primaryCloud, base }).map((t) => ({ ...t, name: `${label}: ${t.name}` })),
        { name: `remove the ${label}`, stages: [added, shipped] },
      ];
    });
  }
  const allowed: Transition[] = [];
  const refused: RefusedTransition[] = [];
  for (const t of all) {
    const bad = t.stages.map((s) => ({ stage: s.label, problem: configProblem(raw, s.overrides) })).find((s) => s.problem !== undefined);
    if (bad) refused.push({ name: t.name, stage: bad.stage, problem: bad.problem! });
    else allowed.push(t);
  }
  return { allowed, refused };
}

/** The first problem validation finds in the stack with `overrides` merged, or undefined. */
function configProblem(raw: Overrides, overrides: Overrides): string | undefined {
  try {
    parseProjectConfig(merge(raw, overrides));
    return undefined;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.message.split("\n").find((l) => l.trim().startsWith("- "))?.trim().slice(2) ?? e.message;
  }
}

export interface CheckedStage {
  readonly transition: string;
  readonly from: string;
  readonly to: string;
  readonly check: StepCheck;
}

/** Evaluates every state once and checks every stage of every transition. */
export async function checkTransitions(stack: string, transitions: readonly Transition[], onStage?: (s: CheckedStage) => void): Promise<CheckedStage[]> {
  const plans = new Map<string, PlanResult>();
  // sequential: the mocks are process-wide, one evaluation at a time
  const planOf = async (overrides: Overrides) => {
    const key = JSON.stringify(overrides);
    let plan = plans.get(key);
    if (!plan) plans.set(key, (plan = await evaluateStack({ stack, configOverrides: overrides })));
    return plan;
  };
  const out: CheckedStage[] = [];
  for (const t of transitions) {
    for (let i = 1; i < t.stages.length; i++) {
      const before = await planOf(t.stages[i - 1].overrides);
      const after = await planOf(t.stages[i].overrides);
      const checked = { transition: t.name, from: t.stages[i - 1].label, to: t.stages[i].label, check: checkSteps(before, after, diffPlans(before, after)) };
      onStage?.(checked);
      out.push(checked);
    }
  }
  return out;
}

function merge(base: Overrides, patch: Overrides): Overrides {
  const out: Overrides = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    const cur = out[k];
    out[k] = isObject(v) && isObject(cur) ? merge(cur, v) : v;
  }
  return out;
}

function isObject(v: unknown): v is Overrides {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
