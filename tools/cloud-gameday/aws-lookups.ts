import { RDS_SNAPSHOT_ARN } from "../../infra/config/dr-rules";
import { PROJECT_NAME } from "../../infra/names";

// The two AWS reads the runner makes outside Pulumi, behind small client interfaces (the shapes
// of the SDK v3 calls, only the fields used) so tests pass fakes and never reach the network. The
// real SDK clients are built only in the CLI (aws-clients.ts).
// - A backup-restore failover restores the standby's database from a recovery point: the newest
//   COMPLETED RDS recovery point in the standby's AWS Backup vault (ListRecoveryPointsByBackupVault,
//   every page). Its RecoveryPointArn is the RDS snapshot ARN in the vault's region.
// - `status` reads the standby replica's lag: AWS/RDS ReplicaLag, Maximum, the last 5 minutes.

/** The fields of `ListRecoveryPointsByBackupVault` (@aws-sdk/client-backup) the lookup uses. */
export interface RecoveryPointsClient {
  listRecoveryPointsByBackupVault(input: { BackupVaultName: string; ByResourceType?: string; NextToken?: string }): Promise<{
    RecoveryPoints?: readonly { RecoveryPointArn?: string; ResourceType?: string; Status?: string; CreationDate?: Date }[];
    NextToken?: string;
  }>;
}

/** The fields of `GetMetricStatistics` (@aws-sdk/client-cloudwatch) the lag line uses. */
export interface MetricsClient {
  getMetricStatistics(input: {
    Namespace: string; MetricName: string; Dimensions: { Name: string; Value: string }[];
    StartTime: Date; EndTime: Date; Period: number; Statistics: "Maximum"[];
  }): Promise<{ Datapoints?: readonly { Timestamp?: Date; Maximum?: number }[] }>;
}

/** infra/aws/backup.ts backupVaultName: `<project>-<environment>-<site>`, fixed so it is known before the vault exists. */
export function vaultNameOf(environment: string, siteKey: string, project = PROJECT_NAME): string {
  return `${project}-${environment}-${siteKey}`;
}

export interface RecoveryPoint {
  readonly arn: string;
  readonly created: Date;
}

/** A lookup that could not give an answer: `reason` says why, in one line. */
export class LookupFailed extends Error {
  override name = "LookupFailed";
}

/** The newest COMPLETED RDS recovery point in the vault, over every page; undefined: none. */
export async function newestRecoveryPoint(client: RecoveryPointsClient, vaultName: string, region: string): Promise<RecoveryPoint | undefined> {
  let newest: RecoveryPoint | undefined;
  let token: string | undefined;
  const seen = new Set<string>();
  do {
    let page: Awaited<ReturnType<RecoveryPointsClient["listRecoveryPointsByBackupVault"]>>;
    try {
      page = await client.listRecoveryPointsByBackupVault({ BackupVaultName: vaultName, ByResourceType: "RDS", ...(token ? { NextToken: token } : {}) });
    } catch (e) {
      throw new LookupFailed(`cannot list the recovery points of vault ${vaultName} in ${region}: ${awsReason(e, "backup:ListRecoveryPointsByBackupVault")}`);
    }
    for (const p of page.RecoveryPoints ?? []) {
      // the server-side filter is not relied on: only COMPLETED RDS points restore a database
      if (p.Status !== "COMPLETED" || p.ResourceType !== "RDS" || !p.RecoveryPointArn || !p.CreationDate) continue;
      if (!newest || p.CreationDate.getTime() > newest.created.getTime()) newest = { arn: p.RecoveryPointArn, created: p.CreationDate };
    }
    token = page.NextToken || undefined;
    if (token && seen.has(token)) throw new LookupFailed(`vault ${vaultName} in ${region}: the listing returned the page token ${token} twice`);
    if (token) seen.add(token);
  } while (token);
  if (newest) {
    const m = RDS_SNAPSHOT_ARN.exec(newest.arn);
    if (!m || m[1] !== region) throw new LookupFailed(`the newest recovery point of vault ${vaultName}, ${newest.arn}, is not an RDS snapshot ARN in ${region}`);
  }
  return newest;
}

