import { z } from "zod";
import type { DrMode } from "../topology/types";
// the one table of engine versions and support dates, shared with the policy pack's rule
import { RDS_ENGINE_VERSIONS, engineMajorVersion } from "../../policies/rules/acceptance/engine-support";
import { namesCover } from "../../policies/rules/acceptance/certificate-names";
import { DEFAULT_MYSQL_VERSION, ENVIRONMENT_DEFAULTS, PROD_MIN_BACKUP_RETENTION_DAYS } from "./defaults";
import { edgeProblems } from "./edge-rules";
import { ConfigError, ConfigProblem, NAMESPACE, problemsFromZod } from "./errors";
import { azsInRegion, regionsOf } from "./regions";
import { ProjectConfig, projectConfigSchema, regionOfAcmArn } from "./schema";
import { cidrsOverlap } from "../topology/cidr";

/** Config with every default filled in: what the Topology is built from. */
export interface ResolvedConfig extends Omit<ProjectConfig, "sites" | "network" | "api" | "database" | "cache" | "edge"> {
  readonly sites: {
    readonly primary: ResolvedSite;
    readonly secondary?: ResolvedSite;
  };
  readonly network: { readonly natGateways: "per-az" | "single"; readonly flowLogRetentionDays: number };
  readonly api: ProjectConfig["api"] & { instanceType: string; minSize: number; maxSize: number; desiredSize: number };
  readonly database: Required<ProjectConfig["database"]>;
  readonly cache: Required<ProjectConfig["cache"]>;
  readonly edge: ProjectConfig["edge"] & { healthCheckIntervalSeconds: 10 | 30 };
}

export interface ResolvedSite {
  readonly cloud: "aws" | "digitalocean";
  readonly region: string;
  readonly cidr: string;
  readonly azCount: number;
  readonly certificateArn?: string;
  readonly certificateDomains?: readonly string[];
}

/** Modes that keep a live copy of the data in the standby site (a replication path is needed). */
export const REPLICATING_MODES: readonly DrMode[] = ["pilot-light", "warm-standby", "active-active"];

/**
 * Parses raw project config (keys without the namespace, values already JSON-decoded) into a
 * ResolvedConfig, or throws a ConfigError listing every problem. Nothing is registered before this.
 */
export function parseProjectConfig(raw: Record<string, unknown>): ResolvedConfig {
  const parsed = projectConfigSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new ConfigError(problemsFromZod(parsed.error, allowedKeysAt));
  const resolved = applyDefaults(parsed.data);
  const problems = crossFieldProblems(resolved);
  if (problems.length > 0) throw new ConfigError(problems);
  return resolved;
}

