import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { SiteTopology, Topology } from "../topology/types";
import { siteTags } from "./tags";

/** What SitePeering needs of each site's network. */
export interface PeeredNetwork {
  readonly site: SiteTopology;
  readonly vpcId: pulumi.Input<string>;
  /** the app and data route tables: both directions of a MySQL flow need a route */
  readonly privateRouteTableIds: pulumi.Input<string>[];
}

export interface SitePeeringArgs {
  readonly topology: Topology;
  readonly requester: PeeredNetwork;
  readonly accepter: PeeredNetwork;
}

/**
 * Cross-region VPC peering between the two AWS sites (Topology.peering), so the standby's apps
 * reach the writer's MySQL in the other region. Requested from the requester's region and
 * accepted in the accepter's (cross-region requests cannot be auto-accepted by the requester).
 * Routes cover only the private tiers; the security groups and NACLs of each site admit MySQL
 * alone over it. Public subnets have no route to the peer.
 */
export class SitePeering extends pulumi.ComponentResource {
  public readonly peeringConnectionId: pulumi.Output<string>;

  constructor(name: string, args: SitePeeringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:aws:SitePeering", name, {}, opts);
    const { topology, requester, accepter } = args;
    const p = topology.peering;
    if (!p || p.requester !== requester.site.key || p.accepter !== accepter.site.key) {
      throw new Error(`SitePeering ${name}: the Topology peers ${p ? `${p.requester} → ${p.accepter}` : "nothing"}, not ${requester.site.key} → ${accepter.site.key}`);
    }
    for (const n of [requester, accepter]) {
      if (n.site.cloud !== "aws") throw new Error(`SitePeering ${name}: site ${n.site.key} is on ${n.site.cloud}, not aws`);
    }
    const child = { parent: this };
    const tags = (s: SiteTopology) => ({ ...siteTags(topology, s, "network"), Name: `${name} ${requester.site.key}-${accepter.site.key}` });

    const connection = new aws.ec2.VpcPeeringConnection(name, {
      region: requester.site.region,
      vpcId: requester.vpcId,
      peerVpcId: accepter.vpcId,
      peerRegion: accepter.site.region,
      autoAccept: false,
      tags: tags(requester.site),
    }, child);
    const accepted = new aws.ec2.VpcPeeringConnectionAccepter(`${name}-accept`, {
      region: accepter.site.region,
      vpcPeeringConnectionId: connection.id,
      autoAccept: true,
      tags: tags(accepter.site),
    }, child);

    const routes = (from: PeeredNetwork, to: PeeredNetwork) =>
      from.privateRouteTableIds.forEach((routeTableId, i) =>
        new aws.ec2.Route(`${from.site.key}-${name}-${i}`, {
          region: from.site.region,
          routeTableId,
          destinationCidrBlock: to.site.cidr,
          vpcPeeringConnectionId: accepted.vpcPeeringConnectionId,
        }, child));
    routes(requester, accepter);
    routes(accepter, requester);

    this.peeringConnectionId = accepted.vpcPeeringConnectionId;
    this.registerOutputs({ peeringConnectionId: this.peeringConnectionId });
  }
}
