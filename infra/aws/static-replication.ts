import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Topology } from "../topology/types";
import type { StaticSite } from "./static-site";

// S3 cross-region replication of the static files: the primary's bucket to its replica in the
// standby region, in every DR mode, so the CDN's failover origin is never empty. Facts it is
// built on (Amazon S3 User Guide, "Replicating objects"): versioning must be on in both buckets
// before the configuration is accepted; only objects written after it exists replicate (older
// ones need S3 Batch Replication); SSE-S3 objects replicate with no key settings (SSE-KMS ones
// would need sourceSelectionCriteria and a destination key); deletes replicate only as delete
// markers, and only when deleteMarkerReplication is enabled.

export interface StaticReplicationArgs {
  readonly topology: Topology;
  readonly source: StaticSite;
  readonly destination: StaticSite;
}

/** What S3 needs to read versions from the source and write replicas into the destination. */
export function replicationPolicy(sourceArn: string, destinationArn: string): object {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ReadReplicationConfiguration", Effect: "Allow", Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"], Resource: [sourceArn] },
      { Sid: "ReadSourceVersions", Effect: "Allow", Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"], Resource: [`${sourceArn}/*`] },
      { Sid: "WriteReplicas", Effect: "Allow", Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"], Resource: [`${destinationArn}/*`] },
    ],
  };
}

export class StaticReplication extends pulumi.ComponentResource {
  public readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: StaticReplicationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:aws:StaticReplication", name, {}, opts);
    const { topology, source, destination } = args;
    if (source.region === destination.region) throw new Error(`StaticReplication ${name}: source and destination are both in ${source.region}; cross-region replication needs two regions`);
    const child = { parent: this };
    const tags = { project: topology.project, environment: topology.environment, tier: "cdn" };

    const role = new aws.iam.Role(name, {
      description: `S3 replication of the static files, ${source.region} → ${destination.region}`,
      assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
      tags,
    }, child);
    const policy = new aws.iam.RolePolicy(name, {
      role: role.id,
      policy: pulumi.all([source.bucketArn, destination.bucketArn]).apply(([s, d]) => JSON.stringify(replicationPolicy(s, d))),
    }, child);

    new aws.s3.BucketReplicationConfig(name, {
      region: source.region,
      bucket: source.bucket.id,
      role: role.arn,
      rules: [{
        id: "static-to-standby",
        status: "Enabled",
        priority: 1,
        filter: {},
        deleteMarkerReplication: { status: "Enabled" },
        destination: { bucket: destination.bucketArn, storageClass: "STANDARD" },
      }],
    }, { parent: this, dependsOn: [...source.ready, ...destination.ready, policy] });

    this.roleArn = role.arn;
    this.registerOutputs({ roleArn: this.roleArn });
  }
}
