import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { SiteTopology, Topology } from "../topology/types";
import { siteTags } from "./tags";

// AWS Backup in one site: a vault encrypted with its own customer key in the site's region, and,
// where the site holds a writer (or the fenced old writer, left as it was), an hourly plan on it
// whose copy action sends each recovery point to the other AWS site's vault, the service role,
// and alarms on failed backup and copy jobs. Facts it is built on (AWS Backup Developer Guide):
// a plan runs at most hourly (for RDS, more often needs continuous backup); a copy to another
// region is re-encrypted with the destination vault's key; the start window is at least 60
// minutes and the completion window must exceed it; a job due within an hour of the RDS
// instance's own backup or maintenance window may be skipped or delayed.
//
// Failed jobs alarm on AWS Backup's CloudWatch metrics, which exist only per vault: AWS/Backup
// publishes NumberOfBackupJobsFailed and NumberOfCopyJobsFailed with the dimension sets
// {BackupVaultName} and {BackupVaultName, ResourceType} and no series without dimensions
// (CloudWatch User Guide, "Supported metrics for resource tags for telemetry", AWS/Backup). An
// alarm that names no vault watches a series that never exists and never fires, so each alarm
// names this site's vault. {BackupVaultName} alone is published, so no ResourceType is needed: the
// vault holds only this site's database. The docs do not say which vault a copy job counts under;
// it is started by this plan's copy action in this (the source) region and listed there, where the
// destination vault does not exist, so the copy alarm names this site's vault too, in this region.
// Copy alarms exist only where the plan has a copy action.
//
// Why alarms and not an EventBridge rule on "Backup Job State Change"/"Copy Job State Change"
// with state FAILED: the rule would publish to the same encrypted alerts topic, which then needs a
// topic policy and a key policy allowing events.amazonaws.com (today it allows CloudWatch only),
// and a rule whose delivery fails (policy, key) only shows in its FailedInvocations metric, which
// needs an alarm of its own; AWS delivers these events best effort. The alarm reuses the
// CloudWatch -> topic path every other alarm of the site uses (checked by acceptance rule
// aws-alarm-topic-kms-key), has a state, and says OK again when an hour passes without failures.

export const BACKUP_SCHEDULE = "cron(0 * ? * * *)";
export const BACKUP_START_WINDOW_MINUTES = 60;
export const BACKUP_COMPLETION_WINDOW_MINUTES = 180;
/** Sum of failed jobs over this period; a plan runs hourly, so one window per run. */
export const BACKUP_ALARM_PERIOD_SECONDS = 3600;
export const BACKUP_SERVICE_POLICIES = [
  "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
  "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
];

/** The vault's name in a site: fixed, so the other site can name it before it exists. */
export function backupVaultName(topology: Topology, siteKey: string): string {
  return `${topology.project}-${topology.environment}-${siteKey}`;
}

export function backupVaultArn(region: string, accountId: string, vaultName: string): string {
  return `arn:aws:backup:${region}:${accountId}:backup-vault:${vaultName}`;
}

export interface SiteBackupArgs {
  readonly topology: Topology;
  readonly site: SiteTopology;
  /** the writer to back up (this site's database, writer or fenced); no plan without one */
  readonly database?: { readonly arn: pulumi.Input<string> };
  /** the other AWS site, whose vault receives the copies */
  readonly copyTo?: SiteTopology;
  /** where the failed-job alarms notify */
  readonly alarmTopicArn?: pulumi.Input<string>;
}

export class SiteBackup extends pulumi.ComponentResource {
  public readonly vaultName: string;
  public readonly vaultArn: pulumi.Output<string>;
  public readonly kmsKeyArn: pulumi.Output<string>;
  public readonly planId?: pulumi.Output<string>;

