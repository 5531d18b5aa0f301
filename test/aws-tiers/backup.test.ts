import { strict as assert } from "node:assert";
import { ConfigError } from "../../infra/config/errors";
import { parseProjectConfig } from "../../infra/config/parse";
import { TOKYO_RECOVERY_POINT, prodWith } from "../support/config-fixtures";
import { deploySites, tinyBundle } from "./support/deploy";
import { Recorded, devAwsTopology, json, pick, prodTopology } from "./support/harness";

// Data that survives a region: AWS Backup vaults and plans per site, RDS automated backups
// replicated to the standby in backup-restore, and the restore that failing over in that mode does.

const TOKYO_VAULT = "arn:aws:backup:ap-northeast-1:123456789012:backup-vault:resilient-feed-prod-secondary";
const SEOUL_VAULT = "arn:aws:backup:ap-northeast-2:123456789012:backup-vault:resilient-feed-prod-primary";

describe("backups and restore", function () {
  this.timeout(120_000);
  let backupRestore: Recorded;
  let restored: Recorded;
  let warm: Recorded;
  let devAws: Recorded;

  before(async () => {
    const bundle = tinyBundle();
    backupRestore = await deploySites(prodTopology({ mode: "backup-restore" }), bundle);
    restored = await deploySites(prodTopology({ mode: "backup-restore", activeSite: "secondary" }), bundle);
    warm = await deploySites(prodTopology(), bundle);
    devAws = await deploySites(devAwsTopology(), bundle);
  });

  it("a vault in each region, each with its own rotating KMS key of that region", () => {
    assert.deepEqual(backupRestore.of("backup/vault:Vault").map((v) => [v.name, v.inputs.region, v.inputs.name]), [
      ["primary-backup", "ap-northeast-2", "resilient-feed-prod-primary"], ["secondary-backup", "ap-northeast-1", "resilient-feed-prod-secondary"],
    ]);
    for (const [site, region] of [["primary", "ap-northeast-2"], ["secondary", "ap-northeast-1"]]) {
      const key = backupRestore.one("kms/key:Key", `${site}-backup-kms`);
      assert.deepEqual(pick(key, ["region", "enableKeyRotation", "deletionWindowInDays"]), { region, enableKeyRotation: true, deletionWindowInDays: 30 });
      assert.match(String(backupRestore.one("backup/vault:Vault", `${site}-backup`).inputs.kmsKeyArn), new RegExp(`^arn:aws:kms:${region}:`));
    }
  });

  it("an hourly plan on the writer in its region, retention from config, each recovery point copied to the standby's vault", () => {
    assert.deepEqual(backupRestore.of("backup/plan:Plan").map((p) => p.name), ["primary-backup"]);
    const plan = backupRestore.one("backup/plan:Plan", "primary-backup");
    assert.deepEqual(pick(plan, ["region", "name", "rules"]), {
      region: "ap-northeast-2", name: "resilient-feed-prod-primary-hourly",
      rules: [{ ruleName: "hourly", targetVaultName: "resilient-feed-prod-primary", schedule: "cron(0 * ? * * *)", startWindow: 60, completionWindow: 180,
        lifecycle: { deleteAfter: 14 }, copyActions: [{ destinationVaultArn: TOKYO_VAULT, lifecycle: { deleteAfter: 14 } }] }],
    });
    assert.deepEqual(pick(backupRestore.one("backup/selection:Selection", "primary-backup"), ["region", "name", "planId", "iamRoleArn", "resources"]), {
      region: "ap-northeast-2", name: "primary-database", planId: "primary-backup-id", iamRoleArn: "arn:aws:iam::123456789012:role/primary-backup-role",
      resources: ["arn:aws:rds:ap-northeast-2:123456789012:db:primary-db"],
    });
  });

  it("the backup service role: trusted by AWS Backup, with the AWS policies for backups and restores", () => {
    assert.deepEqual(json(backupRestore.one("iam/role:Role", "primary-backup-role").inputs.assumeRolePolicy).Statement, [{ Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: "sts:AssumeRole" }]);
    assert.deepEqual(backupRestore.of("iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => a.name.startsWith("primary-backup-role")).map((a) => [a.inputs.role, a.inputs.policyArn]), [
      ["primary-backup-role", "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"],
      ["primary-backup-role", "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores"],
    ]);
  });

  // AWS/Backup publishes these metrics only per vault ({BackupVaultName}, or with ResourceType):
  // an alarm without the vault's dimension watches a series that never exists
  const failedJobAlarm = (metricName: string, vault: string, region: string, topic: string) => ({
    region, namespace: "AWS/Backup", metricName, dimensions: { BackupVaultName: vault }, statistic: "Sum", period: 3600, evaluationPeriods: 1, threshold: 1,
    comparisonOperator: "GreaterThanOrEqualToThreshold", treatMissingData: "notBreaching", alarmActions: [topic], okActions: [topic],
    extendedStatistic: undefined, metricQueries: undefined,
  });
  const ALARM_KEYS = ["region", "namespace", "metricName", "dimensions", "statistic", "period", "evaluationPeriods", "threshold", "comparisonOperator", "treatMissingData", "alarmActions", "okActions", "extendedStatistic", "metricQueries"];
  const backupAlarms = (r: Recorded, site: string) => r.of("cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.name.startsWith(`${site}-backup-`));
  const SEOUL_TOPIC = "arn:aws:sns:ap-northeast-2:123456789012:topic/primary-obs-alarms";
  const TOKYO_TOPIC = "arn:aws:sns:ap-northeast-1:123456789012:topic/secondary-obs-alarms";

  it("alarms on failed backup and copy jobs of the site's own vault, in its region, to the site's alerts topic", () => {
    const alarms = backupAlarms(backupRestore, "primary");
    assert.deepEqual(alarms.map((a) => a.name), ["primary-backup-backup-failed", "primary-backup-copy-failed"]);
    assert.deepEqual(alarms.map((a) => pick(a, ALARM_KEYS)), [
      failedJobAlarm("NumberOfBackupJobsFailed", "resilient-feed-prod-primary", "ap-northeast-2", SEOUL_TOPIC),
      failedJobAlarm("NumberOfCopyJobsFailed", "resilient-feed-prod-primary", "ap-northeast-2", SEOUL_TOPIC),
    ]);
    assert.equal(alarms[1].inputs.alarmDescription,
      "primary: an AWS Backup cross-region copy (to secondary, ap-northeast-1) job of vault resilient-feed-prod-primary failed in ap-northeast-2; the standby region's newest recovery point is getting older (RPO)");
    // the vault the alarms name is the one the plan writes to
    assert.equal((backupRestore.one("backup/plan:Plan", "primary-backup").inputs.rules as any[])[0].targetVaultName, "resilient-feed-prod-primary");
    // no plan, no alarms: the standby's vault only receives copies
    assert.deepEqual(backupAlarms(backupRestore, "secondary"), []);
    assert.deepEqual(backupAlarms(warm, "secondary"), []);
  });

  it("failing over changes nothing in the primary's alarms; the promoted secondary's alarms name its own vault", () => {
    assert.deepEqual(backupAlarms(restored, "primary").map((a) => [a.name, a.inputs]), backupAlarms(backupRestore, "primary").map((a) => [a.name, a.inputs]));
    assert.deepEqual(backupAlarms(restored, "secondary").map((a) => [a.name, pick(a, ALARM_KEYS)]), [
      ["secondary-backup-backup-failed", failedJobAlarm("NumberOfBackupJobsFailed", "resilient-feed-prod-secondary", "ap-northeast-1", TOKYO_TOPIC)],
      ["secondary-backup-copy-failed", failedJobAlarm("NumberOfCopyJobsFailed", "resilient-feed-prod-secondary", "ap-northeast-1", TOKYO_TOPIC)],
    ]);
  });

  it("one AWS site (dev on AWS): no copy action, so no copy alarm; the backup alarm names its vault", () => {
    assert.equal((devAws.one("backup/plan:Plan", "primary-backup").inputs.rules as any[])[0].copyActions, undefined);
    assert.deepEqual(backupAlarms(devAws, "primary").map((a) => [a.name, pick(a, ALARM_KEYS)]), [
      ["primary-backup-backup-failed", failedJobAlarm("NumberOfBackupJobsFailed", "resilient-feed-dev-primary", "ap-southeast-1", "arn:aws:sns:ap-southeast-1:123456789012:topic/primary-obs-alarms")],
    ]);
  });

  it("backup-restore: the writer's RDS automated backups replicate into the standby region with a key of that region", () => {
    const r = backupRestore.one("rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication", "secondary-automated-backups");
    assert.deepEqual(pick(r, ["region", "sourceDbInstanceArn", "retentionPeriod"]), { region: "ap-northeast-1", sourceDbInstanceArn: "arn:aws:rds:ap-northeast-2:123456789012:db:primary-db", retentionPeriod: 14 });
    assert.match(String(r.inputs.kmsKeyId), /^arn:aws:kms:ap-northeast-1:123456789012:key\//);
    // replicating modes keep a live replica there instead
    assert.equal(warm.of("rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication").length, 0);
    assert.deepEqual(warm.of("backup/plan:Plan").map((p) => p.name), ["primary-backup"]);
  });

  it("backup-restore failed over: the secondary's writer is restored from the recovery point, with the generated password; its plan copies back to the primary's vault", () => {
    const db = restored.one("rds/instance:Instance", "secondary-db");
    assert.deepEqual(pick(db, ["region", "snapshotIdentifier", "kmsKeyId", "dbName", "username", "manageMasterUserPassword", "replicateSourceDb", "backupRetentionPeriod", "multiAz"]), {
      region: "ap-northeast-1", snapshotIdentifier: TOKYO_RECOVERY_POINT, kmsKeyId: undefined, dbName: undefined, username: undefined, manageMasterUserPassword: undefined, replicateSourceDb: undefined, backupRetentionPeriod: 14, multiAz: true,
    });
    assert.ok(db.inputs.password !== undefined);
    assert.equal((restored.one("backup/plan:Plan", "secondary-backup").inputs.rules as any[])[0].copyActions[0].destinationVaultArn, SEOUL_VAULT);
    // the fenced primary keeps its plan exactly; nothing replicates automated backups any more
    assert.deepEqual(restored.one("backup/plan:Plan", "primary-backup").inputs, backupRestore.one("backup/plan:Plan", "primary-backup").inputs);
    assert.equal(restored.of("rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication").length, 0);
  });

  it("config: the recovery point is required to fail over in backup-restore, must be an RDS snapshot ARN in the secondary's region", () => {
    const parse = (dr: Record<string, string>) => () => parseProjectConfig(prodWith((c) => { c.dr = dr; }));
    const problem = (dr: Record<string, string>, re: RegExp) => assert.throws(parse(dr), (e: unknown) => e instanceof ConfigError && re.test(e.message));
    problem({ mode: "backup-restore", activeSite: "secondary" },
      /resilient-feed:dr\.restoreFromSnapshot = \(missing\): is required to fail over in backup-restore: the secondary has no database and is created from a recovery point \(allowed: the ARN of an RDS snapshot in ap-northeast-1/);
    problem({ mode: "backup-restore", activeSite: "secondary", restoreFromSnapshot: "rds:prod-2026-12-01-06-00" }, /resilient-feed:dr\.restoreFromSnapshot = "rds:prod-2026-12-01-06-00": is not an RDS snapshot ARN \(allowed: the ARN of an RDS snapshot in ap-northeast-1/);
    problem({ mode: "backup-restore", activeSite: "secondary", restoreFromSnapshot: TOKYO_RECOVERY_POINT.replace("ap-northeast-1", "ap-northeast-2") },
      /resilient-feed:dr\.restoreFromSnapshot = "arn:aws:rds:ap-northeast-2:.*": is in ap-northeast-2, but the secondary's database is restored in ap-northeast-1, and RDS restores only from a snapshot in its own region/);
    assert.doesNotThrow(parse({ mode: "backup-restore", activeSite: "secondary", restoreFromSnapshot: TOKYO_RECOVERY_POINT }));
    // a replicating mode promotes its replica instead: no recovery point needed
    assert.doesNotThrow(parse({ mode: "pilot-light", activeSite: "secondary" }));
  });
});
