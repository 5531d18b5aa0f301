import { DO_DRAIN_MARGIN_SECONDS, DO_MYSQL_VERSIONS, DO_POOL_SHUTDOWN_WINDOW_SECONDS, DO_SPACES_REGIONS, DO_VALKEY_VERSIONS } from "../facts/digitalocean";
import { NODE_ID_BITS_FACT } from "../facts/node-id";
import { REPLICATING_MODES } from "../facts/standby-shape";
import { prefixOf } from "./cidr";
import { ConfigProblem, NAMESPACE } from "./errors";
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
  if (sites.length === 0) return [...restoreSourceProblems(cfg)];
  return [...siteProblems(cfg, sites), ...apiProblems(cfg), ...sectionProblems(cfg), ...modeProblems(cfg), ...restoreSourceProblems(cfg)];
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
    return [{ key: key("digitalocean"), value: undefined, message: "is required with a digitalocean site: its sizes, versions, SSH public key and load-balancer certificate (allowed: { sshPublicKey, certificate: { name }, ... }, README config reference)" }];
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
 * empty: an RDS snapshot on an AWS site (dr.restoreFromSnapshot, dr-rules.ts), a DigitalOcean
 * cluster's backup on a DigitalOcean site (dr.restoreFromBackup).
 */
function restoreSourceProblems(cfg: Checked): ConfigProblem[] {
  const dr = cfg.dr;
  const secondary = cfg.sites?.secondary;
  if (!dr) return [];
  const k = key("dr.restoreFromBackup");
  const failingOver = dr.mode === "backup-restore" && dr.activeSite === "secondary" && secondary !== undefined;
  if (failingOver && secondary.cloud === "digitalocean" && dr.restoreFromBackup === undefined) {
    return [{ key: k, value: undefined, message: `is required to fail over in backup-restore onto the digitalocean secondary: its database is created from a DigitalOcean cluster's backup, never empty (allowed: { databaseName: <cluster holding the restored dump>, backupCreatedAt?: <ISO time> })` }];
  }
  if (dr.restoreFromBackup !== undefined && !(failingOver && secondary.cloud === "digitalocean")) {
    return [{ key: k, value: dr.restoreFromBackup, message: "names a DigitalOcean backup, which only backup-restore failed over onto a digitalocean secondary restores from (allowed here: not set)" }];
  }
  return [];
}
