import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Topology } from "../topology/types";
import { ORIGIN_VERIFY_HEADER } from "./origin-secret";
import { type StaticSite, staticBucketPolicy } from "./static-site";

// The stack's one CloudFront distribution (global: not per site, so a failover never creates
// one, and CloudFront never sees two distributions claiming the same alias). Static files come
// from an origin group: the primary's S3 bucket, failing over to its replica in the standby
// region; /api/* goes to the API (apiOrigin: the edge record, or behind CloudFront the routing
// policy's name with the secret origin header), never cached, all viewer headers, cookies and
// query strings forwarded; HTTP redirected to HTTPS; standard logs; the WAF when edge.waf is on.

/** AWS-managed CloudFront policies (stable, documented ids). */
export const CACHE_POLICY_CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6";
export const CACHE_POLICY_CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
export const ORIGIN_REQUEST_ALL_VIEWER = "216adef6-5c7f-47e4-b989-5492eafa07d3";
export const ORIGIN_REQUEST_ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac";
export const VIEWER_TLS_POLICY = "TLSv1.2_2021";
export const S3_ORIGIN_ID = "static-s3";
export const S3_STANDBY_ORIGIN_ID = "static-s3-standby";
export const STATIC_ORIGIN_GROUP_ID = "static";
export const API_ORIGIN_ID = "api";
export const API_PATH_PATTERN = "/api/*";
/**
 * What makes CloudFront retry a GET/HEAD on the standby bucket: an S3 region that is down answers
 * 5xx (or not at all, which fails over too); 403/404 cover a primary bucket that lost an object
 * the replica still has. CloudFront accepts 400, 403, 404, 416, 500, 502, 503, 504 here.
 */
export const ORIGIN_FAILOVER_STATUS_CODES = [403, 404, 500, 502, 503, 504];

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

/** How CloudFront reaches the API's load balancers. */
export interface ApiOriginArgs {
  /** edge.domain when users reach the ALBs directly, `<routing>.<domain>` behind CloudFront */
  readonly domainName: string;
  readonly protocol: "https" | "http";
  /** behind CloudFront: the secret origin header's value (origin-secret.ts) */
  readonly originSecret?: pulumi.Input<string>;
}

/** The API origin block, shared by the static distribution's /api/* and the API distribution. */
export function apiOrigin(api: ApiOriginArgs): aws.types.input.cloudfront.DistributionOrigin {
  return {
    originId: API_ORIGIN_ID,
    domainName: api.domainName,
    customOriginConfig: {
      httpPort: 80,
      httpsPort: 443,
      // dev without a certificate: the ALB only listens on HTTP
      originProtocolPolicy: api.protocol === "https" ? "https-only" : "http-only",
      originSslProtocols: ["TLSv1.2"],
      originReadTimeout: 30,
      originKeepaliveTimeout: 5,
    },
    ...(api.originSecret !== undefined ? { customHeaders: [{ name: ORIGIN_VERIFY_HEADER, value: api.originSecret }] } : {}),
  };
}

/** The API behaviour's settings, whatever its path: never cached, everything the viewer sent. */
export function apiBehaviour(https: boolean, responseHeadersPolicyId?: pulumi.Input<string>) {
  return {
    targetOriginId: API_ORIGIN_ID,
    viewerProtocolPolicy: "redirect-to-https",
    allowedMethods: ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
    cachedMethods: ["GET", "HEAD"],
    compress: true,
    cachePolicyId: CACHE_POLICY_CACHING_DISABLED,
    // all viewer headers, cookies and query strings; over HTTPS the Host header is left out so
    // CloudFront can verify the ALB's certificate against the origin name
    originRequestPolicyId: https ? ORIGIN_REQUEST_ALL_VIEWER_EXCEPT_HOST : ORIGIN_REQUEST_ALL_VIEWER,
    ...(responseHeadersPolicyId !== undefined ? { responseHeadersPolicyId } : {}),
  };
}

export interface CdnArgs {
  readonly topology: Topology;
  /** the primary site's static files (published there) and its log bucket */
  readonly primary: StaticSite;
  /** the standby site's replica of them: the origin group's failover member */
  readonly standby?: StaticSite;
  /** how CloudFront reaches the API: a name the ALBs' certificates cover (apiOrigin) */
  readonly api: ApiOriginArgs;
  /** edge.waf: the CloudFront web ACL (ARN) both distributions carry */
  readonly webAclArn?: pulumi.Input<string>;
  /** the security headers of the API behaviours (response-headers.ts) */
  readonly responseHeadersPolicyId?: pulumi.Input<string>;
  /** behind CloudFront: the records answering at the API origin's name (created before the distribution changes) */
  readonly apiOriginRecords?: readonly pulumi.Resource[];
  /** a us-east-1 ACM certificate for custom names; without one, *.cloudfront.net (dev) */
  readonly certificate?: { readonly arn: string; readonly aliases: string[] };
}

export class Cdn extends pulumi.ComponentResource {
  public readonly distributionId: pulumi.Output<string>;
  public readonly distributionArn: pulumi.Output<string>;
  public readonly domainName: pulumi.Output<string>;
  public readonly hostedZoneId: pulumi.Output<string>;

