import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { Topology } from "../topology/types";

// The edge's share of the security headers on the API's CloudFront behaviours: HSTS (CloudFront
// serves HTTPS only to viewers, redirecting HTTP), nosniff, no framing, no referrer. The app sets
// its own (Cache-Control: no-store on auth and /users/me); override keeps the edge's values.

/** One year, the usual HSTS max-age (seconds). */
export const HSTS_MAX_AGE_SECONDS = 31_536_000;

export function apiResponseHeadersPolicy(name: string, topology: Topology, opts: pulumi.CustomResourceOptions): aws.cloudfront.ResponseHeadersPolicy {
  return new aws.cloudfront.ResponseHeadersPolicy(name, {
    name: `${topology.project}-${topology.environment}-api-security`,
    comment: "security headers of the API behaviours",
    securityHeadersConfig: {
      strictTransportSecurity: { accessControlMaxAgeSec: HSTS_MAX_AGE_SECONDS, includeSubdomains: true, preload: false, override: true },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: "DENY", override: true },
      referrerPolicy: { referrerPolicy: "no-referrer", override: true },
    },
  }, opts);
}
