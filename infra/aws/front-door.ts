import type * as pulumi from "@pulumi/pulumi";
import { cloudfrontOriginName, type FrontDoor } from "../edge/route53";
import type { Topology } from "../topology/types";
import type { ApiOriginArgs } from "./cdn";
import { ApiCdn } from "./cdn-api";
import { OriginSecret } from "./origin-secret";
import { apiResponseHeadersPolicy } from "./response-headers";
import { EdgeWaf } from "./waf";

// The stack-wide parts of CloudFront in front of the API (edge.front cloudfront): the secret
// origin header (the load balancers check it), the WAF (edge.waf) and the response headers policy,
// shared by the API distribution at edge.domain and the static distribution's /api/* behaviour.

export interface CloudFrontFront {
  readonly originSecret: OriginSecret;
  readonly webAclArn?: pulumi.Output<string>;
  readonly responseHeadersPolicyId: pulumi.Output<string>;
  /** how both distributions reach the API: the routing policy's name, HTTPS, with the header */
  readonly api: ApiOriginArgs & { readonly protocol: "https" };
  /** the records answering at the origin name, once door() built the API distribution */
  originRecords: readonly pulumi.Resource[];
  /** the API distribution, built once the records answering at `origin.name` exist */
  door(origin: { readonly name: string; readonly records: readonly pulumi.Resource[] }, logBucketDomainName?: pulumi.Input<string>): FrontDoor;
}

export function cloudFrontFront(topology: Topology, opts: pulumi.ComponentResourceOptions): CloudFrontFront | undefined {
  if (topology.edge.front !== "cloudfront") return undefined;
  const certificateArn = topology.cdn.certificateArn;
  if (certificateArn === undefined) throw new Error("CloudFront in front of the API needs cdn.certificateArn (config validation should have refused it)");
  const originSecret = new OriginSecret("origin-secret", { topology }, opts);
  const waf = topology.edge.waf ? new EdgeWaf("edge-waf", { topology }, opts) : undefined;
  const headers = apiResponseHeadersPolicy("api-headers", topology, { parent: opts.parent });
  const api = { domainName: cloudfrontOriginName(topology), protocol: "https" as const, originSecret: originSecret.sent };
  return {
    originSecret,
    webAclArn: waf?.webAclArn,
    responseHeadersPolicyId: headers.id,
    api,
    originRecords: [],
    door(origin, logBucketDomainName) {
      if (origin.name !== api.domainName) throw new Error(`CloudFront would call ${api.domainName}, but the records answer at ${origin.name}`);
      this.originRecords = origin.records;
      const cdn = new ApiCdn("cdn-api", { topology, api, certificateArn, webAclArn: waf?.webAclArn, responseHeadersPolicyId: headers.id, logBucketDomainName, originRecords: origin.records }, opts);
      return { dnsName: cdn.domainName, zoneId: cdn.hostedZoneId, resource: cdn.distribution };
    },
  };
}
