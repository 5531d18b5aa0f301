// The Topology is pure data: every realization (AWS, DigitalOcean, edge, local site, offline
// plan) reads it and never re-derives capacity, roles or replication on its own.

import type { Cloud, DrMode, Environment, SiteKey } from "../facts/vocabulary";
import type { ObjectiveTerm } from "./objectives";

// The vocabulary is the leaf infra/facts/vocabulary.ts (config reads it too); re-exported here
// because the realizations speak of it together with the Topology.
export type { Cloud, DrMode, Environment, SiteKey };
export type DnsProvider = "route53" | "cloudflare";
export type NatMode = "per-az" | "single";

/** active: serves traffic; standby: kept ready (or empty) for failover. */
export type SiteRole = "active" | "standby";

/**
 * What the site's database is:
 * - writer: the primary instance that takes all writes
 * - replica: a cross-region read replica of the writer (promotable)
 * - fenced: the old writer after a failover; left untouched (static stability), no traffic,
 *   to be re-seeded as a replica of the new writer (dr.databaseGeneration) before failing back
 * - none: no database in this site (backup-restore standby)
 */
export type DatabaseRole = "writer" | "replica" | "fenced" | "none";

export type SubnetTier = "public" | "private-app" | "private-data";
export const SUBNET_TIERS: readonly SubnetTier[] = ["public", "private-app", "private-data"];

export interface SubnetPlan {
  /** tier → one CIDR per AZ index (0..azCount-1) */
  readonly public: readonly string[];
  readonly "private-app": readonly string[];
  readonly "private-data": readonly string[];
  /** blocks of the site CIDR deliberately left free for growth */
  readonly reserved: readonly string[];
}

export interface ApiCapacity {
  /** load balancer + launch template exist (pilot-light standby: yes, at 0 instances) */
  readonly provisioned: boolean;
  readonly min: number;
  readonly max: number;
  readonly desired: number;
  readonly instanceType: string;
  readonly arch: "arm64" | "x86_64";
}

export interface DatabaseCapacity {
  readonly role: DatabaseRole;
  readonly instanceClass: string;
  readonly multiAz: boolean;
  /** in-region read replicas of this site's database */
  readonly readReplicas: number;
  readonly allocatedStorageGb: number;
  readonly maxAllocatedStorageGb: number;
  readonly backupRetentionDays: number;
  readonly deletionProtection: boolean;
  /** created from this recovery point (RDS snapshot ARN in the site's region): backup-restore failed over */
  readonly restoreFromSnapshot?: string;
  /** created from this DigitalOcean cluster's backup (a digitalocean site, backup-restore failed over) */
  readonly restoreFromBackup?: { readonly databaseName: string; readonly backupCreatedAt?: string };
  /** created empty, then loaded from this dump object by the site's ops runner (a digitalocean site, backup-restore failed over) */
  readonly restoreFromDump?: { readonly key: string };
  /** which instance this is (dr.databaseGeneration): a re-seeded site's new instance has a new one */
  readonly generation: number;
  /**
   * how the instance came to be: created empty (the primary's first), seeded as a cross-region
   * replica of the other site's (promoted in place when it writes), or restored from a recovery
   * point (backup-restore failed over)
   */
  readonly origin: "created" | "seeded" | "restored";
}

/** The database engine every site runs (replicas run their source's version). */
export interface DatabaseEngine {
  readonly engine: "mysql";
  /** as configured: a major ("8.4") or an exact version ("8.4.5") */
  readonly version: string;
  readonly major: string;
  /** parameter-group family of the major version, e.g. mysql8.4 */
  readonly family: string;
  /**
   * RDS behaviour past the end of standard support: prod keeps Extended Support (billed) rather
   * than have RDS upgrade a replicated writer's major version on its own schedule; dev disables
   * it (RDS upgrades instead of billing). The policy pack fails versions past standard support.
   */
  readonly lifecycleSupport: "open-source-rds-extended-support" | "open-source-rds-extended-support-disabled";
}

export interface CacheCapacity {
  readonly enabled: boolean;
  readonly nodeType: string;
  /** replicas per shard; 0 means a single node (no automatic failover) */
  readonly replicas: number;
  readonly snapshotRetentionDays: number;
}

