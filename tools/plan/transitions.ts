import { DR_MODES, type DrMode } from "../../infra/facts/vocabulary";
import { diffPlans } from "./diff";
import { evaluateStack } from "./evaluate";
import { checkSteps, type StepCheck } from "./step-check";
import type { PlanResult } from "./types";

// Every transition of the DR matrix as the config states a user sets, stage by stage: the four
// modes in both directions (a switch to backup-restore removes the standby's protected resources,
// so it goes through dr.releaseProtection first), the failover in each mode, the three failback stages, a switch
// of the edge's routing policy (geo ↔ latency), and the same on a Cloudflare edge. Each stage is
// checked from the one before, as `plan --diff --from … --set …` would.

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
  /** the standby's region: failing over in backup-restore restores a snapshot copied there */
  readonly secondaryRegion: string;
  /** merged into every state (e.g. a Cloudflare edge) */
  readonly base?: Overrides;
}

export function drTransitions(o: TransitionOptions): Transition[] {
  const snapshot = `arn:aws:rds:${o.secondaryRegion}:123456789012:snapshot:awsbackup:copyjob-example`;
  const state = (mode: Mode, activeSite = "primary", dr: Overrides = {}, more: Overrides = {}): Overrides => merge(o.base ?? {}, {
    ...more,
    dr: { mode, activeSite, ...(mode === "backup-restore" && activeSite === "secondary" ? { restoreFromSnapshot: snapshot } : {}), ...dr },
  });
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
