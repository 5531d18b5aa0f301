import { strict as assert } from "node:assert";
import { Cache } from "../../infra/aws/cache";
import { CrossRegionReplica } from "../../infra/aws/cross-region-replica";
import { Database } from "../../infra/aws/database";
import { DatabaseMasterSecret } from "../../infra/aws/database-secret";
import { incompatibleParameters } from "../../infra/aws/mysql-compat";
import { MOCK_AUTH_TOKEN, Recorded, devAwsTopology, fakeNetwork, json, pick, prodTopology, record, secret, setupMocks, siteOf, value, type TierMocks } from "./support/harness";

const WRITER_ARN = "arn:aws:rds:ap-northeast-2:123456789012:db:primary-db";
const MASTER_ARN = (region: string) => `arn:aws:secretsmanager:${region}:123456789012:secret:db-master`;
let master: DatabaseMasterSecret | undefined;
const dataArgs = (t: ReturnType<typeof prodTopology>, key: "primary" | "secondary") => {
  const site = siteOf(t, key);
  const n = fakeNetwork(site);
  master ??= new DatabaseMasterSecret("db-master", { topology: t });
  return { topology: t, site, dataSubnetIds: n.dataSubnetIds, databaseSecurityGroupId: n.databaseSecurityGroupId, credentials: { password: master.password, secretArn: master.arnIn(site.region) } };
};
const cacheArgs = (t: ReturnType<typeof prodTopology>, key: "primary" | "secondary") => {
  const site = siteOf(t, key);
  const n = fakeNetwork(site);
  return { topology: t, site, dataSubnetIds: n.dataSubnetIds, cacheSecurityGroupId: n.cacheSecurityGroupId };
};

