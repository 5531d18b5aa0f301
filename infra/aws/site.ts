import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import type { SiteTopology, Topology } from "../topology/types";
import { ApiService } from "./api-service";
import { SiteBackup, automatedBackupsReplication } from "./backup";
import { AppBundle, DEFAULT_ENTRIES, buildAppBundle, type BuiltBundle } from "./app-bundle";
import { AppUserProvisioner, type AppDatabaseUserSecret } from "./app-db-user";
import { Cache } from "./cache";
import { CrossRegionReplica } from "./cross-region-replica";
import { Database, DB_NAME, MASTER_USERNAME } from "./database";
import type { DatabaseMasterSecret } from "./database-secret";
import { generationSuffix } from "../config/lineage";
import { maxConnectionsFor } from "./database-support";
import { Network } from "./network";
import { AppLogGroup, Observability } from "./observability";
import type { OriginSecret } from "./origin-secret";
import { SecurityChain } from "./security";
import type { SessionSecret } from "./session-secret";
import { StaticSite } from "./static-site";

// One AWS site composed from its tiers: network and security chain, then the database (writer or
// cross-region replica), cache, app bundle, log group, API tier, static site and observability.

export interface AwsSiteArgs {
  readonly topology: Topology;
  readonly site: SiteTopology;
  /** the writer site, already constructed, when this site is not the writer (replication source) */
  readonly writer?: AwsSite;
  /** the stack's database master credentials; required when the site holds a database */
  readonly masterSecret?: DatabaseMasterSecret;
  /** the stack's session-signing key, one for every site; required when the site runs the API */
  readonly sessionSecret?: SessionSecret;
  /** the app's own database user: the instances read only this secret, never the master's */
  readonly appUserSecret?: AppDatabaseUserSecret;
  /** the app bundle to deploy; built from app/src (esbuild) when absent */
  readonly bundle?: BuiltBundle;
  /** behind CloudFront: the secret origin header the load balancer checks */
  readonly originSecret?: OriginSecret;
}

/** Keeps a resource in the cloud when the program drops it (Pulumi's retainOnDelete), for every child of a component. */
const retainOnDelete: pulumi.ResourceTransformation = (a) => ({ props: a.props, opts: pulumi.mergeOptions(a.opts, { retainOnDelete: true }) });

/** The stack has a CDN when its primary site is on AWS (its bucket is where files are published). */
export function hasCdn(topology: Topology): boolean {
  return topology.sites.some((s) => s.key === "primary" && s.cloud === "aws");
}

/** The app bundle from app/src, or undefined (with a warning) while the app sources are absent. */
function defaultBundle(name: string): BuiltBundle | undefined {
  const missing = Object.values(DEFAULT_ENTRIES).filter((f) => !fs.existsSync(f));
  if (missing.length === 0) return buildAppBundle(DEFAULT_ENTRIES);
  pulumi.log.warn(`AwsSite ${name}: ${missing.join(", ")} not found: the API tier (load balancer, instances, CDN) is left out until the app exists`);
  return undefined;
}

/**
 * Everything one AWS site runs, composed from the Topology: the network, the security-group chain
 * and the tiers its role and the DR mode call for. Tiers never decide capacity themselves.
 *
 * A fenced site (the old writer after a failover) is built exactly as it was when it wrote, so a
 * failover changes nothing in the failed region (static stability).
 */
export class AwsSite extends pulumi.ComponentResource {
  public readonly network: Network;
  public readonly security: SecurityChain;
  public readonly database?: Database | CrossRegionReplica;
  public readonly cache?: Cache;
  public readonly api?: ApiService;
  /** this site's static-file bucket (the primary's is published to, the other's replicates it) */
  public readonly staticSite?: StaticSite;
  public readonly observability?: Observability;
  public readonly backup?: SiteBackup;
  /** the release this site runs: what dr.fencedRelease pins when the site is fenced */
  public readonly release?: { readonly server: string; readonly worker: string; readonly hash: string };
  /** this site's database instance: the replication source when this site writes */
  public readonly databaseArn?: pulumi.Output<string>;
  /** the writer's address as this site's apps use it (its own, or the writer site's) */
  public readonly databaseAddress?: pulumi.Output<string>;
  /** the master credentials secret as this site's apps read it (in this site's region) */
  public readonly databaseSecretArn?: pulumi.Output<string>;

