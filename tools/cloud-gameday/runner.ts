import { formatStepCheck } from "../plan/step-check";
import { findRestoreSnapshot, type RecoveryPointsClient } from "./aws-lookups";
import { applyChanges, getPath, projectConfig, providerConfig, reverting } from "./config-paths";
import { adaptPreview } from "./events-adapter";
import { checkPreview, type Action } from "./preview-check";
import type { Prober } from "./probe";
import { judgeRto, type CloudReport, type Outcome, type StageRecord } from "./report";
import { planAction, type PlannedStage, type SnapshotLookup } from "./stages";
import type { EngineEvent, GamedayWorkspace } from "./workspace";

// The cloud game day, stage by stage: set the stage's config (path semantics), preview, check the
// preview (step check, failed site, data), ask, `up` with one line per resource operation. Aborted
// before an `up`: the stage's config is put back. A failed `up`: the config stays (the stack holds
// part of the stage) and the report says how to resume. After the last stage the endpoint is
// probed until healthy; the times are judged against the designed RTO.

export interface RunOptions {
  readonly action: Action;
  readonly to?: string;
  readonly dryRun: boolean;
  readonly yes: boolean;
  /** 1-based: resume a multi-stage action at this stage */
  readonly fromStage?: number;
  /** asks before an `up` (a terminal); undefined: no terminal, so only --yes runs an `up` */
  readonly confirm?: (question: string) => Promise<boolean>;
  readonly progress: (line: string) => void;
  readonly probe: Prober;
  readonly probeDeadlineSeconds?: number;
  /** `type::name` dependencies for the step check's ordering (engine events carry none) */
  readonly dependencies?: (configAfter: Record<string, unknown>) => Promise<ReadonlyMap<string, readonly string[]> | undefined>;
  readonly now?: () => number;
  /** AWS Backup in a region: a backup-restore failover without dr.restoreFromSnapshot takes the newest recovery point of the secondary's vault */
  readonly recoveryPoints?: (region: string) => RecoveryPointsClient;
  /** why there is no `recoveryPoints` (no AWS credentials): said in the refusal */
  readonly recoveryPointsUnavailable?: string;
}

export interface RunResult {
  readonly report: CloudReport;
  /** 0 done, 1 an `up` failed or the endpoint stayed unhealthy or the user said no, 2 refused up front, 3 a preview refused */
  readonly exitCode: number;
}

