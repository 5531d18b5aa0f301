import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Topology } from "../topology/types";
import { apiBehaviour, apiOrigin, type ApiOriginArgs, VIEWER_TLS_POLICY } from "./cdn";

// The API's front door behind CloudFront (edge.cdnFrontsApi): users call this distribution at
// edge.domain (the Route 53 entry aliases it), and it calls the load balancers by the routing
// policy's health-checked name (`failover.<domain>`, ...), so a failover or a routing change moves
// its traffic through Route 53 as before. Global, like the static distribution: nothing here is
// in a site's region, and a failover updates nothing here (the origin name follows the routing
// policy, not the active site).

export interface ApiCdnArgs {
  readonly topology: Topology;
  readonly api: ApiOriginArgs & { readonly protocol: "https" };
  /** a us-east-1 ACM certificate covering edge.domain (cdn.certificateArn) */
  readonly certificateArn: string;
  readonly webAclArn?: pulumi.Input<string>;
  readonly responseHeadersPolicyId: pulumi.Input<string>;
  /** the bucket of CloudFront's standard logs (the primary's static log bucket) */
  readonly logBucketDomainName?: pulumi.Input<string>;
  /** the records answering at the origin name: the distribution is created or re-pointed after them */
  readonly originRecords: readonly pulumi.Resource[];
}

export class ApiCdn extends pulumi.ComponentResource {
  public readonly distributionId: pulumi.Output<string>;
  public readonly domainName: pulumi.Output<string>;
  public readonly hostedZoneId: pulumi.Output<string>;
  /** the distribution itself: the Route 53 entry that aliases it depends on it */
  public readonly distribution: aws.cloudfront.Distribution;

  constructor(name: string, args: ApiCdnArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:aws:ApiCdn", name, {}, opts);
    const { topology } = args;
    if (args.api.domainName === topology.edge.domain) throw new Error(`ApiCdn ${name}: the origin must not be edge.domain itself, which aliases this distribution (a loop)`);
    const tags = { project: topology.project, environment: topology.environment, tier: "cdn" };

    this.distribution = new aws.cloudfront.Distribution(name, {
      enabled: true,
      isIpv6Enabled: true,
      httpVersion: "http2and3",
      comment: `${topology.project} ${topology.environment} API`,
      priceClass: topology.cdn.priceClass,
      aliases: [topology.edge.domain],
      origins: [apiOrigin(args.api)],
      defaultCacheBehavior: apiBehaviour(true, args.responseHeadersPolicyId),
      restrictions: { geoRestriction: { restrictionType: "none" } },
      viewerCertificate: { acmCertificateArn: args.certificateArn, sslSupportMethod: "sni-only", minimumProtocolVersion: VIEWER_TLS_POLICY },
      webAclId: args.webAclArn,
      ...(args.logBucketDomainName !== undefined ? { loggingConfig: { bucket: args.logBucketDomainName, prefix: "api-cdn/", includeCookies: false } } : {}),
      tags,
    }, { parent: this, dependsOn: [...args.originRecords] });

    this.distributionId = this.distribution.id;
    this.domainName = this.distribution.domainName;
    this.hostedZoneId = this.distribution.hostedZoneId;
    this.registerOutputs({ distributionId: this.distributionId, domainName: this.domainName, hostedZoneId: this.hostedZoneId });
  }
}