export interface SiteTopology {
  readonly key: SiteKey;
  readonly cloud: Cloud;
  readonly region: string;
  readonly cidr: string;
  readonly azCount: number;
  readonly role: SiteRole;
  /** receives user traffic from the edge */
  readonly servesTraffic: boolean;
  /** numeric site id used in time-ordered ids (Snowflake-like): 1 primary, 2 secondary */
  readonly siteId: number;
  readonly natGateways: NatMode;
  /** ACM certificate for this site's load balancer (regional); none means plain HTTP (dev) */
  readonly certificateArn?: string;
  /** the names certificateArn covers (validated to include edge.domain) */
  readonly certificateDomains?: readonly string[];
  readonly subnets: SubnetPlan;
  readonly api: ApiCapacity;
  readonly database: DatabaseCapacity;
  readonly cache: CacheCapacity;
  /** the release a fenced site keeps (dr.fencedRelease): SHA-256 of its server and worker files */
  readonly releasePin?: { readonly server: string; readonly worker: string };
  /** a backup vault receiving cross-region copies lives here */
  readonly backupVault: boolean;
  /** sites.<site>.amiId / availabilityZones: used instead of a lookup in the site's region */
  readonly pins?: SitePins;
  readonly protection: SiteProtection;
  /** sites.<site>.databaseCaCertificate (digitalocean): the MySQL CA, instead of getDatabaseCa in the site's region */
  readonly databaseCaPin?: string;
}

/**
 * What stands between this site's resources and their deletion. The provider reads these from
 * state when it deletes, so they are lifted (dr.releaseProtection) in a run before the one that
 * removes the resources.
 */
export interface SiteProtection {
  /** RDS deletionProtection and the load balancer's enableDeletionProtection (prod, unless released) */
  readonly deletion: boolean;
  /** the API tier's buckets (ALB logs, app artifacts) are deleted with their objects and old versions (dev, or released) */
  readonly forceDestroyBuckets: boolean;
  /** dr.releaseProtection names this site: the stage before a mode switch removes its resources */
  readonly released: boolean;
}

/** What an AWS site would otherwise look up in its region each run (config/pin-rules.ts). */
export interface SitePins {
  readonly amiId?: string;
  readonly availabilityZones?: readonly string[];
  /** AWS-managed prefix list ids the load balancer admits behind CloudFront */
  readonly prefixLists?: { readonly cloudfront?: string; readonly route53HealthChecks?: string };
}

export type ReplicationKind =
  | "rds-cross-region-replica"
  | "backup-cross-region-copy"
  | "s3-cross-region-replication";

export interface ReplicationLink {
  readonly kind: ReplicationKind;
  readonly from: SiteKey;
  readonly to: SiteKey;
  readonly synchronous: false;
}

export interface RecoveryObjectives {
  /** human text: the total and its terms */
  readonly rto: string;
  readonly rpo: string;
  /** derived upper bounds in seconds, for drills to compare against */
  readonly rtoSeconds: number;
  readonly rpoSeconds: number;
  /** the named terms the totals are the sum of, each with its assumption (objectives.ts) */
  readonly breakdown: { readonly rto: readonly ObjectiveTerm[]; readonly rpo: readonly ObjectiveTerm[] };
}

export interface GeoRule {
  /** ISO continent code (AS, EU, NA, ...) or ISO 3166 country code (JP, KR, ...) */
  readonly continent?: string;
  readonly country?: string;
  readonly site: SiteKey;
}

export interface EdgePlan {
  readonly dns: DnsProvider;
  readonly domain: string;
  readonly ttl: number;
  /**
   * single: one site answers; failover: PRIMARY/SECONDARY health-checked records;
   * geo: geolocation rules with a default; latency: latency-based between both sites
   */
  readonly routing: "single" | "failover" | "geo" | "latency";
  readonly geo: readonly GeoRule[];
  readonly healthCheckPath: string;
  readonly healthCheckIntervalSeconds: 10 | 30;
  readonly healthCheckFailureThreshold: number;
  /** Route 53 hosted zone id or Cloudflare zone id; Route 53 looks zoneName up when absent */
  readonly zoneId?: string;
  readonly zoneName: string;
  /** Route 53 health checker regions (≥ 3) */
  readonly checkerRegions: readonly string[];
  readonly cloudflare?: CloudflareEdgeSettings;
  /** Route 53: migration stage 1 from the answers at edge.domain to per-policy record sets */
  readonly legacyApexRecords: boolean;
  /**
   * How users reach the AWS load balancers: cloudfront (users call CloudFront at edge.domain,
   * CloudFront calls `<routing>.<domain>`; the load balancers admit CloudFront and the Route 53
   * health checkers only), cloudflare (its proxy; they admit Cloudflare's ranges) or direct
   */
  readonly front: "cloudfront" | "cloudflare" | "direct";
  /** AWS WAF on CloudFront, or Cloudflare's rate limiting and managed WAF rulesets */
  readonly waf: boolean;
  /** per client IP, on the auth paths, at the edge */
  readonly authRequestsPerMinute: number;
  /** the secret origin header's two slots: CloudFront sends `send`, the load balancers accept both */
  readonly originSecret: { readonly send: "a" | "b"; readonly a: number; readonly b: number };
}

