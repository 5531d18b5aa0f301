import * as pulumi from "@pulumi/pulumi";
import type { SiteTopology, Topology } from "../topology/types";
import { DoNetwork } from "./network";

export interface DoSiteArgs {
  readonly topology: Topology;
  readonly site: SiteTopology;
  readonly provider: pulumi.ProviderResource;
}

/** A DigitalOcean site. For now its network; droplets and managed MySQL/Redis come later. */
export class DoSite extends pulumi.ComponentResource {
  public readonly network: DoNetwork;

  constructor(name: string, args: DoSiteArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:digitalocean:Site", name, {}, opts);
    this.network = new DoNetwork(`${name}-net`, args, { parent: this });
    this.registerOutputs({ vpcId: this.network.vpcId, loadBalancerIp: this.network.loadBalancerIp });
  }
}