/**
 * `dr.restoreFromSnapshot` for a backup-restore failover: the newest recovery point in the
 * standby's vault, or why there is none (a line for the refusal that names the key).
 */
export async function findRestoreSnapshot(client: RecoveryPointsClient | undefined, standby: { key: string; region: string; environment: string }, whyNoClient = "no AWS client"):
Promise<{ value: string; created: Date; vault: string } | { why: string }> {
  const vault = vaultNameOf(standby.environment, standby.key);
  if (!client) return { why: `not looked up in vault ${vault} (${standby.region}): ${whyNoClient}` };
  try {
    const p = await newestRecoveryPoint(client, vault, standby.region);
    if (!p) return { why: `vault ${vault} in ${standby.region} holds no COMPLETED RDS recovery point` };
    return { value: p.arn, created: p.created, vault };
  } catch (e) {
    return { why: e instanceof LookupFailed ? e.message : `lookup in vault ${vault} (${standby.region}) failed: ${awsReason(e, "backup:ListRecoveryPointsByBackupVault")}` };
  }
}

export const LAG_WINDOW_SECONDS = 300;

/** One line: the standby replica's ReplicaLag maximum over the last 5 minutes, or why it is not shown. */
export async function replicaLagLine(client: MetricsClient | undefined, standby: string, region: string, identifier: string | undefined, whyNoClient: string, now = new Date()): Promise<string> {
  const head = `  replica lag of the ${standby} (${region})`;
  if (!identifier) return `${head}: not read: the stack's state holds no replica database instance in ${region}`;
  if (!client) return `${head}: not read: ${whyNoClient}`;
  let points: readonly { Timestamp?: Date; Maximum?: number }[];
  try {
    const out = await client.getMetricStatistics({
      Namespace: "AWS/RDS", MetricName: "ReplicaLag", Dimensions: [{ Name: "DBInstanceIdentifier", Value: identifier }],
      StartTime: new Date(now.getTime() - LAG_WINDOW_SECONDS * 1000), EndTime: now, Period: 60, Statistics: ["Maximum"],
    });
    points = (out.Datapoints ?? []).filter((d) => typeof d.Maximum === "number");
  } catch (e) {
    return `${head}: not read: ${awsReason(e, "cloudwatch:GetMetricStatistics")}`;
  }
  if (!points.length) return `${head}: no ReplicaLag datapoints for ${identifier} in the last 5 minutes (a replica publishes one a minute: is it replicating?)`;
  const max = Math.max(...points.map((d) => d.Maximum!));
  const latest = points.reduce((a, b) => ((b.Timestamp?.getTime() ?? 0) > (a.Timestamp?.getTime() ?? 0) ? b : a));
  return `${head}: ${max} s maximum over the last 5 minutes (${identifier}, AWS/RDS ReplicaLag; newest minute ${latest.Maximum} s at ${latest.Timestamp?.toISOString() ?? "?"})`;
}

/** An SDK error as one line: missing credentials and denied calls said plainly. */
export function awsReason(e: unknown, action: string): string {
  const err = e as { name?: string; message?: string };
  const name = err?.name ?? "";
  const message = String(err?.message ?? e).split("\n")[0].trim();
  if (name === "CredentialsProviderError" || (/credential/i.test(message) && !/denied/i.test(message))) return `no AWS credentials the SDK could load (${message})`;
  if (/AccessDenied|UnauthorizedOperation|AccessDeniedException/.test(name)) return `not allowed: ${action} (${message})`;
  if (name === "ResourceNotFoundException") return `not found (${message})`;
  return `${name && name !== "Error" ? `${name}: ` : ""}${message}`;
}
