import { DO_DRAIN_MARGIN_SECONDS, DO_MYSQL_VERSIONS, DO_POOL_SHUTDOWN_WINDOW_SECONDS, DO_SPACES_REGIONS, DO_VALKEY_VERSIONS } from "../facts/digitalocean";
import { NODE_ID_BITS_FACT } from "../facts/node-id";
import { REPLICATING_MODES } from "../facts/standby-shape";
import type { SiteKey } from "../facts/vocabulary";
import { prefixOf } from "./cidr";
import { ConfigProblem, NAMESPACE } from "./errors";
import { fencedSiteOf } from "./pin-rules";
import type { ResolvedConfig, ResolvedSite } from "./resolved";

// What a DigitalOcean site cannot do, refused before anything registers. Each problem names the
// key, the value and what is allowed; the facts and their sources are in infra/facts/digitalocean.ts.

type Checked = Partial<ResolvedConfig>;
const key = (k: string) => `${NAMESPACE}:${k}`;

/** The stack's DigitalOcean sites by key. */
function doSites(cfg: Checked): [string, ResolvedSite][] {
  return (Object.entries(cfg.sites ?? {}) as [string, ResolvedSite | undefined][]).filter((e): e is [string, ResolvedSite] => e[1]?.cloud === "digitalocean");
}

export function digitaloceanProblems(cfg: Checked): ConfigProblem[] {
  const sites = doSites(cfg);
  if (sites.length === 0) return [...restoreSourceProblems(cfg), ...caPinProblems(cfg)];
  return [...siteProblems(cfg, sites), ...apiProblems(cfg), ...sectionProblems(cfg), ...modeProblems(cfg), ...restoreSourceProblems(cfg), ...dumpProblems(cfg), ...caPinProblems(cfg)];
}

function siteProblems(cfg: Checked, sites: [string, ResolvedSite][]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [name, site] of sites) {
    // the decision: prod runs on AWS only (docs/architecture.md, "DigitalOcean")
    if (cfg.environment === "prod") {
      problems.push({ key: key(`sites.${name}.cloud`), value: site.cloud, message: "prod sites run on aws: a DigitalOcean region is one zone (no Multi-AZ), a database replica cannot be promoted through the provider, and there is no secrets manager, so prod's availability and DR bars cannot be met (allowed in prod: aws; DigitalOcean is the dev stage)" });
    }
    if (!DO_SPACES_REGIONS.includes(site.region)) {
      problems.push({ key: key(`sites.${name}.region`), value: site.region, message: `has no Spaces, which holds the site's release bundle and static files (allowed: ${DO_SPACES_REGIONS.join(", ")})` });
    }
    // NODE_ID is the droplet's private IPv4 offset in the VPC: it must fit the app's node-id bits
    const prefix = prefixOf(site.cidr);
    if (32 - prefix > NODE_ID_BITS_FACT) {
      problems.push({ key: key(`sites.${name}.cidr`), value: site.cidr, message: `is a /${prefix}, but a droplet's NODE_ID is its private IPv4 offset in the VPC and node ids have ${NODE_ID_BITS_FACT} bits (allowed on digitalocean: /${32 - NODE_ID_BITS_FACT} to /20)` });
    }
  }
  if (cfg.edge && cfg.edge.dns !== "cloudflare") {
    problems.push({ key: key("edge.dns"), value: cfg.edge.dns, message: "a DigitalOcean site's load balancer admits only Cloudflare's address ranges and serves a certificate Cloudflare's proxy trusts (allowed with a digitalocean site: cloudflare)" });
  }
  return problems;
}

