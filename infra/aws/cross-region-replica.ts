import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { SiteTopology, Topology } from "../topology/types";
import { commonInstanceArgs, databaseFoundation } from "./database-support";

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
  /** the RDS-managed master secret of the promoted writer (undefined while it is a replica) */
  public readonly secretArn: pulumi.Output<string | undefined>;
  /** in-region read replicas of the promoted writer (the Topology's readReplicas); none before */
  public readonly replicaAddresses: pulumi.Output<string>[];
  public readonly replicaIdentifiers: pulumi.Output<string>[];

  constructor(name: string, args: CrossRegionReplicaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:aws:CrossRegionReplica", name, {}, opts);
    const { topology, site } = args;
    const db = site.database;
    if (db.role !== "replica" && db.role !== "writer") throw new Error(`CrossRegionReplica ${name}: site ${site.key} database role is ${db.role}, expected replica (or writer after failover)`);
    if (args.dataSubnetIds.length < 2) throw new Error(`CrossRegionReplica ${name}: an RDS subnet group needs subnets in at least 2 AZs, got ${args.dataSubnetIds.length}`);
    this.promoted = args.promote ?? db.role === "writer";
    if (this.promoted && db.role === "replica") throw new Error(`CrossRegionReplica ${name}: the Topology still calls site ${site.key} a replica; promote only when it is the writer`);
    if (topology.environment === "prod" && !db.multiAz) throw new Error(`CrossRegionReplica ${name}: a prod replica may be promoted, so it must be Multi-AZ`);

    const f = databaseFoundation(name, this, topology, site, args.dataSubnetIds);
    const replica = new aws.rds.Instance(name, {
      ...commonInstanceArgs(topology, site, f, args.databaseSecurityGroupId),
      // no username/password/engine: a replica inherits them from its source
      replicateSourceDb: this.promoted ? undefined : args.sourceArn,
      // once promoted, RDS manages a master secret in this region (the old one lives with the
      // fenced writer); the API's user data follows it and the instance refresh rolls it out
      manageMasterUserPassword: this.promoted ? true : undefined,
      // Multi-AZ because this replica may be promoted to the writer
      multiAz: db.multiAz,
      storageType: "gp3",
      maxAllocatedStorage: db.maxAllocatedStorageGb,
      // backups on, so it can be promoted into a writer with point-in-time recovery at once
      backupRetentionPeriod: db.backupRetentionDays,
      backupWindow: "17:00-17:30",
      deletionProtection: db.deletionProtection,
      skipFinalSnapshot: topology.environment !== "prod",
      finalSnapshotIdentifier: topology.environment === "prod" ? `${topology.project}-${topology.environment}-${site.key}-final` : undefined,
    }, { parent: this });

    // Once promoted, the new writer gets its in-region read replicas like any writer.
    const reads = this.promoted ? Array.from({ length: db.readReplicas }, (_, i) => new aws.rds.Instance(`${name}-read-${i}`, {
      ...commonInstanceArgs(topology, site, f, args.databaseSecurityGroupId),
      dbSubnetGroupName: undefined,
      replicateSourceDb: replica.identifier,
      storageType: "gp3",
      maxAllocatedStorage: db.maxAllocatedStorageGb,
      multiAz: false,
      backupRetentionPeriod: 0,
      deletionProtection: db.deletionProtection,
      skipFinalSnapshot: true,
    }, { parent: this })) : [];
    this.replicaAddresses = reads.map((r) => r.address);
    this.replicaIdentifiers = reads.map((r) => r.identifier);

    this.arn = replica.arn;
    this.address = replica.address;
    this.identifier = replica.identifier;
    this.kmsKeyArn = f.key.arn;
    this.secretArn = replica.masterUserSecrets.apply((secrets) => secrets?.[0]?.secretArn);
    this.registerOutputs({ arn: this.arn, address: this.address, identifier: this.identifier, kmsKeyArn: this.kmsKeyArn, promoted: this.promoted });
  }
}
