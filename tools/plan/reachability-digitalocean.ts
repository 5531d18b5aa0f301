import { cidrContains } from "../../infra/config/cidr";
import { unwrapSecrets } from "../policy-review/review";
import type { PlanResult, PlannedResource } from "./types";

// Static reachability over a DigitalOcean site's plan, as reachability.ts does for AWS: who can
// open a connection to the data stores, the API droplets, the ops runner and the load balancer.
// Each check returns the reasons it found (empty = no path), so tests can assert both ways.
// Resources are linked through the values the offline mocks assign (`<name>-id`, a replica's
// `<name>-uuid`), and a site's resources are found by its `site:<key>` tag: the pool's droplet
// template, the droplets and the managed databases carry it; the load balancer and the
// firewalls are found through them.

const T = {
  pool: "digitalocean:index/dropletAutoscale:DropletAutoscale",
  droplet: "digitalocean:index/droplet:Droplet",
  loadBalancer: "digitalocean:index/loadBalancer:LoadBalancer",
  firewall: "digitalocean:index/firewall:Firewall",
  cluster: "digitalocean:index/databaseCluster:DatabaseCluster",
  replica: "digitalocean:index/databaseReplica:DatabaseReplica",
  databaseFirewall: "digitalocean:index/databaseFirewall:DatabaseFirewall",
} as const;

type Inputs = Record<string, unknown>;
const byType = (plan: PlanResult, type: string) => plan.resources.filter((r) => r.type === type);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strings = (v: unknown): string[] => list(v).filter((x): x is string => typeof x === "string");
const siteTag = (site: string) => `site:${site}`;

/** The tags the site's API pool puts on its droplets (the template arrives secret-wrapped: it carries the user data). */
export function apiDropletTags(plan: PlanResult, site: string): string[] {
  for (const pool of byType(plan, T.pool)) {
    const template = unwrapSecrets(pool.inputs.dropletTemplate) as Inputs | undefined;
    const tags = strings(template?.tags);
    if (tags.includes(siteTag(site))) return tags;
  }
  return [];
}

/** The site's load balancer: the one joining droplets by a tag the pool puts on them. */
export function siteLoadBalancer(plan: PlanResult, site: string): PlannedResource | undefined {
  const tags = apiDropletTags(plan, site);
  return byType(plan, T.loadBalancer).find((lb) => typeof lb.inputs.dropletTag === "string" && tags.includes(lb.inputs.dropletTag));
}

/** A database trusted source: a firewall rule's `type` and `value` (`tag` + the API tag, `droplet` + an id, ...). */
export interface TrustedSource {
  readonly type: string;
  readonly value: string;
}

/**
 * Every way something other than the API droplets could reach the site's MySQL clusters, read
 * replicas and Valkey: a store without a database firewall (DigitalOcean then accepts any
 * address), a store with two (each one's rules replace the other's: the API sets the whole list),
 * and any rule but the tag the load balancer joins the API droplets by (or one `alsoAllowed`
 * names for that store, such as the writer's ops runner droplet, which applies the grants).
 */
export function dataStoreExposure(plan: PlanResult, site: string, alsoAllowed: Readonly<Record<string, readonly TrustedSource[]>> = {}): string[] {
  const lb = siteLoadBalancer(plan, site);
  if (!lb) return [`no load balancer joins the API droplets of ${site}: the API tag is unknown`];
  const api: TrustedSource = { type: "tag", value: String(lb.inputs.dropletTag) };
  const ofSite = (r: PlannedResource) => strings(r.inputs.tags).includes(siteTag(site));
  const stores = [
    ...byType(plan, T.cluster).filter(ofSite).map((c) => ({ store: c, key: `${c.name}-id` })),
    ...byType(plan, T.replica).filter(ofSite).map((r) => ({ store: r, key: `${r.name}-uuid` })),
  ];
  if (stores.length === 0) return [`no managed databases found for ${site}`];
  const problems: string[] = [];
  for (const { store, key } of stores) {
    const firewalls = byType(plan, T.databaseFirewall).filter((f) => f.inputs.clusterId === key);
    if (firewalls.length === 0) problems.push(`${store.name}: no database firewall, so it accepts connections from any address`);
    if (firewalls.length > 1) problems.push(`${store.name}: ${firewalls.length} database firewalls (${firewalls.map((f) => f.name).sort().join(", ")}), each replacing the other's rules`);
    const allowed = [api, ...(alsoAllowed[store.name] ?? [])];
    for (const f of firewalls) {
      list(f.inputs.rules).forEach((raw, i) => {
        const rule = (raw ?? {}) as Inputs;
        if (allowed.some((a) => a.type === rule.type && a.value === rule.value)) return;
        problems.push(`${f.name} rules[${i}]: ${String(rule.type)} ${String(rule.value)} may connect to ${store.name}`);
      });
    }
  }
  return problems;
}

/** Ports the load balancer sends to: its forwarding rules' target ports and its health check's. */
function targetPorts(lb: PlannedResource): string[] {
  const ports = list(lb.inputs.forwardingRules).map((r) => (r as Inputs).targetPort);
  ports.push(((lb.inputs.healthcheck ?? {}) as Inputs).port);
  return [...new Set(ports.filter((p) => p !== undefined).map(String))];
}