  constructor(name: string, args: AwsSiteArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:aws:Site", name, {}, opts);
    const { topology, site } = args;
    if (site.cloud !== "aws") throw new Error(`AwsSite ${name}: site ${site.key} is on ${site.cloud}, not aws`);
    // an AWS writer is this site's replication and backup-copy source; a DigitalOcean writer
    // (backup-restore only) is neither: its dumps go to Spaces, and a failover restores a snapshot
    const writerOnAws = topology.sites.some((s) => s.key === topology.writerSite && s.cloud === "aws");
    if (args.writer === undefined && site.key !== topology.writerSite && writerOnAws) {
      throw new Error(`AwsSite ${name}: site ${site.key} is not the writer (${topology.writerSite}); pass the writer site`);
    }
    const child = { parent: this };

    this.network = new Network(`${name}-net`, { topology, site }, child);
    this.security = new SecurityChain(`${name}-sg`, { topology, site, vpcId: this.network.vpcId }, child);

    // --- database -----------------------------------------------------------------------
    const master = args.masterSecret;
    if (site.database.role !== "none" && !master) throw new Error(`AwsSite ${name}: site ${site.key} holds a database (${site.database.role}); pass the stack's masterSecret`);
    const data = {
      topology, site, dataSubnetIds: this.network.dataSubnetIds, databaseSecurityGroupId: this.security.databaseSecurityGroupId,
      // every site reads the credentials in its own region, so a failover needs no other region
      credentials: { password: master?.password ?? "", secretArn: master?.arnIn(site.region) ?? "" },
    };
    // An instance seeded as a cross-region replica stays that resource for life: promoting it
    // (writer, or fenced after the next switch) drops replicateSourceDb from the same resource.
    // A new generation (dr.databaseGeneration) is a new resource name, so re-seeding adds it.
    const dbName = `${name}-db${generationSuffix(site.database.generation)}`;
    // the fenced old writer is never deleted by the program: re-seeding drops it from the stack and
    // leaves the instance (and its unreplicated last writes) for the operator to reconcile
    const dbOpts = site.database.role === "fenced" ? { ...child, transformations: [retainOnDelete] } : child;
    let readHosts: pulumi.Output<string>[] = [];
    let primaryHost: pulumi.Output<string> | undefined;
    let dbIdentifiers: { writer?: pulumi.Output<string>; replicas: pulumi.Output<string>[] } | undefined;
    if (site.database.role !== "none" && site.database.origin === "seeded") {
      const source = args.writer?.databaseArn;
      if (site.database.role === "replica" && !source) throw new Error(`AwsSite ${name}: site ${site.key} replicates the writer's database, but the writer site has none`);
      const replica = new CrossRegionReplica(dbName, { ...data, sourceArn: source ?? "" }, dbOpts);
      this.database = replica;
      if (replica.promoted) {
        primaryHost = replica.address;
        readHosts = replica.replicaAddresses;
        this.databaseSecretArn = replica.secretArn;
        dbIdentifiers = { writer: replica.identifier, replicas: replica.replicaIdentifiers };
      } else {
        primaryHost = args.writer?.databaseAddress;
        readHosts = [replica.address];
        this.databaseSecretArn = replica.secretArn;
        dbIdentifiers = { replicas: [replica.identifier] };
      }
    } else if (site.database.role === "writer" || site.database.role === "fenced") {
      const db = new Database(dbName, data, dbOpts);
      this.database = db;
      primaryHost = db.address;
      readHosts = db.replicaAddresses;
      this.databaseSecretArn = db.secretArn;
      dbIdentifiers = { writer: db.identifier, replicas: db.replicaIdentifiers };
    }
    this.databaseArn = this.database?.arn;
    this.databaseAddress = this.database && primaryHost;

    // --- the app's database user, created on this site's own writer ---------------------------
    const app = args.appUserSecret;
    if (site.database.role !== "none" && !app) throw new Error(`AwsSite ${name}: site ${site.key} holds a database; pass the stack's appUserSecret`);
    const ownWriter = site.database.role === "writer" || site.database.role === "fenced";
    if (ownWriter && this.database && primaryHost && master && app) {
      new AppUserProvisioner(`${name}-db-app-user`, {
        topology, site,
        subnetIds: this.network.appSubnetIds,
        securityGroupId: this.security.provisionerSecurityGroupId,
        writer: { address: primaryHost, port: 3306, database: DB_NAME, resource: this.database },
        master: { username: MASTER_USERNAME, password: master.password },
        app,
      }, child);
    }

    // --- cache --------------------------------------------------------------------------
    if (site.cache.enabled) {
      this.cache = new Cache(`${name}-cache`, { topology, site, dataSubnetIds: this.network.dataSubnetIds, cacheSecurityGroupId: this.security.cacheSecurityGroupId }, child);
    }

    // --- API, CDN, observability ----------------------------------------------------------
    // the old writer keeps its serving shape (schedules, CDN) while fenced
    const servingShape = site.servesTraffic || site.database.role === "fenced";
    const bundle = site.api.provisioned ? args.bundle ?? defaultBundle(name) : undefined;
    const appSecretArn = app?.arnIn(site.region);
    if (site.api.provisioned && bundle && primaryHost && appSecretArn) {
      const release = new AppBundle(`${name}-app`, { topology, site, build: bundle }, child);
      this.release = { server: release.serverSha256, worker: release.workerSha256, hash: release.hash };
      const logs = new AppLogGroup(`${name}-app-logs`, { topology, site }, child);
      if (!args.sessionSecret) throw new Error(`AwsSite ${name}: site ${site.key} runs the API; pass the stack's sessionSecret`);
      this.api = new ApiService(`${name}-api`, {
        topology,
        site,
        vpcId: this.network.vpcId,
        publicSubnetIds: this.network.publicSubnetIds,
        appSubnetIds: this.network.appSubnetIds,
        loadBalancerSecurityGroupId: this.security.loadBalancerSecurityGroupId,
        loadBalancerSecurityGroupIds: this.security.loadBalancerSecurityGroupIds,
        originSecrets: args.originSecret?.accepted,
        appSecurityGroupId: this.security.appSecurityGroupId,
        bundle: {
          bucketName: release.bucketName,
          bucketArn: release.bucketArn,
          serverKey: release.serverKey,
          workerKey: release.workerKey,
          serverSha256: release.serverSha256,
          workerSha256: release.workerSha256,
        },
        endpoints: {
          dbPrimaryHost: primaryHost,
          dbReplicaHosts: readHosts,
          dbName: DB_NAME,
          // the app's own user (its secret in this region), never the master credentials
          dbSecretArn: appSecretArn,
          redis: this.cache ? { host: this.cache.primaryEndpoint, port: this.cache.port, authSecretArn: this.cache.authSecretArn } : undefined,
          sessionSecretArn: args.sessionSecret.arnIn(site.region),
        },
        logGroupName: logs.name,
        logGroupArn: logs.arn,
        schedules: servingShape ? topology.app.schedules : [],
      }, child);
    }
    // static files in every mode and state (the same bucket whatever the site's role): the CDN
    // itself is global (Cdn, built by the program once both sites exist)
    if (hasCdn(topology)) this.staticSite = new StaticSite(`${name}-cdn`, { topology, site, logs: site.key === "primary" }, child);
    if (this.api || this.database) {
      this.observability = new Observability(`${name}-obs`, {
        topology,
        site,
        api: this.api && {
          loadBalancerArnSuffix: this.api.loadBalancerArnSuffix,
          targetGroupArnSuffix: this.api.targetGroupArnSuffix,
          autoScalingGroupName: this.api.autoScalingGroupName,
        },
        database: dbIdentifiers && { writerIdentifier: dbIdentifiers.writer, replicaIdentifiers: dbIdentifiers.replicas, maxConnections: maxConnectionsFor(site.database.instanceClass) },
        cache: this.cache && { replicationGroupId: this.cache.replicationGroupId },
      }, child);
    }

    // --- backups: a vault in every AWS site of a stack with a database; a plan on the writer
    // (and on the fenced old writer, left exactly as it was) copying to the other site's vault
    if (master) {
      const other = topology.sites.find((s) => s.key !== site.key && s.cloud === "aws");
      const writes = site.database.role === "writer" || site.database.role === "fenced";
      this.backup = new SiteBackup(`${name}-backup`, {
        topology, site, copyTo: other, alarmTopicArn: this.observability?.topicArn,
        database: writes && this.database ? { arn: this.database.arn } : undefined,
      }, child);
      // backup-restore keeps no replica here: point-in-time restore needs the writer's automated backups
      const fromWriter = topology.replication.some((l) => l.kind === "backup-cross-region-copy" && l.to === site.key);
      if (fromWriter && args.writer?.databaseArn) {
        automatedBackupsReplication(`${name}-automated-backups`, this, { site, sourceDbInstanceArn: args.writer.databaseArn, kmsKeyArn: this.backup.kmsKeyArn });
      }
    }

    this.registerOutputs({
      vpcId: this.network.vpcId,
      appSecurityGroupId: this.security.appSecurityGroupId,
      databaseArn: this.databaseArn,
      databaseAddress: this.databaseAddress,
      cacheEndpoint: this.cache?.primaryEndpoint,
      loadBalancerDnsName: this.api?.loadBalancerDnsName,
      staticBucketName: this.staticSite?.bucketName,
    });
  }
}
