import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { asArray, asRecord, isTrue, label, nonEmptyString, refersTo, requireProdStack } from "./common";
import { roleOf } from "./site-role";
import { AWS } from "./types";

// Data at rest and in transit: ElastiCache, S3, CloudFront, KMS.

export const awsElasticacheEncryption: ResourceValidationPolicy = {
  name: "aws-elasticache-encryption",
  description: "ElastiCache replication groups encrypt at rest and in transit and require AUTH.",
  enforcementLevel: "mandatory",
  severity: "high",
  tags: ["security", "data"],
  validateResource: (args, reportViolation) => {
    if (args.type !== AWS.replicationGroup) return;
    const p = args.props;
    if (!isTrue(p.atRestEncryptionEnabled)) {
      reportViolation(`${label(args)} does not encrypt at rest (atRestEncryptionEnabled is not true). Set atRestEncryptionEnabled: true (optionally kmsKeyId); changing it replaces the group.`);
    }
    if (!isTrue(p.transitEncryptionEnabled)) {
      reportViolation(`${label(args)} accepts plaintext connections (transitEncryptionEnabled is not true). Set transitEncryptionEnabled: true and connect with TLS (ioredis \`tls: {}\`).`);
    }
    if (!nonEmptyString(p.authToken) && asArray(p.userGroupIds).length === 0 && !nonEmptyString(p.authTokenWo)) {
      reportViolation(`${label(args)} requires no authentication (no authToken and no userGroupIds). Set authToken from a random secret (or RBAC userGroupIds) and give it to the API through Secrets Manager.`);
    }
  },
};

export const awsElasticacheFailover: StackValidationPolicy = {
  name: "aws-elasticache-automatic-failover",
  description: "Prod ElastiCache replication groups fail over automatically to a replica in another AZ (the standby site's cache, single-node by the DR matrix, excepted).",
  enforcementLevel: "mandatory",
  severity: "high",
  tags: ["reliability", "prod"],
  validateStack: (args, reportViolation) => {
    requireProdStack(args, "aws-elasticache-automatic-failover");
    const groups = args.resources.filter((r) => r.type === AWS.replicationGroup);
    if (groups.length === 0) args.notApplicable("no ElastiCache replication groups in the stack");
    // the role comes from the Deployment, never from a tag that a failover would rewrite
    const checked = groups.filter((g) => roleOf(args.resources, g) !== "standby");
    if (checked.length === 0) args.notApplicable(`every replication group (${groups.map((g) => `"${g.name}"`).join(", ")}) belongs to a standby site, which the DR matrix runs single-node until failover scales it up`);
    for (const g of checked) {
      if (!isTrue(g.props.automaticFailoverEnabled)) {
        reportViolation(
          `${label(g)} has no automatic failover: losing the primary node loses the cache and the post fan-out queue until someone intervenes. ` +
          `Set automaticFailoverEnabled: true and multiAzEnabled: true with at least one replica (numCacheClusters >= 2; config resilient-feed:cache.replicas >= 1).`,
          g.urn,
        );
      }
    }
  },
};

export const awsS3PublicAccessBlock: ResourceValidationPolicy = {
  name: "aws-s3-public-access-block",
  description: "S3 public access blocks turn on all four settings.",
  enforcementLevel: "mandatory",
  severity: "critical",
  tags: ["security", "data"],
  validateResource: (args, reportViolation) => {
    if (args.type !== AWS.publicAccessBlock) return;
    const off = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].filter((k) => !isTrue(args.props[k]));
    if (off.length > 0) {
      reportViolation(`${label(args)} leaves ${off.join(", ")} off, so the bucket can still be made public. Set all four (blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets) to true; CloudFront reads through origin access control.`);
    }
  },
};

const BUCKET_TYPES: readonly string[] = [AWS.bucket, AWS.bucketV2];
const ENCRYPTION_TYPES: readonly string[] = [AWS.bucketEncryption, AWS.bucketEncryptionV2];

