import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { SiteTopology, Topology } from "../topology/types";
import { BACKUP_WINDOW, MAINTENANCE_WINDOW, commonInstanceArgs, databaseFoundation, inRegionReadReplicas } from "./database-support";
import { MASTER_USERNAME } from "./database-secret";

/** The master credentials every writer uses (see DatabaseMasterSecret). */
export interface MasterCredentials {
  /** the generated password (a Pulumi secret) */
  readonly password: pulumi.Input<string>;
  /** the credentials secret as read in this site's region ({"username","password"}) */
  readonly secretArn: pulumi.Input<string>;
}

export interface DatabaseArgs {
  readonly topology: Topology;
  readonly site: SiteTopology;
  readonly dataSubnetIds: pulumi.Input<string>[];
  readonly databaseSecurityGroupId: pulumi.Input<string>;
  readonly credentials: MasterCredentials;
}

export { BACKUP_WINDOW, MAINTENANCE_WINDOW, MASTER_USERNAME };
export const DB_NAME = "feed";

/**
 * The writer of the Topology: RDS MySQL (database.engineVersion; Multi-AZ per config), gp3 with storage autoscaling,
 * encrypted with the site's customer KMS key, the program's generated master password (never an
 * RDS-managed one: RDS replicates no source whose password it manages), and its in-region read
 * replicas. Role "fenced" (the old writer after a failover) keeps exactly
 * the same resources: failover never touches the failed site.
 */
export class Database extends pulumi.ComponentResource {
  public readonly arn: pulumi.Output<string>;
  public readonly identifier: pulumi.Output<string>;
  public readonly address: pulumi.Output<string>;
  public readonly port: pulumi.Output<number>;
  public readonly dbName: string = DB_NAME;
  public readonly replicaAddresses: pulumi.Output<string>[];
  public readonly replicaIdentifiers: pulumi.Output<string>[];
  /** the master credentials secret in this site's region ({"username","password"}) */
  public readonly secretArn: pulumi.Output<string>;
  public readonly kmsKeyArn: pulumi.Output<string>;

  constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:aws:Database", name, {}, opts);
    const { topology, site } = args;
    const db = site.database;
    const fail = (msg: string): never => { throw new Error(`Database ${name}: ${msg}`); };
    if (site.cloud !== "aws") fail(`site ${site.key} is on ${site.cloud}, not aws`);
    if (db.role !== "writer" && db.role !== "fenced") fail(`site ${site.key} database role is ${db.role}; Database is for writer (or fenced), use CrossRegionReplica for replica`);
    if (args.dataSubnetIds.length < 2) fail(`an RDS subnet group needs subnets in at least 2 AZs, got ${args.dataSubnetIds.length} (config validation should have refused sites.${site.key}.azCount)`);
    if (db.backupRetentionDays < 1 || db.backupRetentionDays > 35) fail(`backupRetentionDays must be 1..35 (replicas need backups on their source), got ${db.backupRetentionDays}`);
    if (db.maxAllocatedStorageGb < db.allocatedStorageGb) fail(`maxAllocatedStorageGb ${db.maxAllocatedStorageGb} must be >= allocatedStorageGb ${db.allocatedStorageGb}`);
    const prod = topology.environment === "prod";

    const f = databaseFoundation(name, this, topology, site, args.dataSubnetIds);
    // restored from a recovery point (backup-restore failed over): name, user and storage key come
    // from the snapshot (AWS Backup re-encrypted it with the standby vault's key); the generated
    // password is applied after the restore, so the secret stays right
    const snapshot = db.restoreFromSnapshot;
    const writer = new aws.rds.Instance(name, {
      ...commonInstanceArgs(topology, site, f, args.databaseSecurityGroupId),
      ...(snapshot ? { snapshotIdentifier: snapshot, kmsKeyId: undefined } : {}),
      engine: "mysql",
      engineVersion: topology.databaseEngine.version,
      // set deliberately (RDS defaults to extended support): see Topology.databaseEngine
      engineLifecycleSupport: topology.databaseEngine.lifecycleSupport,
      storageType: "gp3",
      allocatedStorage: db.allocatedStorageGb,
      maxAllocatedStorage: db.maxAllocatedStorageGb,
      multiAz: db.multiAz,
      dbName: snapshot ? undefined : DB_NAME,
      username: snapshot ? undefined : MASTER_USERNAME,
      password: args.credentials.password,
      backupRetentionPeriod: db.backupRetentionDays,
      backupWindow: BACKUP_WINDOW,
      maintenanceWindow: MAINTENANCE_WINDOW,
      deletionProtection: db.deletionProtection,
      deleteAutomatedBackups: !prod,
      skipFinalSnapshot: !prod,
      finalSnapshotIdentifier: prod ? `${topology.project}-${topology.environment}-${site.key}-final` : undefined,
    }, { parent: this });

    const replicas = inRegionReadReplicas(name, this, topology, site, f, args.databaseSecurityGroupId, writer.identifier);

    this.arn = writer.arn;
    this.identifier = writer.identifier;
    this.address = writer.address;
    this.port = writer.port;
    this.replicaAddresses = replicas.map((r) => r.address);
    this.replicaIdentifiers = replicas.map((r) => r.identifier);
    this.secretArn = pulumi.output(args.credentials.secretArn);
    this.kmsKeyArn = f.key.arn;
    this.registerOutputs({
      arn: this.arn,
      identifier: this.identifier,
      address: this.address,
      replicaAddresses: this.replicaAddresses,
      secretArn: this.secretArn,
      kmsKeyArn: this.kmsKeyArn,
    });
  }
}
