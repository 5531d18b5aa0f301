import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import type { SiteTopology, Topology } from "../topology/types";
import { LIVENESS_PATH } from "../topology/health";

export interface DoNetworkArgs {
  readonly topology: Topology;
  readonly site: SiteTopology;
  /** the DigitalOcean provider configured from `digitalocean:token` */
  readonly provider: pulumi.ProviderResource;
}

/** Ports DigitalOcean managed databases listen on inside the VPC. */
export const DO_MANAGED_MYSQL_PORT = 25060;
export const DO_MANAGED_REDIS_PORT = 25061;

/**
 * A DigitalOcean site's network: a VPC with the site CIDR, the regional load balancer, and a
 * cloud firewall on the API droplets (by tag) that admits only that load balancer, on the app
 * port. No SSH: droplets are managed by their cloud-init and replaced, not logged into.
 */
export class DoNetwork extends pulumi.ComponentResource {
  public readonly vpcId: pulumi.Output<string>;
  public readonly loadBalancerId: pulumi.Output<string>;
  public readonly loadBalancerIp: pulumi.Output<string>;
  public readonly firewallId: pulumi.Output<string>;
  /** droplets carrying this tag are behind the load balancer and the firewall */
  public readonly apiDropletTag: string;

  constructor(name: string, args: DoNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:digitalocean:Network", name, {}, opts);
    const { topology, site } = args;
    if (site.cloud !== "digitalocean") throw new Error(`DoNetwork ${name}: site ${site.key} is on ${site.cloud}, not digitalocean`);
    const child = { parent: this, provider: args.provider };
    const port = topology.app.port;
    const resourceName = `${topology.project}-${topology.environment}-${site.key}`;
    this.apiDropletTag = `${resourceName}-api`;

    const tag = new digitalocean.Tag(`${name}-api`, { name: this.apiDropletTag }, child);

    const vpc = new digitalocean.Vpc(name, {
      name: resourceName,
      region: site.region,
      ipRange: site.cidr,
      description: `${topology.project} ${topology.environment} ${site.key} site`,
    }, child);

    const lb = new digitalocean.LoadBalancer(`${name}-lb`, {
      name: `${resourceName}-lb`,
      region: site.region,
      vpcUuid: vpc.id,
      dropletTag: tag.name,
      forwardingRules: [{ entryPort: 80, entryProtocol: "http", targetPort: port, targetProtocol: "http" }],
      healthcheck: {
        protocol: "http",
        port,
        // liveness: the load balancer skips dead droplets; the edge routes on site readiness
        path: LIVENESS_PATH,
        checkIntervalSeconds: 10,
        responseTimeoutSeconds: 5,
        healthyThreshold: 3,
        unhealthyThreshold: 3,
      },
      httpIdleTimeoutSeconds: 60,
      enableBackendKeepalive: true,
    }, child);

    const firewall = new digitalocean.Firewall(`${name}-api`, {
      name: `${resourceName}-api`,
      tags: [tag.name],
      inboundRules: [{ protocol: "tcp", portRange: String(port), sourceLoadBalancerUids: [lb.id] }],
      outboundRules: [
        { protocol: "tcp", portRange: "443", destinationAddresses: ["0.0.0.0/0", "::/0"] },
        { protocol: "udp", portRange: "53", destinationAddresses: ["0.0.0.0/0", "::/0"] },
        { protocol: "tcp", portRange: String(DO_MANAGED_MYSQL_PORT), destinationAddresses: [site.cidr] },
        { protocol: "tcp", portRange: String(DO_MANAGED_REDIS_PORT), destinationAddresses: [site.cidr] },
      ],
    }, child);

    this.vpcId = vpc.id;
    this.loadBalancerId = lb.id;
    this.loadBalancerIp = lb.ip;
    this.firewallId = firewall.id;
    this.registerOutputs({ vpcId: this.vpcId, loadBalancerId: this.loadBalancerId, loadBalancerIp: this.loadBalancerIp, firewallId: this.firewallId });
  }
}
