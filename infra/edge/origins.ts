import type * as pulumi from "@pulumi/pulumi";
import type { SiteKey } from "../topology/types";

/** A site's load balancer as the edge reaches it. */
export type SiteOrigin =
  | {
      readonly site: SiteKey;
      readonly kind: "alb";
      readonly region: string;
      readonly dnsName: pulumi.Input<string>;
      /** the ALB's canonical hosted zone, for alias records */
      readonly zoneId: pulumi.Input<string>;
      /** the listener has a certificate (covering edge.domain): health checks and origins use HTTPS */
      readonly https: boolean;
    }
  | {
      readonly site: SiteKey;
      readonly kind: "ip";
      readonly region: string;
      /** the DigitalOcean load balancer's public IPv4 address (HTTPS on 443, HTTP redirected) */
      readonly ip: pulumi.Input<string>;
      readonly https: true;
      /** false for a Cloudflare Origin CA certificate: Cloudflare's proxy trusts it, its monitors do not */
      readonly publiclyTrusted: boolean;
    };

/** Tags of the edge's AWS resources: no role or mode, which change with failovers (C3). */
export function edgeTags(project: string, environment: string, site?: SiteKey): Record<string, string> {
  return { project, environment, tier: "edge", ...(site ? { site } : {}) };
}