  constructor(name: string, args: SiteBackupArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:aws:SiteBackup", name, {}, opts);
    const { topology, site } = args;
    const fail = (msg: string): never => { throw new Error(`SiteBackup ${name}: ${msg}`); };
    if (site.cloud !== "aws") fail(`site ${site.key} is on ${site.cloud}, not aws`);
    if (args.copyTo && (args.copyTo.cloud !== "aws" || args.copyTo.region === site.region)) fail(`copies must go to an AWS vault in another region, got ${args.copyTo.cloud} ${args.copyTo.region}`);
    const retention = site.database.backupRetentionDays;
    if (retention < 1) fail(`backupRetentionDays is ${retention}; recovery points need at least 1 day`);
    const region = site.region;
    const tags = siteTags(topology, site, "backup");
    const child = { parent: this };

    const key = new aws.kms.Key(`${name}-kms`, {
      region,
      description: `AWS Backup vault, ${topology.environment} ${site.key} (${region})`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      tags,
    }, child);
    this.vaultName = backupVaultName(topology, site.key);
    const vault = new aws.backup.Vault(name, { region, name: this.vaultName, kmsKeyArn: key.arn, tags }, child);

    if (args.database) {
      const role = new aws.iam.Role(`${name}-role`, {
        description: `AWS Backup service role, ${topology.environment} ${site.key}`,
        assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
        tags,
      }, child);
      BACKUP_SERVICE_POLICIES.forEach((policyArn, i) => new aws.iam.RolePolicyAttachment(`${name}-role-${i}`, { role: role.name, policyArn }, child));

      const account = aws.getCallerIdentityOutput({}, child).accountId;
      const destination = args.copyTo;
      const plan = new aws.backup.Plan(name, {
        region,
        name: `${topology.project}-${topology.environment}-${site.key}-hourly`,
        rules: [{
          ruleName: "hourly",
          targetVaultName: vault.name,
          schedule: BACKUP_SCHEDULE,
          startWindow: BACKUP_START_WINDOW_MINUTES,
          completionWindow: BACKUP_COMPLETION_WINDOW_MINUTES,
          lifecycle: { deleteAfter: retention },
          copyActions: destination ? [{
            destinationVaultArn: account.apply((id) => backupVaultArn(destination.region, id, backupVaultName(topology, destination.key))),
            lifecycle: { deleteAfter: retention },
          }] : undefined,
        }],
        tags,
      }, child);
      new aws.backup.Selection(name, { region, name: `${site.key}-database`, planId: plan.id, iamRoleArn: role.arn, resources: [args.database.arn] }, child);

      // the series AWS Backup publishes for this site's vault (see the top of this file)
      const failedJobs: [id: string, metricName: string, what: string][] = [["backup-failed", "NumberOfBackupJobsFailed", "backup"]];
      if (destination) failedJobs.push(["copy-failed", "NumberOfCopyJobsFailed", `cross-region copy (to ${destination.key}, ${destination.region})`]);
      for (const [id, metricName, what] of failedJobs) {
        new aws.cloudwatch.MetricAlarm(`${name}-${id}`, {
          region,
          alarmDescription: `${site.key}: an AWS Backup ${what} job of vault ${this.vaultName} failed in ${region}; the standby region's newest recovery point is getting older (RPO)`,
          namespace: "AWS/Backup",
          metricName,
          dimensions: { BackupVaultName: this.vaultName },
          statistic: "Sum",
          period: BACKUP_ALARM_PERIOD_SECONDS,
          evaluationPeriods: 1,
          threshold: 1,
          comparisonOperator: "GreaterThanOrEqualToThreshold",
          treatMissingData: "notBreaching",
          alarmActions: args.alarmTopicArn ? [args.alarmTopicArn] : [],
          okActions: args.alarmTopicArn ? [args.alarmTopicArn] : [],
          tags,
        }, child);
      }
      this.planId = plan.id;
    }

    this.vaultArn = vault.arn;
    this.kmsKeyArn = key.arn;
    this.registerOutputs({ vaultName: this.vaultName, vaultArn: this.vaultArn, planId: this.planId });
  }
}

export interface AutomatedBackupsReplicationArgs {
  readonly site: SiteTopology;
  readonly sourceDbInstanceArn: pulumi.Input<string>;
  /** a key in this (the destination) region: the source is encrypted */
  readonly kmsKeyArn: pulumi.Input<string>;
}

/**
 * RDS automated backups (snapshots + transaction logs) replicated into the standby region, for a
 * point-in-time restore there. Created in the destination region; an encrypted source needs a
 * KMS key of that region (RDS User Guide, "Replicating automated backups to another AWS Region").
 */
export function automatedBackupsReplication(name: string, parent: pulumi.Resource, args: AutomatedBackupsReplicationArgs): aws.rds.InstanceAutomatedBackupsReplication {
  return new aws.rds.InstanceAutomatedBackupsReplication(name, {
    region: args.site.region,
    sourceDbInstanceArn: args.sourceDbInstanceArn,
    kmsKeyId: args.kmsKeyArn,
    retentionPeriod: args.site.database.backupRetentionDays,
  }, { parent });
}
