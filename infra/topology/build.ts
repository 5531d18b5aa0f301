import { DEFAULT_CHECKER_REGIONS, defaultZoneName, edgeFrontOf, edgeRoutingOf, edgeWafOf } from "../config/edge-rules";
import type { ResolvedConfig, ResolvedSite } from "../config/resolved";
import { PROJECT_NAME } from "../names";
import { CLOUDFLARE_MIN_MONITOR_INTERVAL } from "../config/schema";
import { REPLICATING_MODES, STANDBY_SHAPE } from "../facts/standby-shape";
import {
  fullApi,
  fullCache,
  objectivesFor,
  standbyApi,
  standbyCache,
  standbyDatabase,
  writerDatabase,
} from "./dr-matrix";
import { SITE_READINESS_PATH } from "./health";
import { restoresOnFailover, restoresRdsSnapshot } from "../config/dr-rules";
import { DO_MYSQL_VERSIONS } from "../facts/digitalocean";
import { planSubnets } from "./subnet-plan";
import { lineage } from "../config/lineage";
import { engineMajorVersion } from "../facts/rds-engine-versions";
import type { DatabaseEngine, EdgePlan, ReplicationLink, SiteKey, SiteProtection, SiteTopology, Topology } from "./types";

export const PROJECT = PROJECT_NAME;

const SITE_IDS: Readonly<Record<SiteKey, number>> = { primary: 1, secondary: 2 };

/**
 * Turns validated config into the Topology: which site writes, what every site runs under the
 * DR mode, what replicates where and the designed RTO/RPO. Pure: no Pulumi, no I/O, no clock.
 * `asOf` (YYYY-MM-DD, UTC) is the day engine-support dates are checked against; the program and
 * the plan pass today (infra/clock.ts). Without it no date-dependent warning is given, so the
 * same config always builds the same Topology.
 *
 * Failover (`dr.activeSite: secondary`) makes the secondary the full-size writer (its replica is
 * promoted) and leaves the primary's resources exactly as they were ("fenced"): during a real
 * regional outage the failed region's control plane may be down, so failover touches only the
 * standby site (static stability). Failing back is three more states (dr.databaseGeneration,
 * lineage.ts): re-seed the fenced site as the writer's replica, switch the writer back (which
 * fences the other site the same way), re-seed that one.
 */