function applyDefaults(cfg: ProjectConfig): ResolvedConfig {
  const d = ENVIRONMENT_DEFAULTS[cfg.environment];
  const site = (s: ProjectConfig["sites"]["primary"]): ResolvedSite => ({
    ...s,
    azCount: s.azCount ?? (s.cloud === "aws" ? d.awsAzCount : 1),
  });
  const minSize = cfg.api.minSize ?? d.api.minSize;
  return {
    ...cfg,
    sites: { primary: site(cfg.sites.primary), secondary: cfg.sites.secondary && site(cfg.sites.secondary) },
    network: {
      natGateways: cfg.network.natGateways ?? d.natGateways,
      flowLogRetentionDays: cfg.network.flowLogRetentionDays ?? d.flowLogRetentionDays,
    },
    api: {
      ...cfg.api,
      instanceType: cfg.api.instanceType ?? d.api.instanceType,
      minSize,
      maxSize: cfg.api.maxSize ?? Math.max(d.api.maxSize, minSize),
      desiredSize: cfg.api.desiredSize ?? minSize,
    },
    database: { ...d.database, ...definedOnly(cfg.database) },
    cache: { ...d.cache, ...definedOnly(cfg.cache) },
    edge: { ...cfg.edge, healthCheckIntervalSeconds: cfg.edge.healthCheckIntervalSeconds ?? d.healthCheckIntervalSeconds },
  };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const key = (k: string) => `${NAMESPACE}:${k}`;

/** Rules that span several keys; each names the key it blames, the value and what is allowed. */
function crossFieldProblems(cfg: ResolvedConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const { primary, secondary } = cfg.sites;
  const { mode, activeSite } = cfg.dr;

  for (const [name, site] of Object.entries({ primary, secondary }) as [string, ResolvedSite | undefined][]) {
    if (!site) continue;
    const azs = azsInRegion(site.cloud, site.region);
    if (azs === undefined) {
      problems.push({ key: key(`sites.${name}.region`), value: site.region, message: `not a known ${site.cloud} region (allowed: ${regionsOf(site.cloud).join(", ")})` });
      continue;
    }
    if (site.certificateArn !== undefined) {
      const certRegion = regionOfAcmArn(site.certificateArn);
      if (site.cloud !== "aws") {
        problems.push({ key: key(`sites.${name}.certificateArn`), value: site.certificateArn, message: "ACM certificates are for aws sites (allowed on digitalocean: none; the load balancer manages its own)" });
      } else if (certRegion !== site.region) {
        problems.push({ key: key(`sites.${name}.certificateArn`), value: site.certificateArn, message: `is in ${certRegion}, but ACM certificates are regional and the ${name} load balancer is in ${site.region} (allowed: a certificate from ${site.region})` });
      }
      if (site.cloud === "aws") problems.push(...certificateNameProblems(name, site, cfg.edge.domain));
    } else if (site.certificateDomains !== undefined) {
      problems.push({ key: key(`sites.${name}.certificateDomains`), value: site.certificateDomains, message: `names what sites.${name}.certificateArn covers, which is not set (allowed: only together with certificateArn)` });
    }
    if (site.certificateArn === undefined && cfg.environment === "prod" && site.cloud === "aws") {
      problems.push({ key: key(`sites.${name}.certificateArn`), value: undefined, message: `prod serves HTTPS only, so the ${name} load balancer needs a certificate (allowed: an ACM certificate ARN from ${site.region})` });
    }
    if (site.azCount > azs) {
      problems.push({ key: key(`sites.${name}.azCount`), value: site.azCount, message: `${site.region} has only ${azs} availability zone${azs === 1 ? "" : "s"} (allowed: 1..${azs})` });
    } else if (cfg.environment === "prod" && site.azCount < 2) {
      problems.push({
        key: key(`sites.${name}.azCount`),
        value: site.azCount,
        message: `prod needs at least 2 availability zones per site (allowed: 2..${azs})${site.cloud === "digitalocean" ? "; DigitalOcean regions have no AZs, so a prod site must be on aws" : ""}`,
      });
    }
  }

  if (secondary) {
    if (secondary.cloud === primary.cloud && secondary.region === primary.region) {
      problems.push({ key: key("sites.secondary.region"), value: secondary.region, message: `equals the primary site's region on the same cloud; a second site must survive a regional outage (allowed: any ${secondary.cloud} region except ${primary.region})` });
    }
    if (cidrsOverlap(primary.cidr, secondary.cidr)) {
      problems.push({ key: key("sites.secondary.cidr"), value: secondary.cidr, message: `overlaps the primary site's ${primary.cidr}; the sites are peered/replicated, so their CIDRs must be disjoint (allowed: a block outside ${primary.cidr})` });
    }
    if (secondary.cloud !== primary.cloud && REPLICATING_MODES.includes(mode)) {
      problems.push({ key: key("dr.mode"), value: mode, message: `replicates the database to the standby, but the sites are on ${primary.cloud} and ${secondary.cloud}: there is no managed replication path between clouds (allowed with these sites: backup-restore; or put both sites on the same cloud)` });
    }
  } else {
    if (REPLICATING_MODES.includes(mode)) {
      problems.push({ key: key("dr.mode"), value: mode, message: `needs a standby site, but sites.secondary is not set (allowed without a secondary: backup-restore)` });
    }
    if (activeSite === "secondary") {
      problems.push({ key: key("dr.activeSite"), value: activeSite, message: "points at sites.secondary, which is not set (allowed: primary)" });
    }
  }

  if (cfg.api.minSize > cfg.api.maxSize) {
    problems.push({ key: key("api.minSize"), value: cfg.api.minSize, message: `is greater than api.maxSize ${cfg.api.maxSize} (allowed: 1..${cfg.api.maxSize})` });
  }
  if (cfg.api.desiredSize < cfg.api.minSize || cfg.api.desiredSize > cfg.api.maxSize) {
    problems.push({ key: key("api.desiredSize"), value: cfg.api.desiredSize, message: `must be within api.minSize..api.maxSize (allowed: ${cfg.api.minSize}..${cfg.api.maxSize})` });
  }
  cfg.api.schedules.forEach((s, i) => {
    if (s.min > s.max || s.desired < s.min || s.desired > s.max) {
      problems.push({ key: key(`api.schedules[${i}]`), value: { min: s.min, max: s.max, desired: s.desired }, message: "needs min ≤ desired ≤ max" });
    }
  });

  if (cfg.cdn.certificateArn !== undefined && regionOfAcmArn(cfg.cdn.certificateArn) !== "us-east-1") {
    problems.push({ key: key("cdn.certificateArn"), value: cfg.cdn.certificateArn, message: `is in ${regionOfAcmArn(cfg.cdn.certificateArn)}, but CloudFront only uses certificates from us-east-1 (allowed: an ACM certificate ARN in us-east-1)` });
  } else if (cfg.cdn.certificateArn === undefined && cfg.environment === "prod" && primary.cloud === "aws") {
    problems.push({ key: key("cdn.certificateArn"), value: undefined, message: "prod needs a viewer certificate so CloudFront can enforce TLS ≥ 1.2 (its default certificate allows TLSv1) (allowed: an ACM certificate ARN in us-east-1)" });
  }

  const retention = cfg.database.backupRetentionDays;
  if (retention < 1 || retention > 35) {
    problems.push({ key: key("database.backupRetentionDays"), value: retention, message: "outside what RDS keeps (allowed: 1..35 days; 0 would disable backups and replicas)" });
  } else if (cfg.environment === "prod" && retention < PROD_MIN_BACKUP_RETENTION_DAYS) {
    problems.push({ key: key("database.backupRetentionDays"), value: retention, message: `too short for prod (allowed: ${PROD_MIN_BACKUP_RETENTION_DAYS}..35)` });
  }
  if (cfg.database.maxAllocatedStorageGb < cfg.database.allocatedStorageGb) {
    problems.push({ key: key("database.maxAllocatedStorageGb"), value: cfg.database.maxAllocatedStorageGb, message: `is below database.allocatedStorageGb ${cfg.database.allocatedStorageGb} (allowed: ≥ ${cfg.database.allocatedStorageGb})` });
  }

  const engine = engineMajorVersion("mysql", cfg.database.engineVersion);
  if (!engine) {
    const known = RDS_ENGINE_VERSIONS.filter((v) => v.engine === "mysql").map((v) => `${v.major} (RDS standard support until ${v.standardSupportEnds})`).join(", ");
    problems.push({ key: key("database.engineVersion"), value: cfg.database.engineVersion, message: `is not an RDS for MySQL major version in the support table (allowed: ${known}, or one of their minor versions such as ${DEFAULT_MYSQL_VERSION}.5)` });
  }

  cfg.edge.geo.forEach((rule, i) => {
    if (rule.site === "secondary" && !secondary) {
      problems.push({ key: key(`edge.geo[${i}].site`), value: rule.site, message: "routes to sites.secondary, which is not set (allowed: primary)" });
    }
  });
  problems.push(...edgeProblems(cfg));
  if (cfg.edge.geo.length > 0 && mode !== "active-active") {
    problems.push({ key: key("edge.geo"), value: cfg.edge.geo.length, message: `geo routing sends users to both sites, which only active-active serves (allowed with ${mode}: no geo rules)` });
  }
  return problems;
}

/**
 * The load balancer is reached by the edge's name (Route 53 / Cloudflare records, CloudFront's
 * /api origin), so its certificate must cover that name: CloudFront checks the origin certificate
 * against the origin's domain and answers 502 when it does not match.
 */
function certificateNameProblems(name: string, site: ResolvedSite, edgeDomain: string): ConfigProblem[] {
  const k = key(`sites.${name}.certificateDomains`);
  const wildcard = `*.${edgeDomain.split(".").slice(1).join(".")}`;
  if (site.certificateDomains === undefined) {
    return [{ key: k, value: undefined, message: `must list the names sites.${name}.certificateArn covers, so the program can check it covers ${edgeDomain}, the name the edge and CloudFront's /api origin use to reach this load balancer (allowed: e.g. [${edgeDomain}] or [${wildcard}])` }];
  }
  if (!namesCover(site.certificateDomains, edgeDomain)) {
    return [{ key: k, value: site.certificateDomains, message: `does not cover ${edgeDomain} (edge.domain), the name the edge and CloudFront's /api origin use to reach this load balancer: TLS to it would fail (CloudFront answers 502) (allowed: names including ${edgeDomain} or ${wildcard}; a wildcard covers one level only)` }];
  }
  return [];
}

/** For "unknown key" messages: the keys the schema allows at a path. */
export function allowedKeysAt(path: readonly PropertyKey[]): string[] {
  let schema: z.ZodType = projectConfigSchema;
  for (const seg of path) {
    const inner = unwrap(schema);
    if (inner instanceof z.ZodObject) schema = inner.shape[String(seg)];
    else if (inner instanceof z.ZodArray) schema = inner.element as z.ZodType;
    else return [];
    if (!schema) return [];
  }
  const obj = unwrap(schema);
  return obj instanceof z.ZodObject ? Object.keys(obj.shape) : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  // optional/default/pipe wrappers hide the object shape
  for (let i = 0; i < 5; i++) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
    else if (s instanceof z.ZodPipe) s = s.in as z.ZodType;
    else break;
  }
  return s;
}
