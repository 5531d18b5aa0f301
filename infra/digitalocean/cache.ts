import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import type { SiteTopology, Topology } from "../topology/types";
import { doTags, siteName } from "./tags";

export interface DoCacheArgs {
  readonly topology: Topology;
  readonly site: SiteTopology;
  readonly vpcId: pulumi.Input<string>;
  readonly apiTag: pulumi.Input<string>;
}

/**
 * The site's Valkey: TLS-only, in the VPC, evicting only keys with a TTL (volatile_lru: cached
 * pages and profiles expire; the fan-out stream and session revocations carry no TTL and are never
 * evicted, until memory runs out and writes fail). Valkey on DigitalOcean has no backups and no
 * replicas: a lost node loses sessions' revocation list and the unprocessed fan-out stream; the
 * worker's replay from MySQL (FANOUT_REPLAY_AFTER_MS) rebuilds feeds. A firewall admits the API tag.
 */
export class DoCache extends pulumi.ComponentResource {
  public readonly clusterId: pulumi.Output<string>;
  public readonly clusterUrn: pulumi.Output<string>;
  public readonly privateHost: pulumi.Output<string>;
  public readonly port: pulumi.Output<number>;
  public readonly user: pulumi.Output<string>;
  public readonly password: pulumi.Output<string>;

  constructor(name: string, args: DoCacheArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:digitalocean:Cache", name, {}, opts);
    const { topology, site } = args;
    const plan = topology.digitalocean;
    if (!plan) throw new Error(`DoCache ${name}: the topology has no digitalocean plan`);
    const cluster = new digitalocean.DatabaseCluster(name, {
      name: `${siteName(topology, site)}-valkey`,
      engine: "valkey",
      version: plan.cache.version,
      size: plan.cache.size,
      nodeCount: plan.cache.nodeCount,
      region: site.region,
      privateNetworkUuid: args.vpcId,
      evictionPolicy: "volatile_lru",
      maintenanceWindows: [{ day: plan.maintenance.day, hour: `${plan.maintenance.hour}:00` }],
      tags: doTags(topology, site, "cache"),
    }, { parent: this });
    new digitalocean.DatabaseFirewall(`${name}-fw`, { clusterId: cluster.id, rules: [{ type: "tag", value: args.apiTag }] }, { parent: this });
    this.clusterId = cluster.id;
    this.clusterUrn = cluster.clusterUrn;
    this.privateHost = cluster.privateHost;
    this.port = cluster.port;
    this.user = cluster.user;
    this.password = pulumi.secret(cluster.password);
    this.registerOutputs({ clusterId: this.clusterId, privateHost: this.privateHost });
  }
}