export const awsS3BucketProtected: StackValidationPolicy = {
  name: "aws-s3-bucket-protected",
  description: "Every S3 bucket has a public access block and a default server-side encryption configuration.",
  enforcementLevel: "mandatory",
  severity: "high",
  tags: ["security", "data"],
  validateStack: (args, reportViolation) => {
    const buckets = args.resources.filter((r) => BUCKET_TYPES.includes(r.type));
    if (buckets.length === 0) args.notApplicable("no S3 buckets in the stack");
    const blocks = args.resources.filter((r) => r.type === AWS.publicAccessBlock);
    const encryptions = args.resources.filter((r) => ENCRYPTION_TYPES.includes(r.type));
    const keys = ["id", "bucket"];
    for (const b of buckets) {
      if (!blocks.some((x) => refersTo(x, "bucket", b, keys))) {
        reportViolation(`${label(b)} has no aws.s3.BucketPublicAccessBlock. Add one with bucket: ${b.name}.id and all four settings true.`, b.urn);
      }
      const inline = asRecord(b.props.serverSideEncryptionConfiguration).rule !== undefined;
      if (!inline && !encryptions.some((x) => refersTo(x, "bucket", b, keys))) {
        reportViolation(
          `${label(b)} has no default encryption configuration. Add aws.s3.BucketServerSideEncryptionConfiguration with bucket: ${b.name}.id and ` +
          `rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" (or "AES256") } }].`,
          b.urn,
        );
      }
    }
  },
};

const MODERN_TLS = /^TLSv1\.[23]/;

export const awsCloudfrontTls: ResourceValidationPolicy = {
  name: "aws-cloudfront-viewer-tls",
  description: "CloudFront distributions serve viewers HTTPS only, with TLS 1.2 or newer.",
  enforcementLevel: "mandatory",
  severity: "high",
  tags: ["security", "edge"],
  validateResource: (args, reportViolation) => {
    if (args.type !== AWS.distribution) return;
    const cert = asRecord(args.props.viewerCertificate);
    if (isTrue(cert.cloudfrontDefaultCertificate)) {
      reportViolation(
        `${label(args)} uses the default *.cloudfront.net certificate, on which CloudFront accepts TLS 1.0 whatever minimumProtocolVersion says. ` +
        `Set viewerCertificate: { acmCertificateArn: <us-east-1 ACM cert>, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" } with aliases.`,
      );
    } else if (typeof cert.minimumProtocolVersion !== "string" || !MODERN_TLS.test(cert.minimumProtocolVersion)) {
      reportViolation(`${label(args)} allows viewer TLS below 1.2 (minimumProtocolVersion is ${JSON.stringify(cert.minimumProtocolVersion ?? null)}). Set viewerCertificate.minimumProtocolVersion: "TLSv1.2_2021".`);
    }
    const behaviors: Array<[string, Record<string, unknown>]> = [["defaultCacheBehavior", asRecord(args.props.defaultCacheBehavior)]];
    asArray(args.props.orderedCacheBehaviors).forEach((b, i) => behaviors.push([`orderedCacheBehaviors[${i}] (${String(asRecord(b).pathPattern ?? "")})`, asRecord(b)]));
    for (const [where, b] of behaviors) {
      if (b.viewerProtocolPolicy !== "redirect-to-https" && b.viewerProtocolPolicy !== "https-only") {
        reportViolation(`${label(args)} ${where} serves plain HTTP to viewers (viewerProtocolPolicy is ${JSON.stringify(b.viewerProtocolPolicy ?? null)}). Set viewerProtocolPolicy: "redirect-to-https" (or "https-only").`);
      }
    }
  },
};

export const awsKmsKeyRotation: ResourceValidationPolicy = {
  name: "aws-kms-key-rotation",
  description: "Symmetric customer KMS keys rotate automatically.",
  enforcementLevel: "mandatory",
  severity: "medium",
  tags: ["security", "data"],
  validateResource: (args, reportViolation) => {
    if (args.type !== AWS.kmsKey) return;
    const spec = args.props.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT";
    const usage = args.props.keyUsage ?? "ENCRYPT_DECRYPT";
    if (spec !== "SYMMETRIC_DEFAULT" || usage !== "ENCRYPT_DECRYPT") {
      args.notApplicable(`${label(args)} is a ${String(spec)}/${String(usage)} key; AWS rotates only symmetric encryption keys`);
    }
    if (!isTrue(args.props.enableKeyRotation)) {
      reportViolation(`${label(args)} does not rotate its key material (enableKeyRotation is not true). Set enableKeyRotation: true (rotationPeriodInDays defaults to 365).`);
    }
  },
};

export const storageRules = [awsElasticacheEncryption, awsElasticacheFailover, awsS3PublicAccessBlock, awsS3BucketProtected, awsCloudfrontTls, awsKmsKeyRotation];
