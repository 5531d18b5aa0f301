import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import type { SiteTopology, Topology } from "../topology/types";
import { doTags, siteName } from "./tags";

export interface DoApiPoolArgs {
  readonly topology: Topology;
  readonly site: SiteTopology;
  readonly vpcId: pulumi.Input<string>;
  readonly projectId: pulumi.Input<string>;
  /** the site's API tag: the load balancer and the firewalls find the droplets by it */
  readonly apiTag: pulumi.Input<string>;
  /** cloud-init, already wrapped in pulumi.secret */
  readonly userData: pulumi.Output<string>;
}

/**
 * The API droplets: a Droplet Autoscale pool on CPU, sized by the site's capacity (minimum ≥ 1,
 * validated), from the x86-64 image and plan in config. The SSH key (public half from config)
 * only keeps DigitalOcean from e-mailing root passwords: user data disables sshd and the firewall
 * admits no SSH. The droplet agent stays on for the pool's metrics.
 */
export class DoApiPool extends pulumi.ComponentResource {
  public readonly id: pulumi.Output<string>;
  /** the registered SSH key (the ops runner's droplet takes it too: DigitalOcean refuses a key twice) */
  public readonly sshKeyFingerprint: pulumi.Output<string>;

  constructor(name: string, args: DoApiPoolArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:digitalocean:ApiPool", name, {}, opts);
    const { topology, site } = args;
    const plan = topology.digitalocean;
    if (!plan) throw new Error(`DoApiPool ${name}: the topology has no digitalocean plan`);
    if (site.api.min < 1) throw new Error(`DoApiPool ${name}: a pool keeps at least one droplet (config validation should have refused min ${site.api.min})`);
    const child = { parent: this };
    const key = new digitalocean.SshKey(`${name}-ssh`, { name: `${siteName(topology, site)}-api`, publicKey: plan.sshPublicKey }, child);
    const pool = new digitalocean.DropletAutoscale(name, {
      name: `${siteName(topology, site)}-api`,
      config: {
        minInstances: site.api.min,
        maxInstances: site.api.max,
        targetCpuUtilization: plan.targetCpuUtilization,
        cooldownMinutes: plan.cooldownMinutes,
      },
      dropletTemplate: {
        image: plan.image,
        region: site.region,
        size: plan.dropletSize,
        vpcUuid: args.vpcId,
        projectId: args.projectId,
        tags: [args.apiTag, ...doTags(topology, site, "api")],
        sshKeys: [key.fingerprint],
        userData: args.userData,
        withDropletAgent: true,
        ipv6: false,
      },
    }, child);
    this.id = pool.id;
    this.sshKeyFingerprint = key.fingerprint;
    this.registerOutputs({ id: this.id });
  }
}