export interface CloudflareEdgeSettings {
  readonly accountId: string;
  readonly plan: "free" | "pro" | "business" | "enterprise";
  readonly monitorIntervalSeconds: number;
  readonly expectedCodes: string;
  /** which TLS settings the program manages: per hostname, zone-wide (opt-in), or none */
  readonly tls: "hostname" | "zone" | "unmanaged";
  /** zone: the program owns the zone's rate limiting and managed WAF entry-point rulesets */
  readonly rulesets: "zone" | "unmanaged";
}

export interface AppSettings {
  readonly port: number;
  /** seconds the app drains in-flight requests on SIGTERM; the target group matches it */
  readonly drainSeconds: number;
  readonly minHealthyPercentage: number;
  readonly schedules: readonly ScaleSchedule[];
}

export interface ScaleSchedule {
  readonly name: string;
  /** cron in UTC, as AWS scheduled actions take it */
  readonly recurrence: string;
  readonly min: number;
  readonly max: number;
  readonly desired: number;
}

export interface Topology {
  readonly project: string;
  readonly environment: Environment;
  readonly mode: DrMode;
  readonly activeSite: SiteKey;
  /** the site whose database takes writes */
  readonly writerSite: SiteKey;
  /** the old writer after a failover (or a planned switchback), until it is re-seeded */
  readonly fencedSite?: SiteKey;
  readonly sites: readonly SiteTopology[];
  readonly replication: readonly ReplicationLink[];
  /**
   * The two AWS sites' networks are peered (cross-region VPC peering, requested from the primary)
   * whenever the standby holds a database replica: its apps write to the writer in the other
   * region. Kept after a failover, so failing over touches nothing in the failed region.
   */
  readonly peering?: { readonly requester: SiteKey; readonly accepter: SiteKey };
  readonly objectives: RecoveryObjectives;
  readonly edge: EdgePlan;
  readonly app: AppSettings;
  readonly cdn: {
    readonly priceClass: "PriceClass_100" | "PriceClass_200" | "PriceClass_All";
    /** us-east-1 ACM certificate; without one CloudFront uses its default certificate (dev) */
    readonly certificateArn?: string;
    readonly domain: string;
  };
  readonly alerts: { readonly email?: string };
  readonly databaseEngine: DatabaseEngine;
  /** sizes and versions of the stack's DigitalOcean sites (config key digitalocean); absent without one */
  readonly digitalocean?: DigitalOceanPlan;
  readonly logRetentionDays: number;
  /** things an operator should know about this state (e.g. no cross-region copy while failed over) */
  readonly warnings: readonly string[];
}

/** What a DigitalOcean site runs (config key `digitalocean`, validated in digitalocean-rules.ts). */
export interface DigitalOceanPlan {
  readonly dropletSize: string;
  readonly image: string;
  readonly sshPublicKey: string;
  readonly targetCpuUtilization: number;
  readonly cooldownMinutes: number;
  /** uploaded beforehand; origin-ca: trusted by Cloudflare's proxy only */
  readonly certificate: { readonly name: string; readonly issuer: "cloudflare-origin-ca" | "public" };
  readonly database: { readonly size: string; readonly nodeCount: number; readonly version: string; readonly readReplica: boolean; readonly backupHour: number };
  readonly cache: { readonly size: string; readonly nodeCount: number; readonly version: string };
  readonly maintenance: { readonly day: string; readonly hour: string };
  /** the writer's scheduled logical dumps (ops runner), into a bucket in another region */
  readonly dumps: { readonly region: string; readonly intervalMinutes: number; readonly retentionDays: number; readonly datasetGb: number; readonly heartbeatUrl?: string; readonly runnerSize: string };
}
