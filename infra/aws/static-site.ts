import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { SiteTopology, Topology } from "../topology/types";
import { privateBucket } from "./static-site-bucket";
import { siteTags } from "./tags";

// Static files and the CDN of a serving site: a private S3 bucket read only by CloudFront through
// an origin access control, the site's ALB as a second origin for /api/* (never cached, all
// viewer headers, cookies and query strings forwarded), HTTP redirected to HTTPS, standard
// logging to a log bucket, and the price class from config.

/** AWS-managed CloudFront policies (stable, documented ids). */
export const CACHE_POLICY_CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6";
export const CACHE_POLICY_CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
export const ORIGIN_REQUEST_ALL_VIEWER = "216adef6-5c7f-47e4-b989-5492eafa07d3";
export const ORIGIN_REQUEST_ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac";
export const VIEWER_TLS_POLICY = "TLSv1.2_2021";
export const S3_ORIGIN_ID = "static-s3";
export const ALB_ORIGIN_ID = "api-alb";
export const API_PATH_PATTERN = "/api/*";

/**
 * CloudFront Function (viewer request) on the /api/* behaviour: the app's routes have no /api
 * prefix (the ALB serves them at the root), so /api/feed?limit=20 reaches the origin as
 * /feed?limit=20 (the query string is a separate field and passes through).
 */
export const STRIP_API_PREFIX_CODE = [
  "function handler(event) {",
  "  var request = event.request;",
  "  request.uri = request.uri.replace(/^\\/api(?=\\/|$)/, '') || '/';",
  "  return request;",
  "}",
].join("\n");

export interface StaticSiteArgs {
  readonly topology: Topology;
  readonly site: SiteTopology;
  readonly alb: {
    readonly dnsName: pulumi.Input<string>;
    /** how the ALB listens: "https" when it has a certificate */
    readonly protocol: "https" | "http";
  };
  /**
   * A viewer certificate for custom domain names. CloudFront takes ACM certificates from
   * us-east-1 only; without one the distribution serves its *.cloudfront.net name.
   */
  readonly certificate?: { readonly arn: pulumi.Input<string>; readonly aliases: string[] };
}