describe("data tiers: RDS writer + read replicas, cross-region replica, ElastiCache", function () {
  this.timeout(60_000);
  let mocks: TierMocks;
  let writer: Recorded;
  let replica: Recorded;
  let promoted: Recorded;
  let cachePrimary: Recorded;
  let cacheSecondary: Recorded;
  let dev: Recorded;
  let secretRec: Recorded;
  let prodMaster!: DatabaseMasterSecret;
  let db!: Database;
  let cache!: Cache;

  before(async () => {
    mocks = await setupMocks();
    const prod = prodTopology();
    secretRec = await record(mocks, () => { master = prodMaster = new DatabaseMasterSecret("db-master", { topology: prod }); });
    writer = await record(mocks, () => { db = new Database("primary-db", dataArgs(prod, "primary")); });
    replica = await record(mocks, () => { new CrossRegionReplica("secondary-db", { ...dataArgs(prod, "secondary"), sourceArn: WRITER_ARN }); });
    const failedOver = prodTopology({ activeSite: "secondary" });
    promoted = await record(mocks, () => { new CrossRegionReplica("secondary-db", { ...dataArgs(failedOver, "secondary"), sourceArn: WRITER_ARN }); });
    cachePrimary = await record(mocks, () => { cache = new Cache("primary-cache", cacheArgs(prod, "primary")); });
    cacheSecondary = await record(mocks, () => { new Cache("secondary-cache", cacheArgs(prod, "secondary")); });
    const d = devAwsTopology();
    master = undefined;
    dev = await record(mocks, () => {
      new Database("dev-db", dataArgs(d, "primary"));
      new Cache("dev-cache", cacheArgs(d, "primary"));
    });
  });

  it("master credentials: a generated 40-character password in a secret of the primary's region, replicated to the standby's region", async () => {
    assert.deepEqual(pick(secretRec.one("random:index/randomPassword:RandomPassword", "db-master"), ["length", "special"]), { length: 40, special: false });
    assert.deepEqual(pick(secretRec.one("secretsmanager/secret:Secret", "db-master"), ["region", "replicas", "recoveryWindowInDays"]), {
      region: "ap-northeast-2", replicas: [{ region: "ap-northeast-1" }], recoveryWindowInDays: 7,
    });
    const version = secretRec.one("secretsmanager/secretVersion:SecretVersion", "db-master");
    assert.equal(version.inputs.region, "ap-northeast-2");
    assert.deepEqual(version.inputs.secretString, secret(JSON.stringify({ username: "feedadmin", password: MOCK_AUTH_TOKEN })));
    // each site reads its own region's copy
    assert.equal(await value(prodMaster.arnIn("ap-northeast-1")), MASTER_ARN("ap-northeast-1"));
    assert.throws(() => prodMaster.arnIn("us-east-1"), /DatabaseMasterSecret: no replica in us-east-1 \(home ap-northeast-2, replicas: ap-northeast-1\)/);
  });

  it("writer: MySQL 8.4 (extended support kept in prod, deliberately), Multi-AZ, gp3 with autoscaling limit, encrypted with the site's CMK, private, backups, protection, final snapshot, generated password", () => {
    const keys = ["region", "engine", "engineVersion", "engineLifecycleSupport", "allowMajorVersionUpgrade", "instanceClass", "multiAz", "storageType", "allocatedStorage", "maxAllocatedStorage", "storageEncrypted", "kmsKeyId",
      "publiclyAccessible", "backupRetentionPeriod", "backupWindow", "maintenanceWindow", "deletionProtection", "skipFinalSnapshot", "finalSnapshotIdentifier",
      "dbName", "username", "manageMasterUserPassword", "password", "performanceInsightsEnabled", "performanceInsightsKmsKeyId", "monitoringInterval", "monitoringRoleArn",
      "enabledCloudwatchLogsExports", "vpcSecurityGroupIds", "dbSubnetGroupName", "parameterGroupName", "port"];
    assert.deepEqual(pick(writer.one("rds/instance:Instance", "primary-db"), keys), {
      region: "ap-northeast-2", engine: "mysql", engineVersion: "8.4", engineLifecycleSupport: "open-source-rds-extended-support", allowMajorVersionUpgrade: undefined, instanceClass: "db.r6g.large", multiAz: true, storageType: "gp3", allocatedStorage: 100, maxAllocatedStorage: 1000,
      storageEncrypted: true, kmsKeyId: writer.one("rds/instance:Instance", "primary-db").inputs.kmsKeyId, publiclyAccessible: false, backupRetentionPeriod: 14,
      backupWindow: "17:00-17:30", maintenanceWindow: "sun:18:00-sun:19:00", deletionProtection: true, skipFinalSnapshot: false, finalSnapshotIdentifier: "resilient-feed-prod-primary-final",
      dbName: "feed", username: "feedadmin", manageMasterUserPassword: undefined, password: secret(MOCK_AUTH_TOKEN), performanceInsightsEnabled: true,
      performanceInsightsKmsKeyId: writer.one("rds/instance:Instance", "primary-db").inputs.kmsKeyId, monitoringInterval: 60, monitoringRoleArn: "arn:aws:iam::123456789012:role/primary-db-monitoring",
      enabledCloudwatchLogsExports: ["error", "slowquery"], vpcSecurityGroupIds: ["sg-primary-db"], dbSubnetGroupName: "primary-db-subnets-id", parameterGroupName: "primary-db-params-id", port: 3306,
    });
    assert.match(String(writer.one("rds/instance:Instance", "primary-db").inputs.kmsKeyId), /^arn:aws:kms:ap-northeast-2:123456789012:key\//);
    assert.deepEqual(pick(writer.one("kms/key:Key", "primary-db-kms"), ["region", "enableKeyRotation", "deletionWindowInDays"]), { region: "ap-northeast-2", enableKeyRotation: true, deletionWindowInDays: 30 });
    assert.deepEqual(pick(writer.one("rds/subnetGroup:SubnetGroup", "primary-db-subnets"), ["region", "subnetIds"]), { region: "ap-northeast-2", subnetIds: ["primary-data-0", "primary-data-1", "primary-data-2"] });
  });

  it("parameter group: family mysql8.4; binlog_format ROW, time_zone UTC, sized max_connections, TLS required, slow log (each a variable 8.4 still has)", () => {
    const params = writer.one("rds/parameterGroup:ParameterGroup", "primary-db-params");
    assert.equal(params.inputs.family, "mysql8.4");
    assert.deepEqual(incompatibleParameters("mysql8.4", (params.inputs.parameters as any[]).map((p) => p.name)), []);
    // what the check catches: a removed variable and a renamed replication one carried over from 8.0
    assert.deepEqual(incompatibleParameters("mysql8.4", ["expire_logs_days", "slave_parallel_workers", "time_zone"]), [
      "expire_logs_days was removed in MySQL 8.4",
      "slave_parallel_workers is named replica_parallel_workers in the mysql8.4 family",
    ]);
    assert.deepEqual(Object.fromEntries((params.inputs.parameters as any[]).map((p) => [p.name, p.value])), {
      binlog_format: "ROW", time_zone: "UTC", max_connections: "1000", require_secure_transport: "1", slow_query_log: "1", long_query_time: "0.5",
    });
  });

  it("enhanced monitoring role: trusted by monitoring.rds only, with the AWS enhanced-monitoring policy", () => {
    assert.deepEqual(json(writer.one("iam/role:Role", "primary-db-monitoring").inputs.assumeRolePolicy).Statement, [
      { Effect: "Allow", Principal: { Service: "monitoring.rds.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
    assert.deepEqual(writer.of("iam/rolePolicyAttachment:RolePolicyAttachment").map((a) => [a.inputs.role, a.inputs.policyArn]), [
      ["primary-db-monitoring", "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"],
    ]);
  });

  it("two in-region read replicas reference the writer by identifier, encrypted, private, no credentials", async () => {
    assert.deepEqual(writer.of("rds/instance:Instance").filter((r) => r.name.includes("-read-")).map((r) => pick(r, ["region", "replicateSourceDb", "instanceClass", "storageEncrypted", "publiclyAccessible", "multiAz", "username", "dbSubnetGroupName", "vpcSecurityGroupIds", "backupRetentionPeriod"])), [
      { region: "ap-northeast-2", replicateSourceDb: "primary-db", instanceClass: "db.r6g.large", storageEncrypted: true, publiclyAccessible: false, multiAz: false, username: undefined, dbSubnetGroupName: undefined, vpcSecurityGroupIds: ["sg-primary-db"], backupRetentionPeriod: 0 },
      { region: "ap-northeast-2", replicateSourceDb: "primary-db", instanceClass: "db.r6g.large", storageEncrypted: true, publiclyAccessible: false, multiAz: false, username: undefined, dbSubnetGroupName: undefined, vpcSecurityGroupIds: ["sg-primary-db"], backupRetentionPeriod: 0 },
    ]);
    assert.deepEqual(await Promise.all(db.replicaAddresses.map(value)), ["primary-db-read-0.mock.ap-northeast-2.rds.amazonaws.com", "primary-db-read-1.mock.ap-northeast-2.rds.amazonaws.com"]);
    assert.equal(await value(db.secretArn), MASTER_ARN("ap-northeast-2"));
  });

  it("cross-region replica: the source ARN, a key in the replica's region, its own groups there, Multi-AZ (promotable), no credentials", () => {
    const r = replica.one("rds/instance:Instance", "secondary-db");
    assert.deepEqual(pick(r, ["region", "replicateSourceDb", "multiAz", "storageEncrypted", "publiclyAccessible", "backupRetentionPeriod", "username", "password", "manageMasterUserPassword", "dbSubnetGroupName", "parameterGroupName", "vpcSecurityGroupIds", "deletionProtection"]), {
      region: "ap-northeast-1", replicateSourceDb: WRITER_ARN, multiAz: true, storageEncrypted: true, publiclyAccessible: false, backupRetentionPeriod: 14,
      username: undefined, password: undefined, manageMasterUserPassword: undefined, dbSubnetGroupName: "secondary-db-subnets-id", parameterGroupName: "secondary-db-params-id",
      vpcSecurityGroupIds: ["sg-secondary-db"], deletionProtection: true,
    });
    assert.match(String(r.inputs.kmsKeyId), /^arn:aws:kms:ap-northeast-1:123456789012:key\//);
    assert.deepEqual(["kms/key:Key", "rds/subnetGroup:SubnetGroup", "rds/parameterGroup:ParameterGroup"].map((t) => replica.of(t).map((x) => x.region)), [["ap-northeast-1"], ["ap-northeast-1"], ["ap-northeast-1"]]);
    assert.deepEqual(replica.one("rds/subnetGroup:SubnetGroup", "secondary-db-subnets").inputs.subnetIds, ["secondary-data-0", "secondary-data-1", "secondary-data-2"]);
  });

  it("failover promotes the same resource: replicateSourceDb removed, the same generated password, applied at once, backups kept; every other input unchanged", () => {
    const before = replica.one("rds/instance:Instance", "secondary-db").inputs;
    const after = promoted.one("rds/instance:Instance", "secondary-db").inputs;
    assert.deepEqual(pick(promoted.one("rds/instance:Instance", "secondary-db"), ["replicateSourceDb", "password", "manageMasterUserPassword", "applyImmediately", "backupRetentionPeriod"]), {
      replicateSourceDb: undefined, password: secret(MOCK_AUTH_TOKEN), manageMasterUserPassword: undefined, applyImmediately: true, backupRetentionPeriod: 14,
    });
    assert.equal(before.applyImmediately, undefined);
    // a replica takes no final snapshot (RDS refuses one); the promoted writer keeps one in prod
    assert.deepEqual([before.skipFinalSnapshot, before.finalSnapshotIdentifier], [true, undefined]);
    assert.deepEqual([after.skipFinalSnapshot, after.finalSnapshotIdentifier], [false, "resilient-feed-prod-secondary-final"]);
    const rest = (i: Record<string, unknown>) => ({ ...i, replicateSourceDb: undefined, password: undefined, applyImmediately: undefined, skipFinalSnapshot: undefined, finalSnapshotIdentifier: undefined, tags: undefined });
    assert.deepEqual(rest(after), rest(before));
    // the new writer's read replicas: the shared in-region shape, sourced by identifier
    assert.deepEqual(promoted.of("rds/instance:Instance").filter((r) => r.name.includes("-read-")).map((r) => pick(r, ["region", "replicateSourceDb", "multiAz", "backupRetentionPeriod", "password", "manageMasterUserPassword", "maintenanceWindow"])), [0, 1].map(() => ({
      region: "ap-northeast-1", replicateSourceDb: "secondary-db", multiAz: false, backupRetentionPeriod: 0, password: undefined, manageMasterUserPassword: undefined, maintenanceWindow: "sun:18:00-sun:19:00",
    })));
  });

  it("refuses to promote while the Topology still calls the site a replica", () => {
    const prod = prodTopology();
    master = undefined;
    assert.throws(() => new CrossRegionReplica("bad-db", { ...dataArgs(prod, "secondary"), sourceArn: WRITER_ARN, promote: true }), /CrossRegionReplica bad-db: the Topology still calls site secondary a replica/);
    assert.throws(() => new Database("bad-writer", dataArgs(prod, "secondary")), /Database bad-writer: site secondary database role is replica/);
  });

  it("cache: Redis 7.1, Multi-AZ with failover and one replica in the writer site, a single node in the warm standby, encrypted both ways with AUTH", () => {
    const keys = ["region", "engine", "engineVersion", "nodeType", "numCacheClusters", "automaticFailoverEnabled", "multiAzEnabled", "atRestEncryptionEnabled", "transitEncryptionEnabled", "authToken", "snapshotRetentionLimit", "finalSnapshotIdentifier", "securityGroupIds", "subnetGroupName", "parameterGroupName", "port"];
    assert.deepEqual(pick(cachePrimary.one("elasticache/replicationGroup:ReplicationGroup", "primary-cache"), keys), {
      region: "ap-northeast-2", engine: "redis", engineVersion: "7.1", nodeType: "cache.r7g.large", numCacheClusters: 2, automaticFailoverEnabled: true, multiAzEnabled: true,
      atRestEncryptionEnabled: true, transitEncryptionEnabled: true, authToken: secret(MOCK_AUTH_TOKEN), snapshotRetentionLimit: 7, finalSnapshotIdentifier: "resilient-feed-prod-primary-cache-final",
      securityGroupIds: ["sg-primary-cache"], subnetGroupName: "primary-cache-subnets", parameterGroupName: "primary-cache-params", port: 6379,
    });
    assert.deepEqual(pick(cacheSecondary.one("elasticache/replicationGroup:ReplicationGroup", "secondary-cache"), ["region", "numCacheClusters", "automaticFailoverEnabled", "multiAzEnabled", "atRestEncryptionEnabled", "transitEncryptionEnabled"]),
      { region: "ap-northeast-1", numCacheClusters: 1, automaticFailoverEnabled: false, multiAzEnabled: false, atRestEncryptionEnabled: true, transitEncryptionEnabled: true });
  });

  it("cache parameter group volatile-lru (streams never evicted), data subnets, token kept in Secrets Manager", async () => {
    const params = cachePrimary.one("elasticache/parameterGroup:ParameterGroup", "primary-cache-params");
    assert.deepEqual([params.inputs.region, params.inputs.family, params.inputs.parameters], ["ap-northeast-2", "redis7", [{ name: "maxmemory-policy", value: "volatile-lru" }]]);
    assert.deepEqual(cachePrimary.one("elasticache/subnetGroup:SubnetGroup", "primary-cache-subnets").inputs.subnetIds, ["primary-data-0", "primary-data-1", "primary-data-2"]);
    assert.deepEqual(cachePrimary.one("secretsmanager/secretVersion:SecretVersion", "primary-cache-auth").inputs.secretString, secret(MOCK_AUTH_TOKEN));
    assert.deepEqual(pick(cachePrimary.one("random:index/randomPassword:RandomPassword", "primary-cache-auth"), ["length", "special"]), { length: 48, special: false });
    assert.match(await value(cache.authSecretArn), /^arn:aws:secretsmanager:ap-northeast-2:/);
  });

  it("dev on AWS: single-AZ writer without replicas, 1-day backups, no protection, no final snapshot, no Performance Insights on a micro class; one small cache node", () => {
    assert.deepEqual(dev.of("rds/instance:Instance").map((d) => pick(d, ["name", "region", "instanceClass", "multiAz", "backupRetentionPeriod", "deletionProtection", "skipFinalSnapshot", "finalSnapshotIdentifier", "performanceInsightsEnabled"])).map((x) => ({ ...x, name: undefined })), [
      { name: undefined, region: "ap-southeast-1", instanceClass: "db.t4g.micro", multiAz: false, backupRetentionPeriod: 1, deletionProtection: false, skipFinalSnapshot: true, finalSnapshotIdentifier: undefined, performanceInsightsEnabled: false },
    ]);
    assert.deepEqual(dev.of("elasticache/replicationGroup:ReplicationGroup").map((c) => pick(c, ["numCacheClusters", "automaticFailoverEnabled", "nodeType", "snapshotRetentionLimit", "finalSnapshotIdentifier"])), [
      { numCacheClusters: 1, automaticFailoverEnabled: false, nodeType: "cache.t4g.micro", snapshotRetentionLimit: 0, finalSnapshotIdentifier: undefined },
    ]);
    assert.deepEqual(dev.one("rds/parameterGroup:ParameterGroup", "dev-db-params").inputs.parameters, [
      { name: "binlog_format", value: "ROW", applyMethod: "pending-reboot" },
      { name: "time_zone", value: "UTC", applyMethod: "immediate" },
      { name: "max_connections", value: "60", applyMethod: "pending-reboot" },
      { name: "require_secure_transport", value: "1", applyMethod: "immediate" },
      { name: "slow_query_log", value: "1", applyMethod: "immediate" },
      { name: "long_query_time", value: "0.5", applyMethod: "immediate" },
    ]);
  });
});
