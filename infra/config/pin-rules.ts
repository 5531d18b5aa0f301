import type { SiteKey } from "../facts/vocabulary";
import { ConfigProblem, NAMESPACE } from "./errors";
import { edgeFrontOf, type FrontInputs } from "./edge-rules";
import { consistentGenerations, lineage } from "./lineage";
import type { ResolvedConfig, ResolvedSite } from "./resolved";

// Pins: what an AWS site would otherwise look up in its own region on every run (the API
// instances' AMI from SSM, the AZ names from EC2). A fenced site's region may be down during the
// very run that fails over, and a lookup there fails the whole `up` before any step runs; a newer
// AMI would also rewrite the fenced launch template. So a fenced AWS site must have both pinned,
// to the values it was deployed with (stack output sites.<site>.pins, or `npm run plan` of the
// state before the failover). A pin set on any other site is used too: the value never drifts.

type Checked = Partial<ResolvedConfig>;

const key = (k: string) => `${NAMESPACE}:${k}`;

/** The pinned keys, in the order problems and hints name them. */
export const PIN_KEYS = ["amiId", "availabilityZones"] as const;

/** The prefix lists a load balancer behind CloudFront admits (sites.<site>.prefixLists). */
export const PREFIX_LIST_PINS = ["cloudfront", "route53HealthChecks"] as const;

/** The site fenced by this config (the old writer after a failover), from config alone. */
export function fencedSiteOf(cfg: Checked): SiteKey | undefined {
  const dr = cfg.dr;
  if (!dr || !cfg.sites?.secondary || !consistentGenerations(dr.databaseGeneration)) return undefined;
  return lineage(dr.databaseGeneration, dr.activeSite).fenced;
}

export function pinProblems(cfg: Checked): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const fenced = fencedSiteOf(cfg);
  for (const [name, site] of Object.entries(cfg.sites ?? {}) as [SiteKey, ResolvedSite | undefined][]) {
    if (!site) continue;
    if (site.cloud !== "aws") {
      for (const k of [...PIN_KEYS, "prefixLists"] as const) if (site[k] !== undefined) problems.push({ key: key(`sites.${name}.${k}`), value: site[k], message: `pins an AWS lookup, and the ${name} is on ${site.cloud} (allowed: only on aws sites)` });
      continue;
    }
    problems.push(...zoneProblems(name, site));
    if (name !== fenced) continue;
    const why = `required while the ${name} is fenced (dr.activeSite: ${cfg.dr?.activeSite}): its region may be down, and a lookup there fails the whole run`;
    if (site.amiId === undefined) problems.push({ key: key(`sites.${name}.amiId`), value: undefined, message: `${why} (allowed: the AMI id the ${name}'s launch template runs, stack output sites.${name}.pins.amiId from before the failover)` });
    if (site.availabilityZones === undefined) problems.push({ key: key(`sites.${name}.availabilityZones`), value: undefined, message: `${why} (allowed: the ${site.azCount} AZ names its subnets are in, in subnet order, stack output sites.${name}.pins.availabilityZones)` });
    if (cfg.edge && cfg.environment && cfg.cdn && edgeFrontOf(cfg as FrontInputs) === "cloudfront") {
      for (const list of PREFIX_LIST_PINS) {
        if (site.prefixLists?.[list] === undefined) problems.push({ key: key(`sites.${name}.prefixLists.${list}`), value: undefined, message: `${why} (allowed: the prefix list id its load balancer's security groups admit, stack output sites.${name}.pins.prefixLists.${list} from before the failover)` });
      }
    }
  }
  return problems;
}

/** Pinned AZ names: the site's own region, distinct, one per AZ it uses (subnet order). */
function zoneProblems(name: SiteKey, site: ResolvedSite): ConfigProblem[] {
  const zones = site.availabilityZones;
  if (zones === undefined) return [];
  const k = key(`sites.${name}.availabilityZones`);
  const foreign = zones.filter((z) => !new RegExp(`^${site.region}[a-z]$`).test(z));
  if (foreign.length > 0) return [{ key: k, value: zones, message: `${foreign.join(", ")} ${foreign.length === 1 ? "is" : "are"} not in ${site.region} (allowed: AZ names of the site's region, e.g. ${site.region}a)` }];
  if (new Set(zones).size !== zones.length) return [{ key: k, value: zones, message: "names an AZ twice (allowed: distinct AZ names)" }];
  if (zones.length !== site.azCount) return [{ key: k, value: zones, message: `has ${zones.length} AZ${zones.length === 1 ? "" : "s"}, the site uses ${site.azCount} (sites.${name}.azCount) (allowed: exactly ${site.azCount} names, in subnet order)` }];
  return [];
}