function apiProblems(cfg: Checked): ConfigProblem[] {
  const api = cfg.api;
  if (!api) return [];
  const problems: ConfigProblem[] = [];
  if (api.arch !== "x86_64") {
    problems.push({ key: key("api.arch"), value: api.arch, message: "every droplet plan is x86-64 (Graviton is EC2-only) (allowed with a digitalocean site: x86_64)" });
  }
  if (api.schedules.length > 0) {
    problems.push({ key: key("api.schedules"), value: api.schedules.map((s) => s.name), message: "Droplet Autoscale pools scale on CPU and memory targets only; they have no scheduled actions (allowed with a digitalocean site: [])" });
  }
  const maxDrain = DO_POOL_SHUTDOWN_WINDOW_SECONDS - DO_DRAIN_MARGIN_SECONDS;
  if (api.drainSeconds > maxDrain) {
    problems.push({ key: key("api.drainSeconds"), value: api.drainSeconds, message: `does not fit the pool's ${DO_POOL_SHUTDOWN_WINDOW_SECONDS} s between shutting a droplet down and destroying it, with ${DO_DRAIN_MARGIN_SECONDS} s for the worker to stop (allowed with a digitalocean site: 5..${maxDrain})` });
  }
  if (api.minSize < 1) {
    problems.push({ key: key("api.minSize"), value: api.minSize, message: "a Droplet Autoscale pool keeps at least one droplet (allowed with a digitalocean site: ≥ 1)" });
  }
  return problems;
}

function sectionProblems(cfg: Checked): ConfigProblem[] {
  const d = cfg.digitalocean;
  if (!d) {
    return [{ key: key("digitalocean"), value: undefined, message: "is required with a digitalocean site: its sizes, versions, SSH public key, load-balancer certificate and dump region (allowed: { sshPublicKey, certificate: { name }, dumps: { region }, ... }, README config reference)" }];
  }
  const problems: ConfigProblem[] = [];
  if (!DO_MYSQL_VERSIONS.some((v) => v.version === d.database.version)) {
    problems.push({ key: key("digitalocean.database.version"), value: d.database.version, message: `is not a MySQL version DigitalOcean offers (allowed: ${DO_MYSQL_VERSIONS.map((v) => `${v.version} (MySQL ${v.upstreamMajor})`).join(", ")})` });
  }
  if (!DO_VALKEY_VERSIONS.includes(d.cache.version)) {
    problems.push({ key: key("digitalocean.cache.version"), value: d.cache.version, message: `is not a Valkey version DigitalOcean offers (allowed: ${DO_VALKEY_VERSIONS.join(", ")})` });
  }
  return problems;
}

/** DigitalOcean's provider cannot promote a DatabaseReplica: no replicating mode between DigitalOcean sites. */
function modeProblems(cfg: Checked): ConfigProblem[] {
  const { primary, secondary } = cfg.sites ?? {};
  const mode = cfg.dr?.mode;
  if (!mode || primary?.cloud !== "digitalocean" || secondary?.cloud !== "digitalocean" || !REPLICATING_MODES.includes(mode)) return [];
  return [{ key: key("dr.mode"), value: mode, message: `keeps a promotable replica in the standby, but promotion of a DigitalOcean replica exists only in the API and doctl, not in the Pulumi provider: a promoted replica reads as deleted and the next up would recreate it (allowed with two digitalocean sites: backup-restore)` }];
}

/**
 * Failing over in backup-restore creates the writer's database from a named recovery point, never
 * empty: an RDS snapshot on an AWS site (dr.restoreFromSnapshot, dr-rules.ts); on a DigitalOcean
 * site either a DigitalOcean cluster's backup (dr.restoreFromBackup: the provider's
 * backupRestore, whose source cluster must still answer) or a logical dump from the dump bucket in
 * a third region (dr.restoreFromDump: the secondary's ops runner loads it). Exactly one.
 */