export class StaticSite extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  public readonly bucketArn: pulumi.Output<string>;
  public readonly distributionId: pulumi.Output<string>;
  public readonly distributionArn: pulumi.Output<string>;
  public readonly domainName: pulumi.Output<string>;
  public readonly hostedZoneId: pulumi.Output<string>;
  public readonly logBucketName: pulumi.Output<string>;

  constructor(name: string, args: StaticSiteArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:aws:StaticSite", name, {}, opts);
    const { topology, site } = args;
    const fail = (msg: string): never => { throw new Error(`StaticSite ${name}: ${msg}`); };
    if (site.cloud !== "aws") fail(`site ${site.key} is on ${site.cloud}, not aws`);
    if (args.certificate && args.certificate.aliases.length === 0) fail("a viewer certificate needs at least one alias (domain name)");
    const region = site.region;
    const prod = topology.environment === "prod";
    const tags = siteTags(topology, site, "cdn");
    const child = { parent: this };

    const content = privateBucket(`${name}-static`, { region, tags, parent: this, versioning: true, noncurrentExpireDays: 30, forceDestroy: !prod });
    // CloudFront standard logs are written with ACLs: the log bucket keeps ACLs enabled (owner preferred)
    const logs = privateBucket(`${name}-cdn-logs`, {
      region,
      tags: siteTags(topology, site, "logs"),
      parent: this,
      versioning: false,
      expireDays: topology.logRetentionDays,
      objectOwnership: "BucketOwnerPreferred",
      forceDestroy: !prod,
    });

    const oac = new aws.cloudfront.OriginAccessControl(`${name}`, {
      name: `${topology.project}-${topology.environment}-${site.key}-static`,
      description: `${site.key} static bucket, signed requests only`,
      originAccessControlOriginType: "s3",
      signingBehavior: "always",
      signingProtocol: "sigv4",
    }, child);

    const https = args.alb.protocol === "https";
    if (!args.certificate) {
      pulumi.log.warn(`${name}: no CloudFront certificate: the distribution uses *.cloudfront.net, where CloudFront does not enforce a TLS 1.2 minimum`, this);
    }
    const stripApi = new aws.cloudfront.Function(`${name}-strip-api`, {
      runtime: "cloudfront-js-2.0",
      comment: "maps /api/* to the API's root paths",
      publish: true,
      code: STRIP_API_PREFIX_CODE,
    }, { parent: this });
    const distribution = new aws.cloudfront.Distribution(`${name}`, {
      enabled: true,
      isIpv6Enabled: true,
      httpVersion: "http2and3",
      comment: `${topology.project} ${topology.environment} ${site.key}`,
      priceClass: topology.cdn.priceClass,
      defaultRootObject: "index.html",
      aliases: args.certificate?.aliases,
      origins: [
        { originId: S3_ORIGIN_ID, domainName: content.bucket.bucketRegionalDomainName, originAccessControlId: oac.id },
        {
          originId: ALB_ORIGIN_ID,
          domainName: args.alb.dnsName,
          customOriginConfig: {
            httpPort: 80,
            httpsPort: 443,
            // dev without a certificate: the ALB only listens on HTTP
            originProtocolPolicy: https ? "https-only" : "http-only",
            originSslProtocols: ["TLSv1.2"],
            originReadTimeout: 30,
            originKeepaliveTimeout: 5,
          },
        },
      ],
      defaultCacheBehavior: {
        targetOriginId: S3_ORIGIN_ID,
        viewerProtocolPolicy: "redirect-to-https",
        allowedMethods: ["GET", "HEAD", "OPTIONS"],
        cachedMethods: ["GET", "HEAD"],
        compress: true,
        cachePolicyId: CACHE_POLICY_CACHING_OPTIMIZED,
      },
      orderedCacheBehaviors: [{
        pathPattern: API_PATH_PATTERN,
        targetOriginId: ALB_ORIGIN_ID,
        viewerProtocolPolicy: "redirect-to-https",
        allowedMethods: ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
        cachedMethods: ["GET", "HEAD"],
        compress: true,
        cachePolicyId: CACHE_POLICY_CACHING_DISABLED,
        functionAssociations: [{ eventType: "viewer-request", functionArn: stripApi.arn }],
        // all viewer headers, cookies and query strings; over HTTPS the Host header is left out so
        // CloudFront can verify the ALB's certificate against the origin name
        originRequestPolicyId: https ? ORIGIN_REQUEST_ALL_VIEWER_EXCEPT_HOST : ORIGIN_REQUEST_ALL_VIEWER,
      }],
      restrictions: { geoRestriction: { restrictionType: "none" } },
      viewerCertificate: args.certificate
        ? { acmCertificateArn: args.certificate.arn, sslSupportMethod: "sni-only", minimumProtocolVersion: VIEWER_TLS_POLICY }
        // CloudFront requires TLSv1 with its default certificate
        : { cloudfrontDefaultCertificate: true, minimumProtocolVersion: "TLSv1" },
      loggingConfig: { bucket: logs.bucket.bucketDomainName, prefix: "cdn/", includeCookies: false },
      tags,
    }, { parent: this, dependsOn: logs.ready });

    new aws.s3.BucketPolicy(`${name}-static`, {
      region,
      bucket: content.bucket.id,
      policy: pulumi.all([content.bucket.arn, distribution.arn]).apply(([bucketArn, distributionArn]) => JSON.stringify(staticBucketPolicy(bucketArn, distributionArn))),
    }, { parent: this, dependsOn: content.ready });

    this.bucketName = content.bucket.bucket;
    this.bucketArn = content.bucket.arn;
    this.distributionId = distribution.id;
    this.distributionArn = distribution.arn;
    this.domainName = distribution.domainName;
    this.hostedZoneId = distribution.hostedZoneId;
    this.logBucketName = logs.bucket.bucket;
    this.registerOutputs({
      bucketName: this.bucketName,
      distributionId: this.distributionId,
      domainName: this.domainName,
      hostedZoneId: this.hostedZoneId,
    });
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
