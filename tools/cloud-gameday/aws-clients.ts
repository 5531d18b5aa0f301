// The real AWS SDK v3 clients behind the interfaces of aws-lookups.ts, built only by the CLI (tests
// pass fakes). Dependencies, and why these two: @aws-sdk/client-backup lists the standby vault's
// recovery points (ListRecoveryPointsByBackupVault: the AWS provider's Backup data sources read
// vaults, plans and selections, not the recovery points in a vault); @aws-sdk/client-cloudwatch
// reads the standby replica's ReplicaLag (GetMetricStatistics) for `status`. Both are the
// per-service v3 packages, loaded only on these paths. Credentials: the SDK's default chain,
// with the stack's `aws:profile` when it sets one (the profile the provider uses).
import { BackupClient, ListRecoveryPointsByBackupVaultCommand } from "@aws-sdk/client-backup";
import { CloudWatchClient, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import type { MetricsClient, RecoveryPointsClient } from "./aws-lookups";

export function backupClient(region: string, profile?: string): RecoveryPointsClient {
  const client = new BackupClient({ region, ...(profile ? { profile } : {}) });
  return { listRecoveryPointsByBackupVault: (input) => client.send(new ListRecoveryPointsByBackupVaultCommand(input)) };
}

export function metricsClient(region: string, profile?: string): MetricsClient {
  const client = new CloudWatchClient({ region, ...(profile ? { profile } : {}) });
  return { getMetricStatistics: (input) => client.send(new GetMetricStatisticsCommand(input)) };
}
