import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { SiteTopology, Topology } from "../topology/types";
import { privateBucket } from "./private-bucket";
import { siteTags } from "./tags";

// One AWS site's share of the static files: a private, versioned S3 bucket that CloudFront reads
// through an origin access control. The primary's bucket is the one files are published to; the
// other site's bucket is its S3 replica (StaticReplication) and the CDN's failover origin (Cdn).
// The home site also keeps the CDN's standard-log bucket. Built the same in every DR mode and
// state, so neither a mode switch nor a failover changes a bucket.

export interface StaticSiteArgs {
  readonly topology: Topology;
  readonly site: SiteTopology;
  /** the site holding the CDN's log bucket (the primary) */
  readonly logs: boolean;
}

export class StaticSite extends pulumi.ComponentResource {
  public readonly bucket: aws.s3.Bucket;
  public readonly bucketName: pulumi.Output<string>;
  public readonly bucketArn: pulumi.Output<string>;
  public readonly bucketRegionalDomainName: pulumi.Output<string>;
  public readonly region: string;
  /** what a bucket policy or a replication configuration must wait for */
  public readonly ready: pulumi.Resource[];
  public readonly logBucket?: aws.s3.Bucket;

  constructor(name: string, args: StaticSiteArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:aws:StaticSite", name, {}, opts);
    const { topology, site } = args;
    if (site.cloud !== "aws") throw new Error(`StaticSite ${name}: site ${site.key} is on ${site.cloud}, not aws`);
    const prod = topology.environment === "prod";
    this.region = site.region;

    const content = privateBucket(`${name}-static`, { region: site.region, tags: siteTags(topology, site, "cdn"), parent: this, versioning: true, noncurrentExpireDays: 30, forceDestroy: !prod });
    if (args.logs) {
      // CloudFront standard logs are written with ACLs: the log bucket keeps ACLs enabled (owner preferred)
      this.logBucket = privateBucket(`${name}-cdn-logs`, {
        region: site.region,
        tags: siteTags(topology, site, "logs"),
        parent: this,
        versioning: false,
        expireDays: topology.logRetentionDays,
        objectOwnership: "BucketOwnerPreferred",
        forceDestroy: !prod,
      }).bucket;
    }

    this.bucket = content.bucket;
    this.bucketName = content.bucket.bucket;
    this.bucketArn = content.bucket.arn;
    this.bucketRegionalDomainName = content.bucket.bucketRegionalDomainName;
    this.ready = [...content.ready, ...(content.versioning ? [content.versioning] : [])];
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn, logBucket: this.logBucket?.bucket });
  }
}

/** Only this distribution (through its OAC) may read objects; nothing over plain HTTP. */
export function staticBucketPolicy(bucketArn: string, distributionArn: string): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "CloudFrontReadsThroughOac",
        Effect: "Allow",
        Principal: { Service: "cloudfront.amazonaws.com" },
        Action: "s3:GetObject",
        Resource: `${bucketArn}/*`,
        Condition: { StringEquals: { "AWS:SourceArn": distributionArn } },
      },
      { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucketArn, `${bucketArn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } },
    ],
  };
}
