import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { SiteTopology, Topology } from "../topology/types";
import { REDIS_PORT } from "./nacl-rules";
import { siteTags } from "./tags";

export interface CacheArgs {
  readonly topology: Topology;
  readonly site: SiteTopology;
  readonly dataSubnetIds: pulumi.Input<string>[];
  readonly cacheSecurityGroupId: pulumi.Input<string>;
}

/**
 * ElastiCache Redis 7 replication group: cache, sessions and the fan-out stream. Eviction is
 * volatile-lru, so only keys with a TTL (cache entries) can be evicted, never the stream.
 */
export class Cache extends pulumi.ComponentResource {
  public readonly primaryEndpoint: pulumi.Output<string>;
  public readonly readerEndpoint: pulumi.Output<string>;
  public readonly port: number = REDIS_PORT;
  public readonly authSecretArn: pulumi.Output<string>;
  public readonly replicationGroupId: pulumi.Output<string>;

  constructor(name: string, args: CacheArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:aws:Cache", name, {}, opts);
    const { topology, site } = args;
    const c = site.cache;
    if (!c.enabled) throw new Error(`Cache ${name}: the Topology has no cache in site ${site.key}`);
    if (c.replicas > 0 && args.dataSubnetIds.length < 2) throw new Error(`Cache ${name}: automatic failover needs subnets in 2 AZs (config validation should have refused sites.${site.key}.azCount)`);
    const region = site.region;
    const tags = siteTags(topology, site, "cache");
    const child = { parent: this };

    const token = new random.RandomPassword(`${name}-auth`, { length: 48, special: false }, child);
    const secret = new aws.secretsmanager.Secret(`${name}-auth`, { region, description: "Redis AUTH token for the API", recoveryWindowInDays: 7, tags }, child);
    new aws.secretsmanager.SecretVersion(`${name}-auth`, { region, secretId: secret.id, secretString: token.result }, child);

    const params = new aws.elasticache.ParameterGroup(`${name}-params`, {
      region,
      family: "redis7",
      description: "volatile-lru: only keys with a TTL are evicted, never the stream",
      parameters: [{ name: "maxmemory-policy", value: "volatile-lru" }],
      tags,
    }, child);
    const subnets = new aws.elasticache.SubnetGroup(`${name}-subnets`, { region, subnetIds: args.dataSubnetIds, tags }, child);

    const failover = c.replicas > 0;
    const group = new aws.elasticache.ReplicationGroup(name, {
      region,
      description: `resilient-feed ${topology.environment} ${site.key} cache and queue`,
      engine: "redis",
      engineVersion: "7.1",
      nodeType: c.nodeType,
      port: REDIS_PORT,
      numCacheClusters: 1 + c.replicas,
      automaticFailoverEnabled: failover,
      multiAzEnabled: failover,
      atRestEncryptionEnabled: true,
      transitEncryptionEnabled: true,
      authToken: token.result,
      parameterGroupName: params.name,
      subnetGroupName: subnets.name,
      securityGroupIds: [args.cacheSecurityGroupId],
      snapshotRetentionLimit: c.snapshotRetentionDays,
      snapshotWindow: c.snapshotRetentionDays > 0 ? "16:00-17:00" : undefined,
      // prod keeps a last snapshot when the group is deleted
      finalSnapshotIdentifier: topology.environment === "prod" ? `${topology.project}-${topology.environment}-${site.key}-cache-final` : undefined,
      maintenanceWindow: "sun:19:00-sun:20:00",
      autoMinorVersionUpgrade: true,
      applyImmediately: false,
      tags,
    }, child);

    this.primaryEndpoint = group.primaryEndpointAddress;
    this.readerEndpoint = group.readerEndpointAddress;
    this.authSecretArn = secret.arn;
    this.replicationGroupId = group.id;
    this.registerOutputs({ primaryEndpoint: this.primaryEndpoint, readerEndpoint: this.readerEndpoint, authSecretArn: this.authSecretArn });
  }
}
