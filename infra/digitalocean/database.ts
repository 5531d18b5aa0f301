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
 * backup-restore failover creates it from the named cluster's backup, or empty for the ops
 * runner to load the named dump into), the app's database and user, a read-only replica for
 * reads, the backup hour and the maintenance window, and one firewall per cluster and replica
 * admitting the API tag (never an address); the writer's also admits the ops runner's droplet
 * by id (trustedSources), which runs the app-user grants as doadmin (DatabaseUser has no
 * privilege inputs).
 *
 * The cluster CA comes from getDatabaseCa in the site's region, or from the pin
 * (sites.<site>.databaseCaCertificate), required while the site is fenced: a failover run makes
 * no call into a fenced site's region.
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
  /** doadmin: for the ops runner only (grants, restores, dumps), never the API droplets */
  public readonly adminUser: pulumi.Output<string>;
  public readonly adminPassword: pulumi.Output<string>;
  public readonly dbName = DB_NAME;
  private readonly cluster: digitalocean.DatabaseCluster;
  private readonly apiTag: pulumi.Input<string>;
  private readonly replica?: digitalocean.DatabaseReplica;

  constructor(private readonly clusterName: string, args: DoDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:digitalocean:Database", clusterName, {}, opts);
    const name = clusterName;
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
      this.replica = replica;
      replicaHost = replica.privateHost;
    }

    this.clusterId = cluster.id;
    this.clusterUrn = cluster.clusterUrn;
    this.privateHost = cluster.privateHost;
    this.port = cluster.port;
    this.replicaPrivateHost = replicaHost;
    this.username = user.name;
    this.password = pulumi.secret(user.password);
    this.caCertificate = site.databaseCaPin !== undefined ? pulumi.output(site.databaseCaPin) : digitalocean.getDatabaseCaOutput({ clusterId: cluster.id }, { parent: this }).certificate;
    this.adminUser = cluster.user;
    this.adminPassword = pulumi.secret(cluster.password);
    this.cluster = cluster;
    this.apiTag = args.apiTag;
    this.registerOutputs({ clusterId: this.clusterId, privateHost: this.privateHost, replicaPrivateHost: this.replicaPrivateHost });
  }

  /**
   * The firewalls (trusted sources), once the ops runner exists: the writer's admits the API tag
   * and the runner's droplet by id (the one other client; a tag would admit whatever else carries
   * it); the replica's, keyed by the replica's uuid (not its cluster's id), the API tag only.
   */
  trustedSources(opsDropletId: pulumi.Input<string>): void {
    const child = { parent: this };
    new digitalocean.DatabaseFirewall(`${this.clusterName}-fw`, { clusterId: this.cluster.id, rules: [{ type: "tag", value: this.apiTag }, { type: "droplet", value: opsDropletId }] }, child);
    if (this.replica) new digitalocean.DatabaseFirewall(`${this.clusterName}-read-fw`, { clusterId: this.replica.uuid, rules: [{ type: "tag", value: this.apiTag }] }, child);
  }
}