const NON_LB_SOURCES = ["sourceAddresses", "sourceTags", "sourceDropletIds", "sourceKubernetesIds"] as const;

/** Cloud firewalls applying to droplets that carry one of `tags` or have one of `dropletIds`. */
function firewallsOn(plan: PlanResult, tags: readonly string[], dropletIds: readonly string[] = []): PlannedResource[] {
  return byType(plan, T.firewall).filter((f) => strings(f.inputs.tags).some((t) => tags.includes(t)) || list(f.inputs.dropletIds).some((id) => dropletIds.includes(String(id))));
}

/** The inbound rules that admit traffic (not `action: deny`), each with how messages name it. */
function admittingRules(firewalls: readonly PlannedResource[]): { rule: Inputs; what: string }[] {
  return firewalls.flatMap((f) => list(f.inputs.inboundRules).flatMap((raw, i) => {
    const rule = (raw ?? {}) as Inputs;
    return rule.action === "deny" ? [] : [{ rule, what: `${f.name} inboundRules[${i}]: ${String(rule.protocol)} ${String(rule.portRange ?? "all ports")}` }];
  }));
}

/**
 * Every way something but the site's load balancer could reach the API droplets: no cloud
 * firewall on any of their tags (a droplet without one accepts everything), or an inbound rule
 * admitting another source, another load balancer, or the load balancer on another protocol or
 * port than the ones it sends to.
 */
export function dropletExposure(plan: PlanResult, site: string): string[] {
  const tags = apiDropletTags(plan, site);
  if (tags.length === 0) return [`no API pool found for ${site}`];
  const lb = siteLoadBalancer(plan, site);
  if (!lb) return [`no load balancer joins the API droplets of ${site}`];
  const lbId = `${lb.name}-id`;
  const ports = targetPorts(lb);
  const firewalls = firewallsOn(plan, tags);
  if (firewalls.length === 0) return [`no cloud firewall on the API droplets (tags ${tags.join(", ")}): every port of their public interface is open`];
  const problems: string[] = [];
  for (const { rule, what } of admittingRules(firewalls)) {
    for (const key of NON_LB_SOURCES) {
      const sources = list(rule[key]);
      if (sources.length > 0) problems.push(`${what} from ${key} ${sources.join(", ")}`);
    }
    const lbs = strings(rule.sourceLoadBalancerUids);
    const others = lbs.filter((id) => id !== lbId);
    if (others.length > 0) problems.push(`${what} from load balancers ${others.join(", ")}`);
    if (lbs.includes(lbId) && (rule.protocol !== "tcp" || !ports.includes(String(rule.portRange)))) {
      problems.push(`${what} from the load balancer, which sends only to tcp ${ports.join(", ")}`);
    }
  }
  return problems;
}

/**
 * Every way anything could reach the site's ops runner (the droplet tagged `tier:ops`, holding
 * doadmin's credentials): no cloud firewall on it, or any inbound rule that admits traffic. It
 * only connects out (to MySQL, Spaces, the heartbeat); nothing connects to it.
 */
export function opsRunnerExposure(plan: PlanResult, site: string): string[] {
  const runners = byType(plan, T.droplet).filter((d) => strings(d.inputs.tags).includes(siteTag(site)) && strings(d.inputs.tags).includes("tier:ops"));
  if (runners.length === 0) return [`no ops runner found for ${site}`];
  return runners.flatMap((d) => {
    const firewalls = firewallsOn(plan, strings(d.inputs.tags), [`${d.name}-id`]);
    if (firewalls.length === 0) return [`${d.name}: no cloud firewall, so every port of its public interface is open`];
    return admittingRules(firewalls).map(({ what }) => `${what} admits traffic to ${d.name}`);
  });
}

/** `cidr:X` or `ip:Y` inside one of `ranges` (IPv4; anything unparsable is outside). */
function insideRanges(entry: string, ranges: readonly string[]): boolean {
  const m = /^(cidr|ip):(.+)$/.exec(entry);
  if (!m) return false;
  const cidr = m[1] === "ip" ? `${m[2]}/32` : m[2];
  return ranges.some((r) => {
    try {
      return cidrContains(r, cidr);
    } catch {
      return false;
    }
  });
}

/**
 * With a Cloudflare edge (config `edge.dns: cloudflare`), every way around the edge to the site's
 * load balancer: no firewall allow list (then any address may connect), or an allowed source
 * outside `cloudflareRanges` (Cloudflare's published ranges: getIpRanges at deployment, the
 * mocks' sample offline). Any other edge reaches the load balancer directly: nothing to check.
 */
export function loadBalancerExposure(plan: PlanResult, site: string, cloudflareRanges: readonly string[]): string[] {
  const edge = (plan.config.edge ?? {}) as Inputs;
  if (edge.dns !== "cloudflare") return [];
  const lb = siteLoadBalancer(plan, site);
  if (!lb) return [`no load balancer joins the API droplets of ${site}`];
  const allows = strings(((lb.inputs.firewall ?? {}) as Inputs).allows);
  if (allows.length === 0) return [`${lb.name}: no firewall allow list, so any address reaches it around the Cloudflare edge`];
  return allows.filter((a) => !insideRanges(a, cloudflareRanges)).map((a) => `${lb.name} firewall allows ${a}, outside Cloudflare's ranges`);
}
