// the one table of engine versions and support dates, shared with the policy pack's rule
import { RDS_ENGINE_VERSIONS, engineMajorVersion } from "../facts/rds-engine-versions";
import { namesCover } from "../facts/certificate-names";
import { REPLICATING_MODES } from "../facts/standby-shape";
import { cidrsOverlap } from "./cidr";
import { DEFAULT_MYSQL_VERSION, PROD_MIN_BACKUP_RETENTION_DAYS } from "./defaults";
import { drStateProblems } from "./dr-rules";
import { digitaloceanProblems } from "./digitalocean-rules";
import { edgeProblems } from "./edge-rules";
import { pinProblems } from "./pin-rules";
import { componentProblems } from "./component-rules";
import { ConfigProblem, NAMESPACE } from "./errors";
import type { ResolvedConfig, ResolvedSite } from "./resolved";
import { azsInRegion, regionsOf } from "./regions";
import { regionOfAcmArn } from "./schema";

// Rules that span several keys; each names the key it blames, the value and what is allowed.
// They run over every key that parsed (a key that did not is absent here and its own problem is
// already reported), so every problem of a stack file shows in one pass.

type Checked = Partial<ResolvedConfig>;

const key = (k: string) => `${NAMESPACE}:${k}`;

export function crossFieldProblems(cfg: Checked): ConfigProblem[] {
  return [...siteProblems(cfg), ...pairProblems(cfg), ...apiProblems(cfg), ...cdnProblems(cfg), ...databaseProblems(cfg), ...geoProblems(cfg), ...drStateProblems(cfg), ...pinProblems(cfg), ...digitaloceanProblems(cfg), ...componentProblems(cfg)];
}

