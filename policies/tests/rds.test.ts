import { strict as assert } from "node:assert";
import { awsRdsBackupRetention, awsRdsDeletionProtection, awsRdsMultiAz, awsRdsNotPublic, awsRdsStorageEncrypted, rdsRole } from "../rules/rds";
import { checkResource, tags, type FakeResource } from "./util";

const RDS = "aws:rds/instance:Instance";
const KMS = "arn:aws:kms:ap-northeast-2:123456789012:key/abc";

function db(props: Record<string, unknown> = {}, environment: "dev" | "prod" = "prod", name = "primary-db"): FakeResource {
  return {
    type: RDS,
    name,
    props: {
      region: "ap-northeast-2", instanceClass: "db.r6g.large", storageEncrypted: true, kmsKeyId: KMS, publiclyAccessible: false,
      multiAz: true, backupRetentionPeriod: 14, deletionProtection: true, tags: tags(environment), ...props,
    },
  };
}

describe("policies: RDS", () => {
  it("classifies writers, cross-region replicas and in-region replicas", () => {
    assert.equal(rdsRole({}, "ap-northeast-2"), "writer");
    assert.equal(rdsRole({ replicateSourceDb: "arn:aws:rds:ap-northeast-2:1:db:w" }, "ap-northeast-1"), "cross-region-replica");
    assert.equal(rdsRole({ replicateSourceDb: "arn:aws:rds:ap-northeast-2:1:db:w" }, "ap-northeast-2"), "in-region-replica");
    assert.equal(rdsRole({ replicateSourceDb: "primary-db" }, "ap-northeast-2"), "in-region-replica");
  });

  it("aws-rds-storage-encrypted: passes encrypted storage, flags unencrypted", async () => {
    assert.deepEqual((await checkResource(awsRdsStorageEncrypted, db())).violations, []);
    const bad = await checkResource(awsRdsStorageEncrypted, db({ storageEncrypted: false }));
    assert.equal(bad.violations.length, 1);
    assert.match(bad.violations[0], /^aws:rds\/Instance "primary-db" does not encrypt its storage \(storageEncrypted is false\)\. Set storageEncrypted: true/);
  });

  it("aws-rds-not-public: passes a private instance, flags a public one", async () => {
    assert.deepEqual((await checkResource(awsRdsNotPublic, db())).violations, []);
    const bad = await checkResource(awsRdsNotPublic, db({ publiclyAccessible: true }));
    assert.deepEqual(bad.violations, [
      `aws:rds/Instance "primary-db" is publicly accessible (publiclyAccessible: true). Set publiclyAccessible: false and keep it in the private data subnets; ` +
      `the API reaches it through the database security group, operators through SSM port forwarding.`,
    ]);
  });

  it("aws-rds-multi-az: prod writer must be Multi-AZ; dev and in-region replicas are not applicable", async () => {
    assert.deepEqual((await checkResource(awsRdsMultiAz, db())).violations, []);
    const bad = await checkResource(awsRdsMultiAz, db({ multiAz: false }));
    assert.match(bad.violations[0], /"primary-db" \(prod writer\) is single-AZ \(multiAz is false\).*Set multiAz: true/);
    const dev = await checkResource(awsRdsMultiAz, db({ multiAz: false }, "dev"));
    assert.deepEqual(dev.violations, []);
    assert.match(dev.notApplicable!, /prod only/);
    const readReplica = await checkResource(awsRdsMultiAz, db({ multiAz: false, replicateSourceDb: "primary-db" }, "prod", "primary-db-read-0"));
    assert.match(readReplica.notApplicable!, /in-region read replica/);
    const crossRegion = await checkResource(awsRdsMultiAz, db({ region: "ap-northeast-1", multiAz: false, replicateSourceDb: "arn:aws:rds:ap-northeast-2:123456789012:db:primary-db" }, "prod", "secondary-db"));
    assert.match(crossRegion.violations[0], /"secondary-db" \(prod cross-region-replica\) is single-AZ/);
  });

  it("aws-rds-multi-az: without tags, falls back to the stack name in the URN", async () => {
    const untagged: FakeResource = { ...db({ multiAz: false, tags: undefined }), stack: "dev" };
    assert.match((await checkResource(awsRdsMultiAz, untagged)).notApplicable!, /environment "dev"/);
    const prodStack: FakeResource = { ...db({ multiAz: false, tags: undefined }), stack: "prod" };
    assert.equal((await checkResource(awsRdsMultiAz, prodStack)).violations.length, 1);
  });

  it("aws-rds-backup-retention: minimum from the policy config (default 7 days)", async () => {
    assert.deepEqual((await checkResource(awsRdsBackupRetention, db({ backupRetentionPeriod: 7 }))).violations, []);
    const bad = await checkResource(awsRdsBackupRetention, db({ backupRetentionPeriod: 3 }));
    assert.match(bad.violations[0], /keeps automated backups for 3 day\(s\); the minimum is 7\. Set backupRetentionPeriod >= 7/);
    const stricter = await checkResource(awsRdsBackupRetention, db({ backupRetentionPeriod: 14 }), { config: { minimumRetentionDays: 21 } });
    assert.match(stricter.violations[0], /14 day\(s\); the minimum is 21/);
    await assert.rejects(checkResource(awsRdsBackupRetention, db(), { config: { minimumRetentionDays: 90 } }), /policy config for aws-rds-backup-retention is invalid: minimumRetentionDays/);
  });

  it("aws-rds-deletion-protection: prod writer needs it", async () => {
    assert.deepEqual((await checkResource(awsRdsDeletionProtection, db())).violations, []);
    const bad = await checkResource(awsRdsDeletionProtection, db({ deletionProtection: false }));
    assert.match(bad.violations[0], /"primary-db" \(prod writer\) has no deletion protection.*Set deletionProtection: true\./);
  });
});
