import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

// A private S3 bucket the tiers share the shape of (static content, CDN and ALB access logs,
// app artifacts): public access blocked on all four switches, default SSE-S3 encryption,
// optional versioning and lifecycle expiry. SSE-S3 rather than KMS: ALB access logs support only
// SSE-S3, and CloudFront OAC reads SSE-S3 objects without a key policy.

export interface PrivateBucketOptions {
  readonly region: string;
  readonly tags: Record<string, string>;
  readonly parent: pulumi.Resource;
  readonly versioning: boolean;
  /** expire current objects after this many days (log buckets) */
  readonly expireDays?: number;
  /** expire noncurrent versions after this many days (versioned buckets) */
  readonly noncurrentExpireDays?: number;
  /** BucketOwnerPreferred only where a log writer needs ACLs (CloudFront standard logs) */
  readonly objectOwnership?: "BucketOwnerEnforced" | "BucketOwnerPreferred";
  readonly forceDestroy?: boolean;
}

export interface PrivateBucket {
  readonly bucket: aws.s3.Bucket;
  /** the settings that must exist before a bucket policy is attached */
  readonly ready: pulumi.Resource[];
  /** versioning, which S3 replication needs on both sides before its configuration is accepted */
  readonly versioning?: aws.s3.BucketVersioning;
}

export function privateBucket(name: string, o: PrivateBucketOptions): PrivateBucket {
  const child = { parent: o.parent };
  const region = o.region;
  const bucket = new aws.s3.Bucket(name, { region, forceDestroy: o.forceDestroy ?? false, tags: o.tags }, child);
  const block = new aws.s3.BucketPublicAccessBlock(name, {
    region,
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  }, child);
  const ownership = new aws.s3.BucketOwnershipControls(name, {
    region,
    bucket: bucket.id,
    rule: { objectOwnership: o.objectOwnership ?? "BucketOwnerEnforced" },
  }, child);
  new aws.s3.BucketServerSideEncryptionConfiguration(name, {
    region,
    bucket: bucket.id,
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }],
  }, child);
  const versioning = o.versioning
    ? new aws.s3.BucketVersioning(name, { region, bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, child)
    : undefined;
  const rules: aws.types.input.s3.BucketLifecycleConfigurationRule[] = [];
  if (o.expireDays !== undefined) rules.push({ id: "expire-objects", status: "Enabled", filter: {}, expiration: { days: o.expireDays } });
  if (o.noncurrentExpireDays !== undefined) rules.push({ id: "expire-noncurrent-versions", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: o.noncurrentExpireDays } });
  if (rules.length > 0) {
    rules.push({ id: "abort-incomplete-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } });
    new aws.s3.BucketLifecycleConfiguration(name, { region, bucket: bucket.id, rules }, child);
  }
  return { bucket, ready: [block, ownership], versioning };
}
