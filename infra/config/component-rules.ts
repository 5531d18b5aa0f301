import { REPLICATING_MODES } from "../facts/standby-shape";
import { ConfigProblem, NAMESPACE } from "./errors";
import { API_LIMITS } from "./limits";
import type { ResolvedConfig, ResolvedSite } from "./resolved";
import { azsInRegion } from "./regions";

// What the components need of the config, refused here before anything registers. Each rule was
// once only a `throw` in a component, reachable from a config the schema accepts, so a user got a
// stack trace instead of the key (docs/component-invariants.md lists every component throw). The
// components keep their checks as invariants.

type Checked = Partial<ResolvedConfig>;

const key = (k: string) => `${NAMESPACE}:${k}`;

export function componentProblems(cfg: Checked): ConfigProblem[] {
  return [...awsZoneProblems(cfg), ...replicaMultiAzProblems(cfg), ...fleetSizeProblems(cfg), ...monitorProtocolProblems(cfg)];
}

/**
 * An AWS site needs two AZs: its RDS subnet group and its load balancer refuse one, and a cache
 * with replicas fails over across them (Database, CrossRegionReplica, ApiLoadBalancer, Cache).
 * A backup-restore standby holds none of them, but becomes the writer on failover, so every AWS
 * site is held to it. Prod's own rule (rules.ts) already says so there.
 */
function awsZoneProblems(cfg: Checked): ConfigProblem[] {
  if (cfg.environment === "prod") return [];
  const problems: ConfigProblem[] = [];
  for (const [name, site] of Object.entries(cfg.sites ?? {}) as [string, ResolvedSite | undefined][]) {
    if (site?.cloud !== "aws" || site.azCount >= 2) continue;
    const azs = azsInRegion("aws", site.region);
    // an unknown region is reported by its own rule
    if (azs === undefined) continue;
    problems.push({
      key: key(`sites.${name}.azCount`),
      value: site.azCount,
      message: `an AWS site's RDS subnet group and load balancer need subnets in at least 2 availability zones, and a backup-restore standby gets both on failover (allowed on aws: 2..${azs}; 1 only on digitalocean)`,
    });
  }
  return problems;
}

/**
 * In the replicating modes the standby's database is a cross-region replica that a failover
 * promotes to the writer, so in prod it must be Multi-AZ like the writer (CrossRegionReplica).
 * `database.multiAz` sizes both, so it is the key to blame.
 */
function replicaMultiAzProblems(cfg: Checked): ConfigProblem[] {
  const mode = cfg.dr?.mode;
  if (cfg.environment !== "prod" || cfg.database?.multiAz !== false || !mode || !REPLICATING_MODES.includes(mode)) return [];
  if (cfg.sites?.secondary?.cloud !== "aws") return [];
  return [{
    key: key("database.multiAz"),
    value: false,
    message: `dr.mode ${mode} keeps a cross-region replica that a failover promotes to the writer, so in prod it must be Multi-AZ like the writer (allowed in prod with ${mode}: true; false only with dr.mode backup-restore)`,
  }];
}

/**
 * The Auto Scaling group's bounds (ApiFleet): its max is at most API_LIMITS.maxSize.max, and a
 * scheduled action may not raise the group past it.
 */
function fleetSizeProblems(cfg: Checked): ConfigProblem[] {
  const api = cfg.api;
  if (!api) return [];
  const problems: ConfigProblem[] = [];
  const limit = API_LIMITS.maxSize.max;
  // the schema caps api.maxSize; an unset one follows api.minSize, which the schema does not cap
  if (api.maxSize > limit) {
    problems.push({ key: key("api.minSize"), value: api.minSize, message: `leaves api.maxSize unset, so it follows api.minSize past the largest group the program builds (allowed: 1..${limit})` });
  }
  // against bounds that are themselves refused (min > max, rules.ts) a schedule proves nothing
  if (api.minSize > api.maxSize) return problems;
  api.schedules.forEach((s, i) => {
    if (s.max > api.maxSize) {
      problems.push({ key: key(`api.schedules[${i}].max`), value: s.max, message: `exceeds api.maxSize ${api.maxSize}, the bound of the site's Auto Scaling group the schedule scales (allowed: 0..${api.maxSize}, or raise api.maxSize)` });
    }
  });
  return problems;
}

/**
 * Cloudflare checks every pool with one monitor, so the load balancers it routes to must speak
 * one protocol (CloudflareEdge). An AWS site's serves HTTPS with sites.<site>.certificateArn,
 * else HTTP; in the replicating modes the edge routes to both sites.
 */
function monitorProtocolProblems(cfg: Checked): ConfigProblem[] {
  const mode = cfg.dr?.mode;
  const sites = cfg.sites;
  if (cfg.edge?.dns !== "cloudflare" || !sites?.secondary || !mode || !REPLICATING_MODES.includes(mode)) return [];
  const { primary, secondary } = sites;
  if (primary.cloud !== "aws" || secondary.cloud !== "aws") return [];
  if ((primary.certificateArn === undefined) === (secondary.certificateArn === undefined)) return [];
  const [withCert, without, bare] = primary.certificateArn !== undefined ? (["primary", "secondary", secondary] as const) : (["secondary", "primary", primary] as const);
  return [{
    key: key(`sites.${without}.certificateArn`),
    value: undefined,
    message: `edge.dns cloudflare checks both sites' load balancers with one monitor (dr.mode ${mode} routes to both), and the ${withCert}'s serves HTTPS (sites.${withCert}.certificateArn) while the ${without}'s would serve HTTP (allowed: an ACM certificate ARN from ${bare.region} covering ${cfg.edge.domain}, or no certificate on either site)`,
  }];
}
