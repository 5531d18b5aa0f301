import type { Step } from "./steps";

// Deletes the cloud refuses, read off the resource's state at the delete (deletes run last and
// a removed resource is not updated in the same run, so that state is the one before the run):
// - RDS refuses to delete an instance with deletion protection (DeleteDBInstance:
//   InvalidParameterCombination), and refuses a final snapshot of a read replica;
//   the provider refuses skipFinalSnapshot false without finalSnapshotIdentifier;
// - ELB refuses to delete a load balancer with deletion protection (OperationNotPermitted);
// - S3 refuses to delete a bucket that holds objects or versions (BucketNotEmpty) unless the
//   provider empties it first (forceDestroy, read from state).
// A retained delete (retainOnDelete) makes no call and is not a step.

const RDS = "aws:rds/instance:Instance";
const ALB = "aws:lb/loadBalancer:LoadBalancer";
const BUCKETS = new Set(["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"]);

export interface RefusedDelete {
  readonly step: Step;
  readonly problem: string;
}

export function refusedDelete(step: Step): RefusedDelete | undefined {
  if (step.kind !== "delete" && step.kind !== "replace-delete") return undefined;
  const r = step.before;
  if (!r) return undefined;
  const i = r.inputs as Record<string, unknown>;
  const refuse = (problem: string) => ({ step, problem });
  if (r.type === RDS) {
    if (i.deletionProtection === true) return refuse("RDS instance with deletion protection on: lift it in a run before the one that removes it");
    if (i.replicateSourceDb && i.skipFinalSnapshot !== true) return refuse("read replica asks for a final snapshot, which RDS does not take of a replica (skipFinalSnapshot: true)");
    if (i.skipFinalSnapshot !== true && !i.finalSnapshotIdentifier) return refuse("skipFinalSnapshot is false without finalSnapshotIdentifier");
  }
  if (r.type === ALB && i.enableDeletionProtection === true) return refuse("load balancer with deletion protection on: lift it in a run before the one that removes it");
  if (BUCKETS.has(r.type) && i.forceDestroy !== true) return refuse("bucket without forceDestroy: S3 refuses to delete a bucket that holds objects or versions");
  return undefined;
}