export function buildTopology(cfg: ResolvedConfig, asOf?: string): Topology {
  if (asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw new Error(`buildTopology: asOf ${JSON.stringify(asOf)} is not a YYYY-MM-DD date`);
  const mode = cfg.dr.mode;
  const writerSite = cfg.dr.activeSite;
  const shape = STANDBY_SHAPE[mode];
  const { primary, secondary } = cfg.sites;
  const generations = cfg.dr.databaseGeneration;
  const line = secondary ? lineage(generations, writerSite) : undefined;
  const fencedSite = line?.fenced;

  const site = (key: SiteKey, s: ResolvedSite, part: Pick<SiteTopology, "role" | "servesTraffic" | "api" | "database" | "cache" | "releasePin">): SiteTopology => ({
    key,
    cloud: s.cloud,
    region: s.region,
    cidr: s.cidr,
    azCount: s.azCount,
    siteId: SITE_IDS[key],
    natGateways: s.azCount === 1 ? "single" : cfg.network.natGateways,
    certificateArn: s.certificateArn,
    certificateDomains: s.certificateDomains,
    ...(s.amiId !== undefined || s.availabilityZones !== undefined || s.prefixLists !== undefined ? { pins: { amiId: s.amiId, availabilityZones: s.availabilityZones, prefixLists: s.prefixLists } } : {}),
    ...(s.databaseCaCertificate !== undefined ? { databaseCaPin: s.databaseCaCertificate } : {}),
    subnets: planSubnets(s.cidr, s.azCount),
    backupVault: key === "secondary" && s.cloud === "aws" && primary.cloud === "aws",
    protection: protectionOf(key),
    ...part,
    database: { ...part.database, deletionProtection: protectionOf(key).deletion, generation: generations[key], origin: part.database.restoreFromSnapshot !== undefined || part.database.restoreFromBackup !== undefined || part.database.restoreFromDump !== undefined ? "restored" : line?.origin[key] ?? "created" },
  });
  // config validation refuses releasing the writer's or a fenced site; checked again here
  const released = cfg.dr.releaseProtection;
  if (released !== undefined && (released === writerSite || released === fencedSite)) throw new Error(`buildTopology: dr.releaseProtection ${released} names the ${released === writerSite ? "writer's" : "fenced"} site (config validation should have refused it)`);
  const protectionOf = (key: SiteKey): SiteProtection => {
    const isReleased = released === key;
    return { deletion: cfg.environment === "prod" && !isReleased, forceDestroyBuckets: cfg.environment !== "prod" || isReleased, released: isReleased };
  };

  const writer = { role: "active" as const, servesTraffic: true, api: fullApi(cfg), database: writerDatabase(cfg, "writer"), cache: fullCache(cfg) };
  const standby = {
    role: shape.servesTraffic ? ("active" as const) : ("standby" as const),
    servesTraffic: shape.servesTraffic,
    api: standbyApi(cfg, shape),
    database: standbyDatabase(cfg, shape),
    cache: standbyCache(cfg, shape),
  };
  // The old writer after failover: same resources as before, no traffic, no writes.
  const fenced = { ...writer, role: "standby" as const, servesTraffic: false, database: writerDatabase(cfg, "fenced"), releasePin: cfg.dr.fencedRelease };
  // backup-restore kept no database in the secondary: failing over creates it from a recovery point
  const restored = secondary?.cloud === "digitalocean"
    ? { ...writer, database: { ...writer.database, restoreFromBackup: cfg.dr.restoreFromBackup, restoreFromDump: cfg.dr.restoreFromDump } }
    : { ...writer, database: { ...writer.database, restoreFromSnapshot: cfg.dr.restoreFromSnapshot } };
  const partOf = (key: SiteKey) => (key === writerSite ? (key === "secondary" && restoresOnFailover(cfg) ? restored : writer) : key === fencedSite ? fenced : standby);

  const sites: SiteTopology[] = [site("primary", primary, partOf("primary"))];
  if (secondary) sites.push(site("secondary", secondary, partOf("secondary")));
  const standbySite = sites.find((s) => s.key !== writerSite && s.key !== fencedSite);

  const replication: ReplicationLink[] = [];
  const warnings: string[] = [];
  const bothAws = secondary?.cloud === "aws" && primary.cloud === "aws";
  if (secondary && standbySite) {
    if (shape.database === "replica") replication.push({ kind: "rds-cross-region-replica", from: writerSite, to: standbySite.key, synchronous: false });
    else if (bothAws) replication.push({ kind: "backup-cross-region-copy", from: writerSite, to: standbySite.key, synchronous: false });
    // the static files always replicate from the primary's bucket (the one the CDN publishes to)
    if (bothAws) replication.push({ kind: "s3-cross-region-replication", from: "primary", to: "secondary", synchronous: false });
  }
  if (!secondary && primary.cloud === "digitalocean") warnings.push(`single site: the dumps are in ${cfg.digitalocean?.dumps.region}, but no second site exists to restore into: a regional outage means adding one and restoring a dump by hand (dr.restoreFromDump)`);
  else if (!secondary) warnings.push("single site: backups stay in the primary region, so a regional outage means restoring elsewhere by hand");
  if (secondary && secondary.cloud !== primary.cloud) warnings.push(`sites on ${primary.cloud} and ${secondary.cloud}: no managed cross-cloud copy of the data; backup-restore needs an export/import runbook`);
  if (cfg.dr.restoreFromSnapshot !== undefined && !restoresRdsSnapshot(cfg)) warnings.push(`dr.restoreFromSnapshot is set but unused: only backup-restore failed over restores from it (keep it while failed over: changing it replaces the restored database)`);
  if ([primary, secondary].some((x) => x?.cloud === "digitalocean")) {
    // the dumps: the ops runner of a DigitalOcean writer (infra/digitalocean/ops-runner.ts)
    const writerCloud = cfg.sites[writerSite]?.cloud;
    if (writerCloud === "digitalocean" && cfg.digitalocean?.dumps.heartbeatUrl === undefined) warnings.push("digitalocean.dumps.heartbeatUrl is not set: a failed or stopped dump raises no alarm, and the RPO holds only while dumps succeed (README, DigitalOcean DR)");
    // the pin the failover that fences this DigitalOcean writer will need (digitalocean-rules.ts)
    for (const [key, s] of [["primary", primary], ["secondary", secondary]] as const) {
      if (secondary && s?.cloud === "digitalocean" && key === writerSite && s.databaseCaCertificate === undefined) warnings.push(`sites.${key} is not pinned: a failover that fences it needs its MySQL cluster's CA without a call to ${s.region}; copy the stack output sites.${key}.pins.databaseCaCertificate into sites.${key}.databaseCaCertificate now`);
    }
    if (writerCloud === "aws") warnings.push(`the aws writer is not dumped for the digitalocean site (the ops runner dumps DigitalOcean writers only): a failover onto it needs a dump made by hand (README, DigitalOcean DR)`);
  }
  const doMysql = DO_MYSQL_VERSIONS.find((v) => v.version === cfg.digitalocean?.database.version);
  if (doMysql && asOf !== undefined && [primary, secondary].some((x) => x?.cloud === "digitalocean") && asOf > doMysql.standardSupportEnds) {
    warnings.push(`DigitalOcean MySQL ${doMysql.version} runs MySQL ${doMysql.upstreamMajor}, past upstream standard support since ${doMysql.standardSupportEnds}, and DigitalOcean offers no newer major: dev only (prod runs on aws)`);
  }
  if (released !== undefined) warnings.push(`dr.releaseProtection: the ${released}'s databases and load balancer have no deletion protection and its API buckets are deleted with their objects; apply this, then the mode switch that removes them, then remove the key (README, DR game day)`);
  if (cfg.dr.fencedRelease !== undefined && !fencedSite) warnings.push("dr.fencedRelease is set but unused: only a fenced site (failed over) keeps a pinned release");
  if (fencedSite) {
    const fencedOnAws = cfg.sites[fencedSite]?.cloud === "aws";
    if (cfg.dr.fencedRelease === undefined && fencedOnAws) warnings.push(`failed over without dr.fencedRelease: an \`up\` with a new app build would rewrite the fenced ${fencedSite}'s release objects and launch template; pin it first (README, DR game day)`);
    const next = fencedSite === "primary" ? generations.primary + 1 : generations.secondary + 1;
    const reseed = REPLICATING_MODES.includes(mode) ? `: raise dr.databaseGeneration.${fencedSite} to ${next} to re-seed it once its region is back` : "";
    warnings.push(`failed over: the ${fencedSite} is fenced and nothing replicates out of the ${writerSite} until the ${fencedSite} is re-seeded as its replica (RPO exposure until then)${reseed}`);
  }

  return {
    project: PROJECT,
    environment: cfg.environment,
    mode,
    activeSite: writerSite,
    writerSite,
    fencedSite,
    sites,
    replication,
    peering: secondary && primary.cloud === "aws" && secondary.cloud === "aws" && shape.database === "replica" ? { requester: "primary", accepter: "secondary" } : undefined,
    objectives: objectivesFor(mode, cfg),
    edge: edgePlan(cfg),
    app: {
      port: cfg.api.port,
      drainSeconds: cfg.api.drainSeconds,
      minHealthyPercentage: cfg.api.minHealthyPercentage,
      schedules: cfg.api.schedules,
    },
    cdn: { priceClass: cfg.cdn.priceClass, certificateArn: cfg.cdn.certificateArn, domain: cfg.cdn.domain ?? `static.${cfg.edge.domain}` },
    alerts: { email: cfg.alerts.email },
    databaseEngine: databaseEngine(cfg),
    ...(cfg.digitalocean && [primary, secondary].some((x) => x?.cloud === "digitalocean") ? { digitalocean: cfg.digitalocean } : {}),
    logRetentionDays: cfg.network.flowLogRetentionDays,
    warnings,
  };
}

/** The site this one is peered with, if the Topology peers the two sites. */
export function peerOf(topology: Topology, site: SiteTopology): SiteTopology | undefined {
  const p = topology.peering;
  if (!p || (site.key !== p.requester && site.key !== p.accepter)) return undefined;
  return topology.sites.find((s) => s.key === (site.key === p.requester ? p.accepter : p.requester));
}

function databaseEngine(cfg: ResolvedConfig): DatabaseEngine {
  const v = engineMajorVersion("mysql", cfg.database.engineVersion);
  if (!v) throw new Error(`buildTopology: database.engineVersion ${cfg.database.engineVersion} passed validation but is not in the support table`);
  return {
    engine: "mysql",
    version: cfg.database.engineVersion,
    major: v.major,
    family: v.family,
    lifecycleSupport: cfg.environment === "prod" ? "open-source-rds-extended-support" : "open-source-rds-extended-support-disabled",
  };
}

function edgePlan(cfg: ResolvedConfig): EdgePlan {
  const routing = edgeRoutingOf(cfg);
  const cf = cfg.edge.cloudflare;
  return {
    dns: cfg.edge.dns,
    domain: cfg.edge.domain,
    ttl: cfg.edge.ttl,
    routing,
    geo: cfg.edge.geo,
    healthCheckPath: SITE_READINESS_PATH,
    healthCheckIntervalSeconds: cfg.edge.healthCheckIntervalSeconds,
    healthCheckFailureThreshold: cfg.edge.healthCheckFailureThreshold,
    zoneId: cfg.edge.zoneId,
    zoneName: cfg.edge.zoneName ?? defaultZoneName(cfg.edge.domain),
    checkerRegions: cfg.edge.checkerRegions ?? DEFAULT_CHECKER_REGIONS,
    cloudflare: cf && { ...cf, monitorIntervalSeconds: cf.monitorIntervalSeconds ?? CLOUDFLARE_MIN_MONITOR_INTERVAL[cf.plan] },
    legacyApexRecords: cfg.edge.legacyApexRecords,
    front: edgeFrontOf(cfg),
    waf: edgeWafOf(cfg),
    authRequestsPerMinute: cfg.edge.authRequestsPerMinute,
    originSecret: cfg.edge.originSecret,
  };
}
