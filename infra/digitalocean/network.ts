import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import type { SiteTopology, Topology } from "../topology/types";
import { apiTag, siteName } from "./tags";

export interface DoNetworkArgs {
  readonly topology: Topology;
  readonly site: SiteTopology;
}

/**
 * A DigitalOcean site's network: a VPC with the site CIDR (a /18 at most, so a droplet's private
 * IPv4 offset is its NODE_ID: config validation checks it) and the API droplets' tag.
 */
export class DoNetwork extends pulumi.ComponentResource {
  public readonly vpcId: pulumi.Output<string>;
  /** droplets carrying this tag are behind the load balancer and the firewalls */
  public readonly apiTag: pulumi.Output<string>;

  constructor(name: string, args: DoNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:digitalocean:Network", name, {}, opts);
    const { topology, site } = args;
    if (site.cloud !== "digitalocean") throw new Error(`DoNetwork ${name}: site ${site.key} is on ${site.cloud}, not digitalocean`);
    const child = { parent: this };
    const tag = new digitalocean.Tag(`${name}-api`, { name: apiTag(topology, site) }, child);
    const vpc = new digitalocean.Vpc(name, {
      name: siteName(topology, site),
      region: site.region,
      ipRange: site.cidr,
      description: `${topology.project} ${topology.environment} ${site.key} site`,
    }, child);
    this.vpcId = vpc.id;
    this.apiTag = tag.name;
    this.registerOutputs({ vpcId: this.vpcId, apiTag: this.apiTag });
  }
}