function siteProblems(cfg: Checked): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [name, site] of Object.entries(cfg.sites ?? {}) as [string, ResolvedSite | undefined][]) {
    if (!site) continue;
    const azs = azsInRegion(site.cloud, site.region);
    if (azs === undefined) {
      problems.push({ key: key(`sites.${name}.region`), value: site.region, message: `not a known ${site.cloud} region (allowed: ${regionsOf(site.cloud).join(", ")})` });
      continue;
    }
    if (site.certificateArn !== undefined) {
      const certRegion = regionOfAcmArn(site.certificateArn);
      if (site.cloud !== "aws") {
        problems.push({ key: key(`sites.${name}.certificateArn`), value: site.certificateArn, message: "ACM certificates are for aws sites (allowed on digitalocean: none; its load balancer serves the certificate named by digitalocean.certificate.name)" });
      } else if (certRegion !== site.region) {
        problems.push({ key: key(`sites.${name}.certificateArn`), value: site.certificateArn, message: `is in ${certRegion}, but ACM certificates are regional and the ${name} load balancer is in ${site.region} (allowed: a certificate from ${site.region})` });
      }
      if (site.cloud === "aws" && cfg.edge) problems.push(...certificateNameProblems(name, site, cfg.edge.domain));
    } else if (site.certificateDomains !== undefined) {
      problems.push({ key: key(`sites.${name}.certificateDomains`), value: site.certificateDomains, message: `names what sites.${name}.certificateArn covers, which is not set (allowed: only together with certificateArn)` });
    }
    if (site.certificateArn === undefined && cfg.environment === "prod" && site.cloud === "aws") {
      problems.push({ key: key(`sites.${name}.certificateArn`), value: undefined, message: `prod serves HTTPS only, so the ${name} load balancer needs a certificate (allowed: an ACM certificate ARN from ${site.region})` });
    }
    if (site.azCount > azs) {
      problems.push({ key: key(`sites.${name}.azCount`), value: site.azCount, message: `${site.region} has only ${azs} availability zone${azs === 1 ? "" : "s"} (allowed: 1..${azs})` });
    } else if (cfg.environment === "prod" && site.azCount < 2 && site.cloud === "aws") {
      // a prod DigitalOcean site is refused by its own rule, with the reasons (digitalocean-rules.ts)
      problems.push({ key: key(`sites.${name}.azCount`), value: site.azCount, message: `prod needs at least 2 availability zones per site (allowed: 2..${azs})` });
    }
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

/** The two sites together, and the DR mode they must support. */
function pairProblems(cfg: Checked): ConfigProblem[] {
  if (!cfg.sites) return [];
  const problems: ConfigProblem[] = [];
  const { primary, secondary } = cfg.sites;
  const mode = cfg.dr?.mode;
  if (secondary) {
    if (secondary.cloud === primary.cloud && secondary.region === primary.region) {
      problems.push({ key: key("sites.secondary.region"), value: secondary.region, message: `equals the primary site's region on the same cloud; a second site must survive a regional outage (allowed: any ${secondary.cloud} region except ${primary.region})` });
    }
    if (cidrsOverlap(primary.cidr, secondary.cidr)) {
      problems.push({ key: key("sites.secondary.cidr"), value: secondary.cidr, message: `overlaps the primary site's ${primary.cidr}; the sites are peered/replicated, so their CIDRs must be disjoint (allowed: a block outside ${primary.cidr})` });
    }
    if (mode && secondary.cloud !== primary.cloud && REPLICATING_MODES.includes(mode)) {
      problems.push({ key: key("dr.mode"), value: mode, message: `replicates the database to the standby, but the sites are on ${primary.cloud} and ${secondary.cloud}: there is no managed replication path between clouds (allowed with these sites: backup-restore; or put both sites on the same cloud)` });
    }
  } else if (cfg.dr) {
    if (REPLICATING_MODES.includes(cfg.dr.mode)) {
      problems.push({ key: key("dr.mode"), value: cfg.dr.mode, message: `needs a standby site, but sites.secondary is not set (allowed without a secondary: backup-restore)` });
    }
    if (cfg.dr.activeSite === "secondary") {
      problems.push({ key: key("dr.activeSite"), value: cfg.dr.activeSite, message: "points at sites.secondary, which is not set (allowed: primary)" });
    }
  }
  return problems;
}

function apiProblems(cfg: Checked): ConfigProblem[] {
  const api = cfg.api;
  if (!api) return [];
  const problems: ConfigProblem[] = [];
  // desiredSize defaults to minSize: with min > max only minSize is wrong, whatever desired says
  if (api.minSize > api.maxSize) {
    problems.push({ key: key("api.minSize"), value: api.minSize, message: `is greater than api.maxSize ${api.maxSize} (allowed: 1..${api.maxSize})` });
  } else if (api.desiredSize < api.minSize || api.desiredSize > api.maxSize) {
    problems.push({ key: key("api.desiredSize"), value: api.desiredSize, message: `must be within api.minSize..api.maxSize (allowed: ${api.minSize}..${api.maxSize})` });
  }
  api.schedules.forEach((s, i) => {
    if (s.min > s.max || s.desired < s.min || s.desired > s.max) {
      problems.push({ key: key(`api.schedules[${i}]`), value: { min: s.min, max: s.max, desired: s.desired }, message: "needs min ≤ desired ≤ max" });
    }
  });
  return problems;
}

function cdnProblems(cfg: Checked): ConfigProblem[] {
  const arn = cfg.cdn?.certificateArn;
  if (arn !== undefined && regionOfAcmArn(arn) !== "us-east-1") {
    return [{ key: key("cdn.certificateArn"), value: arn, message: `is in ${regionOfAcmArn(arn)}, but CloudFront only uses certificates from us-east-1 (allowed: an ACM certificate ARN in us-east-1)` }];
  }
  if (cfg.cdn && arn === undefined && cfg.environment === "prod" && cfg.sites?.primary.cloud === "aws") {
    return [{ key: key("cdn.certificateArn"), value: undefined, message: "prod needs a viewer certificate so CloudFront can enforce TLS ≥ 1.2 (its default certificate allows TLSv1) (allowed: an ACM certificate ARN in us-east-1)" }];
  }
  return [];
}

function databaseProblems(cfg: Checked): ConfigProblem[] {
  const db = cfg.database;
  if (!db) return [];
  const problems: ConfigProblem[] = [];
  const retention = db.backupRetentionDays;
  if (retention < 1 || retention > 35) {
    problems.push({ key: key("database.backupRetentionDays"), value: retention, message: "outside what RDS keeps (allowed: 1..35 days; 0 would disable backups and replicas)" });
  } else if (cfg.environment === "prod" && retention < PROD_MIN_BACKUP_RETENTION_DAYS) {
    problems.push({ key: key("database.backupRetentionDays"), value: retention, message: `too short for prod (allowed: ${PROD_MIN_BACKUP_RETENTION_DAYS}..35)` });
  }
  if (db.maxAllocatedStorageGb < db.allocatedStorageGb) {
    problems.push({ key: key("database.maxAllocatedStorageGb"), value: db.maxAllocatedStorageGb, message: `is below database.allocatedStorageGb ${db.allocatedStorageGb} (allowed: ≥ ${db.allocatedStorageGb})` });
  }
  if (!engineMajorVersion("mysql", db.engineVersion)) {
    const known = RDS_ENGINE_VERSIONS.filter((v) => v.engine === "mysql").map((v) => `${v.major} (RDS standard support until ${v.standardSupportEnds})`).join(", ");
    problems.push({ key: key("database.engineVersion"), value: db.engineVersion, message: `is not an RDS for MySQL major version in the support table (allowed: ${known}, or one of their minor versions such as ${DEFAULT_MYSQL_VERSION}.5)` });
  }
  return problems;
}

function geoProblems(cfg: Checked): ConfigProblem[] {
  if (!cfg.edge) return [];
  const problems: ConfigProblem[] = [];
  // the provider rules (edge-rules.ts) read the edge, the sites and the DR mode
  if (cfg.sites && cfg.dr) problems.push(...edgeProblems(cfg as ResolvedConfig));
  if (cfg.sites) {
    cfg.edge.geo.forEach((rule, i) => {
      if (rule.site === "secondary" && !cfg.sites!.secondary) {
        problems.push({ key: key(`edge.geo[${i}].site`), value: rule.site, message: "routes to sites.secondary, which is not set (allowed: primary)" });
      }
    });
  }
  const mode = cfg.dr?.mode;
  if (mode && cfg.edge.geo.length > 0 && mode !== "active-active") {
    problems.push({ key: key("edge.geo"), value: cfg.edge.geo.length, message: `geo routing sends users to both sites, which only active-active serves (allowed with ${mode}: no geo rules)` });
  }
  return problems;
}
