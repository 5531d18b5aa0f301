import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import { APP_DB_USERNAME } from "../aws/app-db-user-sql";
import { DB_NAME } from "../aws/database";
import type { SiteTopology, Topology } from "../topology/types";
import { doTags, siteName } from "./tags";

export interface DoDatabaseArgs {
  readonly topology: Topology;
  readonly site: SiteTopology;
  readonly vpcId: pulumi.Input<string>;
  readonly apiTag: pulumi.Input<string>;
}

/** `HH:00` as DigitalOcean's maintenance window takes it (HH:MM:SS). */
const windowHour = (hour: string) => `${hour}:00`;

/**
 * The site's managed MySQL: a cluster in the VPC (size, node count and version from config; a
 * backup-restore failover creates it from the named cluster's backup, never empty), the app's
 * database and user, a read-only replica for reads, the backup hour and the maintenance window,
 * and one firewall per cluster and replica admitting the API tag only (never an address).
 *
 * Not here (README, "DigitalOcean"): DatabaseUser has no privilege inputs, so the app user keeps
 * DigitalOcean's default grants until the app-user SQL (infra/aws/app-db-user-sql.ts) is run as
 * doadmin by a runner the firewall admits.
 */
export class DoDatabase extends pulumi.ComponentResource {
  public readonly clusterId: pulumi.Output<string>;
  public readonly clusterUrn: pulumi.Output<string>;
  public readonly privateHost: pulumi.Output<string>;
  public readonly port: pulumi.Output<number>;
  public readonly replicaPrivateHost: pulumi.Output<string>;
  public readonly username: pulumi.Output<string>;
  public readonly password: pulumi.Output<string>;
  public readonly caCertificate: pulumi.Output<string>;
  public readonly dbName = DB_NAME;

  constructor(name: string, args: DoDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:digitalocean:Database", name, {}, opts);
    const { topology, site } = args;
    const plan = topology.digitalocean;
    if (!plan) throw new Error(`DoDatabase ${name}: the topology has no digitalocean plan`);
    const child = { parent: this };
    const restore = site.database.restoreFromBackup;
    const maintenance = [{ day: plan.maintenance.day, hour: windowHour(plan.maintenance.hour) }];

    const cluster = new digitalocean.DatabaseCluster(name, {
      name: `${siteName(topology, site)}-mysql`,
      engine: "mysql",
      version: plan.database.version,
      size: plan.database.size,
      nodeCount: plan.database.nodeCount,
      region: site.region,
      privateNetworkUuid: args.vpcId,
      maintenanceWindows: maintenance,
      tags: doTags(topology, site, "database"),
      ...(restore ? { backupRestore: { databaseName: restore.databaseName, ...(restore.backupCreatedAt ? { backupCreatedAt: restore.backupCreatedAt } : {}) } } : {}),
    }, { parent: this, protect: site.protection.deletion });
    new digitalocean.DatabaseMysqlConfig(`${name}-config`, { clusterId: cluster.id, backupHour: plan.database.backupHour, backupMinute: 0 }, child);
    new digitalocean.DatabaseDb(`${name}-db`, { clusterId: cluster.id, name: DB_NAME }, child);
    const user = new digitalocean.DatabaseUser(`${name}-app`, { clusterId: cluster.id, name: APP_DB_USERNAME, mysqlAuthPlugin: "caching_sha2_password" }, child);
    new digitalocean.DatabaseFirewall(`${name}-fw`, { clusterId: cluster.id, rules: [{ type: "tag", value: args.apiTag }] }, child);

    let replicaHost: pulumi.Output<string> = cluster.privateHost;
    if (plan.database.readReplica) {
      const replica = new digitalocean.DatabaseReplica(`${name}-read`, {
        clusterId: cluster.id,
        name: `${siteName(topology, site)}-mysql-read`,
        region: site.region,
        size: plan.database.size,
        privateNetworkUuid: args.vpcId,
        tags: doTags(topology, site, "database"),
      }, child);
      // a replica's firewall is keyed by the replica's uuid, not its cluster's id
      new digitalocean.DatabaseFirewall(`${name}-read-fw`, { clusterId: replica.uuid, rules: [{ type: "tag", value: args.apiTag }] }, child);
      replicaHost = replica.privateHost;
    }

    this.clusterId = cluster.id;
    this.clusterUrn = cluster.clusterUrn;
    this.privateHost = cluster.privateHost;
    this.port = cluster.port;
    this.replicaPrivateHost = replicaHost;
    this.username = user.name;
    this.password = pulumi.secret(user.password);
    this.caCertificate = digitalocean.getDatabaseCaOutput({ clusterId: cluster.id }, { parent: this }).certificate;
    this.registerOutputs({ clusterId: this.clusterId, privateHost: this.privateHost, replicaPrivateHost: this.replicaPrivateHost });
  }
}
