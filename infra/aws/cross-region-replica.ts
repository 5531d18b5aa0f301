import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { SiteTopology, Topology } from "../topology/types";
import type { MasterCredentials } from "./database";
import { generationSuffix } from "../config/lineage";
import { BACKUP_WINDOW, commonInstanceArgs, databaseFoundation, inRegionReadReplicas } from "./database-support";

export interface CrossRegionReplicaArgs {
  readonly topology: Topology;
  readonly site: SiteTopology;
  /** ARN of the writer in the other region (a cross-region source must be an ARN) */
  readonly sourceArn: pulumi.Input<string>;
  /**
   * Promote to a standalone writer: drops replicateSourceDb from the same resource (Pulumi
   * updates it in place, RDS promotes it). Defaults to the Topology (database role "writer").
   */
  readonly promote?: boolean;
  readonly dataSubnetIds: pulumi.Input<string>[];
  readonly databaseSecurityGroupId: pulumi.Input<string>;
  /** the writer's master credentials: the replica inherits them, the promoted writer keeps them */
  readonly credentials: MasterCredentials;
}

/**
 * The standby site's copy of the database: an RDS read replica in the standby region, encrypted
 * with a key created in that region, with its own subnet and parameter groups there. When the
 * Topology makes this site the writer (failover), `replicateSourceDb` is dropped from the same
 * resource, which promotes the replica in place instead of replacing it.
 */
export class CrossRegionReplica extends pulumi.ComponentResource {
  public readonly arn: pulumi.Output<string>;
  public readonly address: pulumi.Output<string>;
  public readonly identifier: pulumi.Output<string>;
  public readonly kmsKeyArn: pulumi.Output<string>;
  public readonly promoted: boolean;
  /** the master credentials secret in this region (the local replica of the writer's secret) */
  public readonly secretArn: pulumi.Output<string>;
  /** in-region read replicas of the promoted writer (the Topology's readReplicas); none before */
  public readonly replicaAddresses: pulumi.Output<string>[];
  public readonly replicaIdentifiers: pulumi.Output<string>[];

  constructor(name: string, args: CrossRegionReplicaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:aws:CrossRegionReplica", name, {}, opts);
    const { topology, site } = args;
    const db = site.database;
    if (db.role === "none") throw new Error(`CrossRegionReplica ${name}: site ${site.key} holds no database`);
    if (args.dataSubnetIds.length < 2) throw new Error(`CrossRegionReplica ${name}: an RDS subnet group needs subnets in at least 2 AZs, got ${args.dataSubnetIds.length} (config validation should have refused sites.${site.key}.azCount)`);
    // fenced: it was promoted when it wrote, and stays exactly so after the next switch
    this.promoted = args.promote ?? (db.role === "writer" || db.role === "fenced");
    if (this.promoted && db.role === "replica") throw new Error(`CrossRegionReplica ${name}: the Topology still calls site ${site.key} a replica; promote only when it is the writer`);
    if (db.backupRetentionDays < 1) throw new Error(`CrossRegionReplica ${name}: backupRetentionDays is ${db.backupRetentionDays}; a promoted writer needs backups (allowed: 1..35)`);
    if (topology.environment === "prod" && !db.multiAz) throw new Error(`CrossRegionReplica ${name}: a prod replica may be promoted, so it must be Multi-AZ (config validation should have refused database.multiAz)`);

    const f = databaseFoundation(name, this, topology, site, args.dataSubnetIds);
    const replica = new aws.rds.Instance(name, {
      ...commonInstanceArgs(topology, site, f, args.databaseSecurityGroupId),
      // no username/password/engine: a replica inherits them from its source
      replicateSourceDb: this.promoted ? undefined : args.sourceArn,
      // a replica inherits its source's password; once promoted it keeps the same generated one
      // (never an RDS-managed password: the new writer's own read replicas could not be created)
      password: this.promoted ? args.credentials.password : undefined,
      // the promoted writer's changes must not wait for a maintenance window
      applyImmediately: this.promoted ? true : undefined,
      // Multi-AZ because this replica may be promoted to the writer
      multiAz: db.multiAz,
      storageType: "gp3",
      maxAllocatedStorage: db.maxAllocatedStorageGb,
      // backups on, so it can be promoted into a writer with point-in-time recovery at once
      backupRetentionPeriod: db.backupRetentionDays,
      backupWindow: BACKUP_WINDOW,
      deletionProtection: db.deletionProtection,
      // RDS takes no final snapshot of a read replica (its data is on its writer); a promoted
      // writer keeps one in prod. Both inputs change in place on promotion (provider-only settings).
      skipFinalSnapshot: !(this.promoted && topology.environment === "prod"),
      // a new generation beside a retained old one needs its own final snapshot name
      finalSnapshotIdentifier: this.promoted && topology.environment === "prod" ? `${topology.project}-${topology.environment}-${site.key}${generationSuffix(db.generation)}-final` : undefined,
    }, { parent: this });

    // Once promoted, the new writer gets its in-region read replicas like any writer.
    const reads = this.promoted ? inRegionReadReplicas(name, this, topology, site, f, args.databaseSecurityGroupId, replica.identifier) : [];
    this.replicaAddresses = reads.map((r) => r.address);
    this.replicaIdentifiers = reads.map((r) => r.identifier);

    this.arn = replica.arn;
    this.address = replica.address;
    this.identifier = replica.identifier;
    this.kmsKeyArn = f.key.arn;
    this.secretArn = pulumi.output(args.credentials.secretArn);
    this.registerOutputs({ arn: this.arn, address: this.address, identifier: this.identifier, kmsKeyArn: this.kmsKeyArn, promoted: this.promoted });
  }
}
