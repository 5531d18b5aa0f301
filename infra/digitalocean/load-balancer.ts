import * as cloudflare from "@pulumi/cloudflare";
import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import { LIVENESS_PATH } from "../topology/health";
import type { SiteTopology, Topology } from "../topology/types";
import { siteName } from "./tags";

export interface DoLoadBalancerArgs {
  readonly topology: Topology;
  readonly site: SiteTopology;
  readonly vpcId: pulumi.Input<string>;
  readonly apiTag: pulumi.Input<string>;
}

/**
 * The site's regional load balancer: HTTPS on 443 with the certificate named in config (uploaded
 * beforehand, digitalocean.certificate), HTTP on 80 redirected to HTTPS, droplets joined by the
 * API tag, a liveness check on /healthz (a dead droplet leaves; the edge routes on /readyz), and
 * a firewall admitting Cloudflare's IPv4 ranges only: the edge is the one way in.
 *
 * DigitalOcean load balancers have no deregistration delay. What replaces it: the app drains on
 * SIGTERM (api.drainSeconds, refused beyond the pool's shutdown window) and fails its checks
 * while draining, so the load balancer stops sending it new requests.
 */
export class DoLoadBalancer extends pulumi.ComponentResource {
  public readonly id: pulumi.Output<string>;
  public readonly ip: pulumi.Output<string>;
  /** the load balancer's DigitalOcean URN (do:loadbalancer:...), for the project */
  public readonly doUrn: pulumi.Output<string>;

  constructor(name: string, args: DoLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:digitalocean:LoadBalancer", name, {}, opts);
    const { topology, site } = args;
    const plan = topology.digitalocean;
    if (!plan) throw new Error(`DoLoadBalancer ${name}: the topology has no digitalocean plan`);
    const port = topology.app.port;
    // Cloudflare's published ranges (a public endpoint: the default provider, cloudflare:apiToken)
    const ranges = cloudflare.getIpRangesOutput({}, { parent: this });

    const lb = new digitalocean.LoadBalancer(name, {
      name: `${siteName(topology, site)}-lb`,
      region: site.region,
      vpcUuid: args.vpcId,
      dropletTag: args.apiTag,
      forwardingRules: [
        { entryPort: 443, entryProtocol: "https", targetPort: port, targetProtocol: "http", certificateName: plan.certificate.name },
        // kept for the redirect: DigitalOcean redirects only traffic a rule on port 80 receives
        { entryPort: 80, entryProtocol: "http", targetPort: port, targetProtocol: "http" },
      ],
      redirectHttpToHttps: true,
      healthcheck: {
        protocol: "http",
        port,
        path: LIVENESS_PATH,
        checkIntervalSeconds: 10,
        responseTimeoutSeconds: 5,
        healthyThreshold: 3,
        unhealthyThreshold: 3,
      },
      httpIdleTimeoutSeconds: 60,
      enableBackendKeepalive: true,
      firewall: { allows: ranges.ipv4Cidrs.apply((cidrs) => cidrs.map((c) => `cidr:${c}`)) },
    }, { parent: this });

    this.id = lb.id;
    this.ip = lb.ip;
    this.doUrn = lb.loadBalancerUrn;
    this.registerOutputs({ id: this.id, ip: this.ip });
  }
}