export async function runCloudGameday(ws: GamedayWorkspace, o: RunOptions): Promise<RunResult> {
  const now = o.now ?? Date.now;
  const t0 = now();
  const startedAt = new Date(t0).toISOString();
  const log = o.progress;
  const report: CloudReport = {
    stack: ws.stackName, action: o.action, ...(o.to ? { to: o.to } : {}), startedAt, finishedAt: startedAt, outcome: "completed", message: "",
    stages: [], times: { previewSeconds: 0, upSeconds: 0, healthySeconds: null, totalSeconds: 0 }, designed: null, rto: null, probe: null, resume: [],
  };
  const finish = (outcome: Outcome, message: string, exitCode: number): RunResult => {
    report.outcome = outcome;
    report.message = message;
    report.finishedAt = new Date(now()).toISOString();
    report.times.totalSeconds = (now() - t0) / 1000;
    return { report, exitCode };
  };

  const config0 = projectConfig(await ws.getAllConfig());
  const outputs0 = await ws.outputs();
  const plan = planAction(o.action, config0, outputs0, o.to, await restoreSnapshot(o, config0, outputs0));
  const first = (o.fromStage ?? 1) - 1;
  if (first < 0 || first >= plan.stages.length) return finish("refused", `--from-stage ${o.fromStage}: this action has stages 1..${plan.stages.length}`, 2);
  log(`${o.action}: ${plan.stages.length} stage(s): ${plan.stages.map((s, i) => `${i + 1}. ${s.label}`).join("; ")}`);

  let tChange: number | undefined;
  for (let i = first; i < plan.stages.length; i++) {
    const stage = plan.stages[i];
    const rec: StageRecord = { label: `${i + 1}. ${stage.label}`, changes: stage.changes, refusals: [], dataLoss: [], configRestored: false };
    report.stages.push(rec);
    const map0 = await ws.getAllConfig();
    const before = projectConfig(map0);
    const changes = stage.changes.filter((c) => JSON.stringify(getPath(before, c.path)) !== JSON.stringify(c.value));
    log(`stage ${rec.label}: ${changes.length ? "setting config" : "config already set (resuming)"}`);
    tChange ??= now();
    await applyChanges(ws, changes, (l) => log(`  ${l}`));
    const restore = async (why: string) => {
      await applyChanges(ws, reverting(changes, before), (l) => log(`  restore: ${l}`));
      rec.configRestored = true;
      log(`  ${why}: config of stage ${rec.label} restored`);
    };

    const map1 = await ws.getAllConfig();
    const after = projectConfig(map1);
    const events: EngineEvent[] = [];
    const tp = now();
    try {
      await ws.preview((e) => events.push(e));
    } catch (e) {
      await restore("preview failed");
      return finish("aborted", `preview of stage ${rec.label} failed: ${firstLine(e)}`, 1);
    }
    rec.previewSeconds = (now() - tp) / 1000;
    report.times.previewSeconds += rec.previewSeconds;

    const adapted = adaptPreview(events, {
      stack: ws.stackName, configBefore: before, configAfter: after, providerConfig: providerConfig(map1),
      fencedSite: fencedOf(after), dependencies: await o.dependencies?.(after),
    });
    const verdict = checkPreview(adapted, o.action, plan.failedSite);
    const c = verdict.check;
    rec.totals = adapted.diff.totals;
    rec.stepCheck = { steps: c.steps, refusedSteps: c.refusedSteps.length, refusedDeletes: c.refusedDeletes.length, intoFenced: c.calls.intoFenced.length, skipped: c.skipped.length };
    rec.refusals.push(...verdict.refusals);
    rec.dataLoss.push(...verdict.dataLoss);
    for (const line of previewSummary(adapted.diff.totals, adapted.diff.changes.length)) log(line);
    for (const line of formatStepCheck(c, 400).filter((l) => l !== "")) log(line);
    for (const d of verdict.dataLoss) log(`  data: ${d}`);

    if (verdict.refusals.length) {
      for (const r of verdict.refusals) log(`  REFUSED: ${r}`);
      await restore("refused");
      return finish("refused", `stage ${rec.label} refused: ${verdict.refusals[0]}${verdict.refusals.length > 1 ? ` (and ${verdict.refusals.length - 1} more)` : ""}`, 3);
    }
    if (verdict.dataLoss.length && !o.yes) {
      await restore("refused");
      return finish("refused", `stage ${rec.label} removes data (${verdict.dataLoss.length} item(s), listed); run again with --yes to accept`, 3);
    }
    if (o.dryRun) {
      await restore("dry run");
      const later = plan.stages.length - 1 - i;
      return finish("dry-run", `stage ${rec.label} previewed and accepted${later ? `; the ${later} later stage(s) can only be previewed once this one is applied` : ""}`, 0);
    }
    if (!o.yes) {
      const go = o.confirm ? await o.confirm(`run \`pulumi up\` for stage ${rec.label}?`) : false;
      if (!go) {
        await restore(o.confirm ? "declined" : "no terminal to ask in (pass --yes)");
        return finish("aborted", o.confirm ? `declined before the up of stage ${rec.label}` : "not a terminal: pass --yes to run `pulumi up`", 1);
      }
    }

    const tu = now();
    try {
      await ws.up((e) => upLine(e, log));
    } catch (e) {
      rec.upSeconds = (now() - tu) / 1000;
      rec.upError = firstLine(e);
      report.times.upSeconds += rec.upSeconds;
      report.resume.push(...resumeLines(ws.stackName, o, i, plan.stages));
      for (const r of report.resume) log(`  resume: ${r}`);
      return finish("up-failed", `the up of stage ${rec.label} failed: ${rec.upError}; the config of the stage is kept`, 1);
    }
    rec.upSeconds = (now() - tu) / 1000;
    report.times.upSeconds += rec.upSeconds;
  }

  const tUp = now();
  const outputs = await ws.outputs();
  const objectives = outputs.recoveryObjectives as { rtoSeconds?: number } | undefined;
  report.designed = typeof objectives?.rtoSeconds === "number" ? { mode: String(outputs.drMode ?? "?"), rtoSeconds: objectives.rtoSeconds } : null;
  log(`probing the endpoint (deadline ${o.probeDeadlineSeconds ?? 600} s)`);
  const probe = await o.probe(o.probeDeadlineSeconds ?? 600);
  report.probe = probe;
  report.times.healthySeconds = probe.healthy ? (now() - tUp) / 1000 : null;
  const total = (now() - (tChange ?? t0)) / 1000;
  if (!probe.healthy) return finish("unhealthy", `the endpoint did not turn healthy (${probe.last})`, 1);
  const res = finish("completed", `${plan.stages.length - first} stage(s) applied, endpoint healthy`, 0);
  report.times.totalSeconds = total;
  report.rto = judgeRto(total, report.designed);
  return res;
}

