import { checkSteps, stepsAccepted, type StepCheck } from "../plan/step-check";
import type { ResourceChange } from "../plan/diff";
import type { Adapted } from "./events-adapter";

// The checks between a preview and its `up`: the step check of `plan --diff`, nothing in the
// failed site for a failover, and (unless --yes) no writer database replaced and no data deleted.

export type Action = "switch-mode" | "failover" | "failback";

export interface PreviewVerdict {
  readonly check: StepCheck;
  /** reasons the stage cannot run at all */
  readonly refusals: readonly string[];
  /** data the stage removes: it runs only with --yes */
  readonly dataLoss: readonly string[];
}

const DATA_TYPES = new Set(["aws:rds/instance:Instance", "aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2", "aws:backup/vault:Vault"]);

export function checkPreview(a: Adapted, action: Action, failedSite?: string): PreviewVerdict {
  const check = checkSteps(a.before, a.after, a.diff);
  const refusals: string[] = [];
  if (!stepsAccepted(check)) {
    const n = check.refusedSteps.length + check.refusedDeletes.length + check.calls.intoFenced.length + check.skipped.length;
    refusals.push(`the step check refuses ${n} step(s) of this preview (listed above)`);
  }
  if (action === "failover" && failedSite) {
    for (const c of a.diff.changes.filter((x) => x.site === failedSite)) refusals.push(`would change ${c.type} ${c.name} in the failed site ${failedSite} (${c.op})`);
  }
  for (const u of a.unmapped) refusals.push(`operation the runner does not check: ${u}`);
  return { check, refusals, dataLoss: a.diff.changes.flatMap((c) => dataLoss(c, a)) };
}

function dataLoss(c: ResourceChange, a: Adapted): string[] {
  if (!DATA_TYPES.has(c.type) || c.retained) return [];
  if (c.op === "-") return [`deletes ${c.type} ${c.name} (${c.site})${c.dataNote ? `: ${c.dataNote}` : ""}`];
  if (c.op === "+-" && c.type === "aws:rds/instance:Instance") {
    const old = a.before.resources.find((r) => r.urn === c.urn);
    const writer = !old?.inputs.replicateSourceDb;
    if (writer) return [`replaces the writer database ${c.name} (${c.site}) on ${c.replaceKeys?.join(", ") || "?"}`];
  }
  if (c.op === "+-" && c.type !== "aws:rds/instance:Instance") return [`replaces ${c.type} ${c.name} (${c.site}): the old one goes with its data`];
  return [];
}