  constructor(name: string, args: CdnArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:aws:Cdn", name, {}, opts);
    const { topology, primary, standby } = args;
    const fail = (msg: string): never => { throw new Error(`Cdn ${name}: ${msg}`); };
    if (args.certificate && args.certificate.aliases.length === 0) fail("a viewer certificate needs at least one alias (domain name)");
    if (!primary.logBucket) fail("the primary StaticSite keeps no log bucket (construct it with logs: true)");
    if (standby && standby.region === primary.region) fail(`the standby bucket is in the primary's region ${primary.region}; the failover origin must survive a regional outage`);
    if (!args.certificate) pulumi.log.warn(`${name}: no CloudFront certificate: the distribution uses *.cloudfront.net, where CloudFront does not enforce a TLS 1.2 minimum`, this);
    const tags = { project: topology.project, environment: topology.environment, tier: "cdn" };
    // these were the primary site's (resilient-feed:aws:StaticSite "primary-cdn") before the
    // distribution became global: the aliases keep the deployed resources
    const was = (old: string) => ({ parent: this, aliases: [{ name: old, parent: primary }] });

    const oac = new aws.cloudfront.OriginAccessControl(name, {
      name: `${topology.project}-${topology.environment}-static`,
      description: "static buckets, signed requests only",
      originAccessControlOriginType: "s3",
      signingBehavior: "always",
      signingProtocol: "sigv4",
    }, was("primary-cdn"));
    const stripApi = new aws.cloudfront.Function(`${name}-strip-api`, {
      runtime: "cloudfront-js-2.0",
      comment: "maps /api/* to the API's root paths",
      publish: true,
      code: STRIP_API_PREFIX_CODE,
    }, was("primary-cdn-strip-api"));

    const https = args.api.protocol === "https";
    const s3Origin = (originId: string, site: StaticSite) => ({ originId, domainName: site.bucketRegionalDomainName, originAccessControlId: oac.id });
    const distribution = new aws.cloudfront.Distribution(name, {
      enabled: true,
      isIpv6Enabled: true,
      httpVersion: "http2and3",
      comment: `${topology.project} ${topology.environment}`,
      priceClass: topology.cdn.priceClass,
      defaultRootObject: "index.html",
      aliases: args.certificate?.aliases,
      origins: [
        s3Origin(S3_ORIGIN_ID, primary),
        ...(standby ? [s3Origin(S3_STANDBY_ORIGIN_ID, standby)] : []),
        apiOrigin(args.api),
      ],
      originGroups: standby ? [{
        originId: STATIC_ORIGIN_GROUP_ID,
        failoverCriteria: { statusCodes: ORIGIN_FAILOVER_STATUS_CODES },
        members: [{ originId: S3_ORIGIN_ID }, { originId: S3_STANDBY_ORIGIN_ID }],
      }] : undefined,
      defaultCacheBehavior: {
        targetOriginId: standby ? STATIC_ORIGIN_GROUP_ID : S3_ORIGIN_ID,
        viewerProtocolPolicy: "redirect-to-https",
        // an origin group takes only GET, HEAD (and OPTIONS): CloudFront fails over no other method
        allowedMethods: ["GET", "HEAD", "OPTIONS"],
        cachedMethods: ["GET", "HEAD"],
        compress: true,
        cachePolicyId: CACHE_POLICY_CACHING_OPTIMIZED,
      },
      orderedCacheBehaviors: [{
        pathPattern: API_PATH_PATTERN,
        ...apiBehaviour(https, args.responseHeadersPolicyId),
        functionAssociations: [{ eventType: "viewer-request", functionArn: stripApi.arn }],
      }],
      webAclId: args.webAclArn,
      restrictions: { geoRestriction: { restrictionType: "none" } },
      viewerCertificate: args.certificate
        ? { acmCertificateArn: args.certificate.arn, sslSupportMethod: "sni-only", minimumProtocolVersion: VIEWER_TLS_POLICY }
        // CloudFront requires TLSv1 with its default certificate
        : { cloudfrontDefaultCertificate: true, minimumProtocolVersion: "TLSv1" },
      loggingConfig: { bucket: primary.logBucket!.bucketDomainName, prefix: "cdn/", includeCookies: false },
      tags,
    }, { ...was("primary-cdn"), dependsOn: [primary.logBucket!, ...(args.apiOriginRecords ?? [])] });

    // each bucket admits this distribution only; the primary's policy was the primary site's
    const policy = (site: StaticSite, logical: string, options: pulumi.CustomResourceOptions) => new aws.s3.BucketPolicy(logical, {
      region: site.region,
      bucket: site.bucket.id,
      policy: pulumi.all([site.bucketArn, distribution.arn]).apply(([bucketArn, distributionArn]) => JSON.stringify(staticBucketPolicy(bucketArn, distributionArn))),
    }, { ...options, dependsOn: site.ready });
    policy(primary, `${name}-static-primary`, was("primary-cdn-static"));
    // S3 keeps one policy per bucket: a new policy resource beside the deployed one would be
    // written, then wiped when the old one is deleted, so it takes over the old one's URN
    if (standby) policy(standby, `${name}-static-standby`, { parent: this, aliases: [{ name: "secondary-cdn-static", parent: standby }] });

    this.distributionId = distribution.id;
    this.distributionArn = distribution.arn;
    this.domainName = distribution.domainName;
    this.hostedZoneId = distribution.hostedZoneId;
    this.registerOutputs({ distributionId: this.distributionId, domainName: this.domainName, hostedZoneId: this.hostedZoneId });
  }
}