/**
 * A backup-restore failover restores the secondary's database from a recovery point: when
 * `dr.restoreFromSnapshot` is not set, the newest one in the secondary's vault (named as
 * infra/aws/backup.ts names it, from the deployed environment). Undefined: nothing to look up.
 */
async function restoreSnapshot(o: RunOptions, config: Record<string, unknown>, outputs: Record<string, unknown>): Promise<SnapshotLookup | undefined> {
  if (o.action !== "failover" || String(getPath(config, "dr.mode") ?? "backup-restore") !== "backup-restore") return undefined;
  if (String(getPath(config, "dr.activeSite") ?? "primary") !== "primary" || getPath(config, "dr.restoreFromSnapshot") !== undefined) return undefined;
  const region = getPath(outputs, "sites.secondary.region") ?? getPath(config, "sites.secondary.region");
  const environment = outputs.environment ?? getPath(config, "environment");
  if (typeof region !== "string") return undefined; // planAction refuses: no secondary site
  if (typeof environment !== "string") return { why: "the stack names no environment (stack output environment, resilient-feed:environment), so the vault's name is unknown" };
  const found = await findRestoreSnapshot(o.recoveryPoints?.(region), { key: "secondary", region, environment }, o.recoveryPointsUnavailable);
  if ("value" in found) o.progress(`dr.restoreFromSnapshot: the newest recovery point in vault ${found.vault} (${region}), created ${found.created.toISOString()}: ${found.value}`);
  return found;
}

/** The site whose region a state fences: the old writer, until it is re-seeded. */
export function fencedOf(config: Record<string, unknown>): string | undefined {
  const active = String(getPath(config, "dr.activeSite") ?? "primary");
  const p = Number(getPath(config, "dr.databaseGeneration.primary") ?? 0);
  const s = Number(getPath(config, "dr.databaseGeneration.secondary") ?? 0);
  if (active === "secondary" && p === s) return "primary";
  if (active === "primary" && p === s + 1) return "secondary";
  return undefined;
}

function previewSummary(totals: Readonly<Record<string, { create: number; delete: number; update: number; replace: number; unchanged: number }>>, changes: number): string[] {
  const lines = [`  preview: ${changes} change(s); per site create/delete/update/replace (unchanged):`];
  for (const [site, t] of Object.entries(totals).sort(([a], [b]) => a.localeCompare(b))) lines.push(`    ${site.padEnd(10)} ${t.create}/${t.delete}/${t.update}/${t.replace} (${t.unchanged})`);
  return lines;
}

/** One line per finished (or failed) resource operation of the `up`. */
function upLine(e: EngineEvent, log: (line: string) => void): void {
  const m = e.resOutputsEvent?.metadata ?? e.resOpFailedEvent?.metadata;
  if (!m || m.op === "same" || m.op === "read") return;
  log(`  ${e.resOpFailedEvent ? "FAILED" : "done  "} ${m.op.padEnd(18)} ${m.type} ${m.urn.slice(m.urn.lastIndexOf("::") + 2)}`);
}

function resumeLines(stack: string, o: RunOptions, failed: number, stages: readonly PlannedStage[]): string[] {
  const action = `${o.action}${o.to ? ` --to ${o.to}` : ""}`;
  return [
    `the stack holds part of stage ${failed + 1}; keep its config (do not set it back: that state was never checked)`,
    `fix the cause (README, "Resuming a half-applied transition"), then: npm run gameday:cloud -- --stack ${stack} ${action} --from-stage ${failed + 1}${stages.length > failed + 1 ? ` (runs the remaining stages ${failed + 2}..${stages.length} after it)` : ""}`,
    `or by hand: pulumi up --stack ${stack}`,
  ];
}

function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
  const errors = [...new Set(lines.filter((l) => /error/i.test(l)))];
  return (errors.length ? errors.join(" / ") : lines[0] ?? "unknown error").slice(0, 300);
}

