import { DR_MODES, drTransitions, type Stage } from "../plan/transitions";
import { getPath, type ConfigChange } from "./config-paths";
import type { Action } from "./preview-check";

// An action as the config stages of its DR transition (tools/plan/transitions.ts, the lists
// `plan --transitions` checks): each stage is the keys that change from the stage before, set
// with `pulumi config set --path` and applied with one `up`. A failover first pins what the
// fenced site needs (its release and lookups) from the stack's outputs.

export class Refusal extends Error {
  override name = "Refusal";
}

export interface PlannedStage {
  readonly label: string;
  readonly changes: readonly ConfigChange[];
}

export interface ActionPlan {
  readonly stages: readonly PlannedStage[];
  /** the site that failed (failover): nothing there may change */
  readonly failedSite?: string;
}

type Config = Record<string, unknown>;

/** `dr.restoreFromSnapshot` as the runner found it in the standby's vault, or why it did not */
export type SnapshotLookup = { readonly value: string } | { readonly why: string };

export function planAction(action: Action, config: Config, outputs: Config, to?: string, snapshot?: SnapshotLookup): ActionPlan {
  const mode = String(getPath(config, "dr.mode") ?? "backup-restore");
  const active = String(getPath(config, "dr.activeSite") ?? "primary");
  const region = getPath(config, "sites.secondary.region");
  if (typeof region !== "string") throw new Refusal("the stack has no secondary site (sites.secondary): no DR transition to run");
  const transitions = drTransitions({ secondaryRegion: region });
  const named = (name: string) => transitions.find((t) => t.name === name)!;
  if (action === "switch-mode") {
    if (!to || !(DR_MODES as readonly string[]).includes(to)) throw new Refusal(`switch-mode needs --to one of ${DR_MODES.join(", ")}`);
    if (to === mode) throw new Refusal(`the stack already runs ${mode}`);
    if (active !== "primary") throw new Refusal(`the stack is failed over (dr.activeSite ${active}): fail back before switching modes`);
    return { stages: stagesOf(named(`${mode} → ${to}`).stages) };
  }
  if (action === "failover") {
    if (active !== "primary") throw new Refusal(`the stack is already failed over (dr.activeSite ${active}): run failback`);
    const stages = stagesOf(named(`failover in ${mode}`).stages).map((s) => ({ ...s, changes: s.changes.filter((c) => c.path !== "dr.restoreFromSnapshot") }));
    const pins = failoverPins(config, outputs, mode, snapshot);
    return { stages: [{ label: stages[0].label, changes: [...pins, ...stages[0].changes] }], failedSite: "primary" };
  }
  if (action === "failback") {
    if (active !== "secondary") throw new Refusal("failback: the stack is not failed over (dr.activeSite primary)");
    if (mode === "backup-restore") throw new Refusal("failback in backup-restore: no replica to re-seed; switch to a replicating mode first");
    const gen = (site: string) => Number(getPath(config, `dr.databaseGeneration.${site}`) ?? 0);
    const stages = stagesOf(named(`failback in ${mode}`).stages, { primary: gen("primary"), secondary: gen("secondary") });
    // stage 1 re-seeds the primary: it runs the current release again (README, The data)
    const unpin: ConfigChange[] = getPath(config, "dr.fencedRelease") !== undefined ? [{ path: "dr.fencedRelease", value: undefined }] : [];
    return { stages: stages.map((s, i) => (i === 0 ? { ...s, changes: [...s.changes, ...unpin] } : s)) };
  }
  throw new Refusal(`unknown action ${action}`);
}

/**
 * The keys each stage changes from the one before. Generations are relative to the stack's
 * current ones (a second failback raises 1 → 2, as the first raised 0 → 1).
 */
function stagesOf(stages: readonly Stage[], generations?: { primary: number; secondary: number }): PlannedStage[] {
  const out: PlannedStage[] = [];
  const start = flat(stages[0].overrides);
  for (let i = 1; i < stages.length; i++) {
    const before = flat(stages[i - 1].overrides);
    const after = flat(stages[i].overrides);
    const changes: ConfigChange[] = [];
    for (const path of new Set([...before.keys(), ...after.keys()])) {
      if (JSON.stringify(before.get(path)) === JSON.stringify(after.get(path))) continue;
      let value = after.get(path);
      const g = /^dr\.databaseGeneration\.(primary|secondary)$/.exec(path);
      if (g && generations && typeof value === "number") value = generations[g[1] as "primary" | "secondary"] + value - Number(start.get(path) ?? 0);
      changes.push({ path, value });
    }
    out.push({ label: stages[i].label, changes });
  }
  return out;
}

function flat(o: Config, prefix = ""): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(o)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === "object" && !Array.isArray(v)) for (const [p, x] of flat(v as Config, path)) out.set(p, x);
    else out.set(path, v);
  }
  return out;
}

/** What a failover needs pinned for the fenced primary; set from the outputs, else refused. */
function failoverPins(config: Config, outputs: Config, mode: string, snapshot?: SnapshotLookup): ConfigChange[] {
  const site = (getPath(outputs, "sites.primary") ?? {}) as { release?: { server?: string; worker?: string }; pins?: { amiId?: string; availabilityZones?: string[] } };
  const missing: string[] = [];
  const changes: ConfigChange[] = [];
  const need = (path: string, fromOutputs: unknown, output: string) => {
    if (getPath(config, path) !== undefined) return;
    if (fromOutputs === undefined || fromOutputs === null) missing.push(`${path} (stack output ${output} has none)`);
    else changes.push({ path, value: fromOutputs });
  };
  need("dr.fencedRelease.server", site.release?.server, "sites.primary.release.server");
  need("dr.fencedRelease.worker", site.release?.worker, "sites.primary.release.worker");
  need("sites.primary.amiId", site.pins?.amiId, "sites.primary.pins.amiId");
  need("sites.primary.availabilityZones", site.pins?.availabilityZones, "sites.primary.pins.availabilityZones");
  if (mode === "backup-restore" && getPath(config, "dr.restoreFromSnapshot") === undefined) {
    if (snapshot && "value" in snapshot) changes.push({ path: "dr.restoreFromSnapshot", value: snapshot.value });
    else missing.push(`dr.restoreFromSnapshot (the newest recovery point in the secondary's vault: ${snapshot?.why ?? "not looked up"})`);
  }
  if (missing.length) throw new Refusal(`failover prerequisites missing, set them first:\n${missing.map((m) => `  - resilient-feed:${m}`).join("\n")}`);
  return changes;
}
