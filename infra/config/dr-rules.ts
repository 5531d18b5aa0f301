import { ConfigProblem, NAMESPACE } from "./errors";
import type { ResolvedConfig } from "./parse";

// The DR state's own keys. backup-restore keeps no database in the standby, so failing over in
// that mode creates one from a recovery point: an RDS snapshot the AWS Backup copy put in the
// standby region (the README's runbook shows how to find the newest).

type Checked = Partial<ResolvedConfig>;

/** arn:aws:rds:<region>:<account>:snapshot:<name>, as AWS Backup names the RDS recovery points it copies. */
export const RDS_SNAPSHOT_ARN = /^arn:aws[a-z-]*:rds:([a-z0-9-]+):(\d{12}):snapshot:[A-Za-z0-9:_-]{1,255}$/;

/** Failing over in backup-restore between two AWS sites restores the standby's database. */
export function restoresOnFailover(cfg: Checked): boolean {
  const { primary, secondary } = cfg.sites ?? {};
  return cfg.dr?.mode === "backup-restore" && cfg.dr.activeSite === "secondary" && primary?.cloud === "aws" && secondary?.cloud === "aws";
}

export function drStateProblems(cfg: Checked): ConfigProblem[] {
  const dr = cfg.dr;
  const secondary = cfg.sites?.secondary;
  if (!dr || !secondary) return [];
  const problems: ConfigProblem[] = [];
  const key = `${NAMESPACE}:dr.restoreFromSnapshot`;
  const snapshot = dr.restoreFromSnapshot;
  const allowed = `allowed: the ARN of an RDS snapshot in ${secondary.region}, arn:aws:rds:${secondary.region}:<account>:snapshot:<name>, e.g. the newest recovery point in the ${secondary.region} backup vault`;
  if (restoresOnFailover(cfg) && snapshot === undefined) {
    problems.push({ key, value: undefined, message: `is required to fail over in backup-restore: the secondary has no database and is created from a recovery point (${allowed})` });
  } else if (snapshot !== undefined) {
    const m = RDS_SNAPSHOT_ARN.exec(snapshot);
    if (!m) problems.push({ key, value: snapshot, message: `is not an RDS snapshot ARN (${allowed})` });
    else if (m[1] !== secondary.region) problems.push({ key, value: snapshot, message: `is in ${m[1]}, but the secondary's database is restored in ${secondary.region}, and RDS restores only from a snapshot in its own region (${allowed})` });
  }
  return problems;
}
