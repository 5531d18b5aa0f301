import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { SiteTopology, Topology } from "../topology/types";
import { DoApiPool } from "./api-pool";
import { DoCache } from "./cache";
import { DoDatabase } from "./database";
import { DoDropletFirewall } from "./droplet-firewall";
import type { DoDumpBucket } from "./dump-bucket";
import { DoLoadBalancer } from "./load-balancer";
import { DoNetwork } from "./network";
import { DoOpsRunner } from "./ops-runner";
import { DoProject } from "./project";
import { DoReleaseBucket } from "./release-bucket";
import { DoStaticSite } from "./static-site";
import { renderDoUserData } from "./user-data";

export interface DoSiteArgs {
  readonly topology: Topology;
  readonly site: SiteTopology;
  /** the DigitalOcean provider (token and Spaces keys from config) */
  readonly provider: pulumi.ProviderResource;
  /** the stack's dump bucket (in another region), which this site's ops runner writes */
  readonly dumps: DoDumpBucket;
}

/**
 * A DigitalOcean site from the Topology. Serving (writer, or fenced: left exactly as it was): the
 * VPC and project, the release and static buckets, MySQL with its read replica, Valkey, the load
 * balancer, the droplet firewall, the API pool and the ops runner (grants, dumps, a named
 * restore). A backup-restore standby holds the VPC and the project only (nothing to restore into
 * until a failover names its restore source).
 */
export class DoSite extends pulumi.ComponentResource {
  public readonly network: DoNetwork;
  public readonly loadBalancer?: DoLoadBalancer;
  /** what to pin before this site may be fenced (stack output sites.<site>.pins) */
  public readonly pins?: { readonly databaseCaCertificate: pulumi.Output<string> };

  constructor(name: string, args: DoSiteArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:digitalocean:Site", name, {}, { ...opts, providers: { digitalocean: args.provider } });
    const { topology, site } = args;
    const child = { parent: this };
    this.network = new DoNetwork(`${name}-net`, { topology, site }, child);
    const project = new DoProject(`${name}-project`, { topology, site }, child);
    if (!site.api.provisioned || site.database.role === "none") {
      this.registerOutputs({ vpcId: this.network.vpcId });
      return;
    }
    const net = { topology, site, vpcId: this.network.vpcId, apiTag: this.network.apiTag };
    const release = new DoReleaseBucket(`${name}-release`, { topology, site }, child);
    const statics = new DoStaticSite(`${name}-static`, { topology, site }, child);
    const db = new DoDatabase(`${name}-db`, net, child);
    const cache = new DoCache(`${name}-cache`, net, child);
    const lb = new DoLoadBalancer(`${name}-lb`, net, child);
    new DoDropletFirewall(`${name}-api-fw`, { topology, site, apiTag: this.network.apiTag, loadBalancerId: lb.id }, child);
    const session = new random.RandomPassword(`${name}-session`, { length: 64, special: false }, child);

    const mysqlUrl = (host: pulumi.Output<string>) => pulumi.interpolate`mysql://${db.username.apply(encodeURIComponent)}:${db.password.apply(encodeURIComponent)}@${host}:${db.port}/${db.dbName}`;
    const userData = pulumi.secret(pulumi.all([
      mysqlUrl(db.privateHost), mysqlUrl(db.replicaPrivateHost), db.caCertificate,
      pulumi.interpolate`rediss://${cache.user.apply(encodeURIComponent)}:${cache.password.apply(encodeURIComponent)}@${cache.privateHost}:${cache.port}`,
      session.result, release.bucketName, release.accessKey, release.secretKey,
    ]).apply(([dbPrimaryUrl, dbReplicaUrl, dbCaCertificate, redisUrl, sessionSecret, bucket, accessKey, secretKey]) => renderDoUserData({
      siteId: site.siteId,
      siteKey: site.key,
      port: topology.app.port,
      drainSeconds: topology.app.drainSeconds,
      vpcCidr: site.cidr,
      release: { region: site.region, bucket, serverKey: release.serverKey, workerKey: release.workerKey, serverSha256: release.serverSha256, workerSha256: release.workerSha256, accessKey, secretKey },
      dbPrimaryUrl,
      dbReplicaUrl,
      dbCaCertificate,
      redisUrl,
      sessionSecret,
    })));
    const pool = new DoApiPool(`${name}-api`, { ...net, projectId: project.id, userData }, child);
    const ops = new DoOpsRunner(`${name}-ops`, { topology, site, vpcId: this.network.vpcId, sshKeyFingerprint: pool.sshKeyFingerprint, release, dumps: args.dumps, db }, child);
    db.trustedSources(ops.dropletId);
    project.add(`${name}-project-resources`, [lb.doUrn, db.clusterUrn, cache.clusterUrn, release.bucketUrn, statics.bucketUrn, ops.dropletUrn]);
    this.pins = { databaseCaCertificate: db.caCertificate };
    this.loadBalancer = lb;
    this.registerOutputs({ vpcId: this.network.vpcId, loadBalancerIp: lb.ip, staticCdn: statics.cdnEndpoint });
  }
}
