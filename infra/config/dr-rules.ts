import { ConfigProblem, NAMESPACE } from "./errors";
import { REPLICATING_MODES } from "../facts/standby-shape";
import { consistentGenerations, lineage } from "./lineage";
import type { ResolvedConfig } from "./resolved";

// The DR state's own keys. backup-restore keeps no database in the standby, so failing over in
// that mode creates one from a recovery point: an RDS snapshot the AWS Backup copy put in the
// standby region (the README's runbook shows how to find the newest).

type Checked = Partial<ResolvedConfig>;

/** arn:aws:rds:<region>:<account>:snapshot:<name>, as AWS Backup names the RDS recovery points it copies. */
export const RDS_SNAPSHOT_ARN = /^arn:aws[a-z-]*:rds:([a-z0-9-]+):(\d{12}):snapshot:[A-Za-z0-9:_-]{1,255}$/;

/**
 * Failing over in backup-restore restores the standby's database, whatever cloud the failed
 * primary was on: never an empty writer. An AWS secondary restores an RDS snapshot (a DigitalOcean
 * primary's dump must be loaded into RDS and snapshotted first: README runbook); a DigitalOcean
 * secondary restores a DigitalOcean cluster's backup (dr.restoreFromBackup, digitalocean-rules.ts).
 */
export function restoresOnFailover(cfg: Checked): boolean {
  return cfg.dr?.mode === "backup-restore" && cfg.dr.activeSite === "secondary" && cfg.sites?.secondary !== undefined;
}

/** The failover restores an RDS snapshot: the secondary is on AWS. */
export function restoresRdsSnapshot(cfg: Checked): boolean {
  return restoresOnFailover(cfg) && cfg.sites?.secondary?.cloud === "aws";
}

/**
 * dr.databaseGeneration: the failback stages. Only the replicating modes re-seed (a backup-restore
 * standby holds no database), and the two generations must be one step apart in the birth order.
 */
function generationProblems(cfg: Checked): ConfigProblem[] {
  const dr = cfg.dr;
  const g = dr?.databaseGeneration;
  if (!dr || !g || (g.primary === 0 && g.secondary === 0)) return [];
  const key = `${NAMESPACE}:dr.databaseGeneration`;
  if (!REPLICATING_MODES.includes(dr.mode) || !cfg.sites?.secondary) {
    return [{ key, value: g, message: `re-seeds a site as a replica of the writer, which only the replicating modes (${REPLICATING_MODES.join(", ")}) with a secondary site have; dr.mode is ${dr.mode} (allowed here: { primary: 0, secondary: 0 })` }];
  }
  if (!consistentGenerations(g)) {
    return [{ key: `${key}.primary`, value: g.primary, message: `must equal dr.databaseGeneration.secondary (${g.secondary}) or be one more: each new instance is seeded from the other site's current one (allowed: ${g.secondary} or ${g.secondary + 1})` }];
  }
  return [];
}

/**
 * dr.releaseProtection: lifts protection on a site whose resources a mode switch is about to
 * remove. Only the standby qualifies: never the writer's site (its database is the data), nor a
 * fenced site (left untouched; re-seeding retains its database), nor a site that is not there.
 */
function releaseProblems(cfg: Checked): ConfigProblem[] {
  const dr = cfg.dr;
  const site = dr?.releaseProtection;
  if (!dr || site === undefined || !cfg.sites) return [];
  const key = `${NAMESPACE}:dr.releaseProtection`;
  const writer = dr.activeSite;
  const g = dr.databaseGeneration;
  const fenced = cfg.sites.secondary && g && consistentGenerations(g) ? lineage(g, writer).fenced : undefined;
  const standby = cfg.sites.secondary ? (["primary", "secondary"] as const).find((k) => k !== writer && k !== fenced) : undefined;
  const allowed = standby ? `allowed: ${standby}, the standby site` : "allowed: none, this state has no standby site";
  const why = (reason: string): ConfigProblem[] => [{ key, value: site, message: `${reason} (${allowed})` }];
  if (!cfg.sites[site]) return why(`names sites.${site}, which is not set`);
  if (site === writer) return why(`names the writer's site (dr.activeSite): its database holds the data, so its protection is never lifted`);
  if (site === fenced) return why(`names the fenced old writer, which is left untouched until it is re-seeded (its database then leaves the stack retained)`);
  if (cfg.sites[site]?.cloud !== "aws") return why(`names a ${cfg.sites[site]?.cloud} site, which has no deletion protection or bucket to release`);
  return [];
}

export function drStateProblems(cfg: Checked): ConfigProblem[] {
  const dr = cfg.dr;
  const secondary = cfg.sites?.secondary;
  const problems: ConfigProblem[] = [...generationProblems(cfg), ...releaseProblems(cfg)];
  if (!dr || !secondary) return problems;
  const key = `${NAMESPACE}:dr.restoreFromSnapshot`;
  const snapshot = dr.restoreFromSnapshot;
  const allowed = `allowed: the ARN of an RDS snapshot in ${secondary.region}, arn:aws:rds:${secondary.region}:<account>:snapshot:<name>, e.g. the newest recovery point in the ${secondary.region} backup vault`;
  if (restoresRdsSnapshot(cfg) && snapshot === undefined) {
    const fromDo = cfg.sites?.primary.cloud === "digitalocean" ? ", never empty; the primary is on digitalocean, so load its newest dump into an RDS instance and snapshot it first (README, DigitalOcean)" : "";
    problems.push({ key, value: undefined, message: `is required to fail over in backup-restore: the secondary has no database and is created from a recovery point${fromDo} (${allowed})` });
  } else if (snapshot !== undefined) {
    const m = RDS_SNAPSHOT_ARN.exec(snapshot);
    if (!m) problems.push({ key, value: snapshot, message: `is not an RDS snapshot ARN (${allowed})` });
    else if (m[1] !== secondary.region) problems.push({ key, value: snapshot, message: `is in ${m[1]}, but the secondary's database is restored in ${secondary.region}, and RDS restores only from a snapshot in its own region (${allowed})` });
  }
  return problems;
}
