import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import type { SiteTopology, Topology } from "../topology/types";
import { siteName } from "./tags";

export interface DoStaticSiteArgs {
  readonly topology: Topology;
  readonly site: SiteTopology;
}

/**
 * The site's static files: a Spaces bucket read anonymously (public-read: the CDN endpoint
 * fetches it without credentials; the release bucket stays private) behind a DigitalOcean CDN
 * endpoint. A custom domain needs a DigitalOcean-managed certificate: not configured yet.
 */
export class DoStaticSite extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  public readonly bucketUrn: pulumi.Output<string>;
  public readonly cdnEndpoint: pulumi.Output<string>;

  constructor(name: string, args: DoStaticSiteArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:digitalocean:StaticSite", name, {}, opts);
    const { topology, site } = args;
    const child = { parent: this };
    const bucket = new digitalocean.SpacesBucket(name, {
      name: `${siteName(topology, site)}-static`,
      region: site.region,
      acl: "public-read",
      forceDestroy: site.protection.forceDestroyBuckets,
    }, child);
    const cdn = new digitalocean.Cdn(name, { origin: bucket.bucketDomainName, ttl: 3600 }, child);
    this.bucketName = bucket.name;
    this.bucketUrn = bucket.bucketUrn;
    this.cdnEndpoint = cdn.endpoint;
    this.registerOutputs({ bucketName: this.bucketName, cdnEndpoint: this.cdnEndpoint });
  }
}
