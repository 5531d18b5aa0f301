import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import { DO_MYSQL_PORT, DO_VALKEY_PORT } from "../facts/digitalocean";
import type { SiteTopology, Topology } from "../topology/types";
import { siteName } from "./tags";

export interface DoDropletFirewallArgs {
  readonly topology: Topology;
  readonly site: SiteTopology;
  readonly apiTag: pulumi.Input<string>;
  readonly loadBalancerId: pulumi.Input<string>;
}

const ANYWHERE = ["0.0.0.0/0", "::/0"];

/** What a droplet of the site needs out at boot and to reach MySQL: DNS, NTP, HTTPS, MySQL in the VPC. */
export function bootOutboundRules(site: SiteTopology): digitalocean.types.input.FirewallOutboundRule[] {
  return [
    { protocol: "udp", portRange: "53", destinationAddresses: ANYWHERE },
    { protocol: "tcp", portRange: "53", destinationAddresses: ANYWHERE },
    { protocol: "udp", portRange: "123", destinationAddresses: ANYWHERE },
    { protocol: "tcp", portRange: "443", destinationAddresses: ANYWHERE },
    { protocol: "tcp", portRange: String(DO_MYSQL_PORT), destinationAddresses: [site.cidr] },
  ];
}

/**
 * The API droplets' cloud firewall (by tag). The droplets keep a public interface (their only
 * way out: DigitalOcean droplets have no NAT without one), so this is the guard: inbound only the
 * load balancer to the app port (no SSH: sshd is disabled at boot), outbound only what boot and
 * the app need: DNS, NTP (the time-ordered ids), HTTPS (Spaces, nodejs.org) and the managed
 * MySQL and Valkey ports inside the VPC.
 */
export class DoDropletFirewall extends pulumi.ComponentResource {
  public readonly id: pulumi.Output<string>;

  constructor(name: string, args: DoDropletFirewallArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:digitalocean:DropletFirewall", name, {}, opts);
    const { topology, site } = args;
    const fw = new digitalocean.Firewall(name, {
      name: `${siteName(topology, site)}-api`,
      tags: [args.apiTag],
      inboundRules: [{ protocol: "tcp", portRange: String(topology.app.port), sourceLoadBalancerUids: [args.loadBalancerId] }],
      outboundRules: [...bootOutboundRules(site), { protocol: "tcp", portRange: String(DO_VALKEY_PORT), destinationAddresses: [site.cidr] }],
    }, { parent: this });
    this.id = fw.id;
    this.registerOutputs({ id: this.id });
  }
}
