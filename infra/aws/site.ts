import * as pulumi from "@pulumi/pulumi";
import type { SiteTopology, Topology } from "../topology/types";
import { Network } from "./network";
import { SecurityChain } from "./security";

export interface AwsSiteArgs {
  readonly topology: Topology;
  readonly site: SiteTopology;
  /** the writer site, already constructed, when this site is not the writer (replication source) */
  readonly writer?: AwsSite;
}

/**
 * Everything one AWS site runs, composed from the Topology: the network, the security-group chain
 * and the tiers its role and the DR mode call for. Tiers never decide capacity themselves.
 */
export class AwsSite extends pulumi.ComponentResource {
  public readonly network: Network;
  public readonly security: SecurityChain;

  constructor(name: string, args: AwsSiteArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:aws:Site", name, {}, opts);
    const { topology, site } = args;
    if (site.cloud !== "aws") throw new Error(`AwsSite ${name}: site ${site.key} is on ${site.cloud}, not aws`);
    if (args.writer === undefined && site.key !== topology.writerSite) {
      throw new Error(`AwsSite ${name}: site ${site.key} is not the writer (${topology.writerSite}); pass the writer site`);
    }
    const child = { parent: this };

    this.network = new Network(`${name}-net`, { topology, site }, child);
    this.security = new SecurityChain(`${name}-sg`, { topology, site, vpcId: this.network.vpcId }, child);

    this.registerOutputs({
      vpcId: this.network.vpcId,
      appSecurityGroupId: this.security.appSecurityGroupId,
    });
  }
}