function restoreSourceProblems(cfg: Checked): ConfigProblem[] {
  const dr = cfg.dr;
  const secondary = cfg.sites?.secondary;
  if (!dr) return [];
  const ontoDo = dr.mode === "backup-restore" && dr.activeSite === "secondary" && secondary?.cloud === "digitalocean";
  const backup = dr.restoreFromBackup;
  const dump = dr.restoreFromDump;
  if (ontoDo && backup === undefined && dump === undefined) {
    return [{ key: key("dr.restoreFromDump"), value: undefined, message: "is required to fail over in backup-restore onto the digitalocean secondary (or dr.restoreFromBackup): its database is restored, never empty (allowed: { key: dumps/<site>/<time>.sql.gz }, the newest object under dumps/primary/ in the dump bucket; or dr.restoreFromBackup: { databaseName } while the primary's cluster still answers)" }];
  }
  if (ontoDo && backup !== undefined && dump !== undefined) {
    return [{ key: key("dr.restoreFromDump"), value: dump, message: "and dr.restoreFromBackup are both set: the new cluster has one restore source (allowed: one of the two)" }];
  }
  const problems: ConfigProblem[] = [];
  if (backup !== undefined && !ontoDo) {
    problems.push({ key: key("dr.restoreFromBackup"), value: backup, message: "names a DigitalOcean backup, which only backup-restore failed over onto a digitalocean secondary restores from (allowed here: not set)" });
  }
  if (dump !== undefined && !ontoDo) {
    const why = secondary?.cloud === "aws" && dr.activeSite === "secondary"
      ? "RDS cannot load a logical dump: load it into an RDS instance with the ops tool, snapshot it and name the snapshot in dr.restoreFromSnapshot (README, DigitalOcean DR)"
      : "only backup-restore failed over onto a digitalocean secondary restores a dump";
    problems.push({ key: key("dr.restoreFromDump"), value: dump, message: `${why} (allowed here: not set)` });
  }
  return problems;
}

/** The dump bucket: a Spaces region, and never a region a site of this stack is in. */
function dumpProblems(cfg: Checked): ConfigProblem[] {
  const dumps = cfg.digitalocean?.dumps;
  if (!dumps) return [];
  const k = key("digitalocean.dumps.region");
  const siteRegions = Object.values(cfg.sites ?? {}).filter((s): s is ResolvedSite => s !== undefined).map((s) => s.region);
  if (!DO_SPACES_REGIONS.includes(dumps.region)) {
    return [{ key: k, value: dumps.region, message: `has no Spaces (allowed: ${DO_SPACES_REGIONS.filter((r) => !siteRegions.includes(r)).join(", ")})` }];
  }
  if (siteRegions.includes(dumps.region)) {
    return [{ key: k, value: dumps.region, message: `is a region of this stack's sites, and the dumps exist to outlive a regional outage (allowed: a Spaces region no site is in: ${DO_SPACES_REGIONS.filter((r) => !siteRegions.includes(r)).join(", ")})` }];
  }
  return [];
}

/**
 * Pin: a fenced DigitalOcean site's region may be down during the very run that fails over, and a
 * getDatabaseCa call there fails the whole run, so its cluster CA comes from config
 * (sites.<site>.databaseCaCertificate) while it is fenced. Only DigitalOcean sites take it.
 */
function caPinProblems(cfg: Checked): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const fenced = fencedSiteOf(cfg);
  for (const [name, site] of Object.entries(cfg.sites ?? {}) as [SiteKey, ResolvedSite | undefined][]) {
    if (!site) continue;
    const k = key(`sites.${name}.databaseCaCertificate`);
    if (site.cloud !== "digitalocean") {
      if (site.databaseCaCertificate !== undefined) problems.push({ key: k, value: "(a certificate)", message: `pins a DigitalOcean cluster's CA, and the ${name} is on ${site.cloud} (allowed: only on digitalocean sites)` });
      continue;
    }
    if (name === fenced && site.databaseCaCertificate === undefined) {
      problems.push({ key: k, value: undefined, message: `is required while the ${name} is fenced (dr.activeSite: ${cfg.dr?.activeSite}): its region may be down, and the getDatabaseCa call there fails the whole run (allowed: the PEM the site runs, stack output sites.${name}.pins.databaseCaCertificate from before the failover)` });
    }
  }
  return problems;
}
