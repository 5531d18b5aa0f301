import { wrap } from "./layout";
import { GLOBAL, type Placement } from "./placement";
import type { PlanResult, PlannedResource } from "./types";

// The plan's opening summary: what each site runs (its role, API fleet, database, cache, NAT)
// and how the edge routes, read from the Deployment's inputs, the stack outputs and the planned
// resources themselves, so it shows what this state creates, not what the config asked for.

interface SiteState { role?: string; servesTraffic?: boolean; database?: string }

const ASG = "aws:autoscaling/group:Group";
const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const SCHEDULE = "aws:autoscaling/schedule:Schedule";
const RDS = "aws:rds/instance:Instance";
const REDIS = "aws:elasticache/replicationGroup:ReplicationGroup";
const NAT = "aws:ec2/natGateway:NatGateway";
const RECORD = "aws:route53/record:Record";
const CF_LB = "cloudflare:index/loadBalancer:LoadBalancer";
const CF_POOL = "cloudflare:index/loadBalancerPool:LoadBalancerPool";
const DO_POOL = "digitalocean:index/dropletAutoscale:DropletAutoscale";
const DO_CLUSTER = "digitalocean:index/databaseCluster:DatabaseCluster";
const DO_REPLICA = "digitalocean:index/databaseReplica:DatabaseReplica";
const DO_DROPLET = "digitalocean:index/droplet:Droplet";
const DO_BUCKET = "digitalocean:index/spacesBucket:SpacesBucket";

export function summaryLines(plan: PlanResult, placements: ReadonlyMap<string, Placement>, width: number): string[] {
  const deployment = plan.resources.find((r) => !r.custom && r.type.endsWith(":index:Deployment"));
  const states = (deployment?.inputs.sites ?? {}) as Record<string, SiteState>;
  const fenced = deployment?.inputs.fencedSite;
  const outSites = ((plan.outputs as Record<string, unknown>).sites ?? {}) as Record<string, { cloud?: string; region?: string }>;
  const keys = [...new Set([...Object.keys(states), ...Object.keys(outSites)])];
  const lines = ["Sites:"];
  for (const key of keys) {
    const mine = plan.resources.filter((r) => r.custom && placements.get(r.urn)?.site === key);
    const s = states[key] ?? {};
    const where = [outSites[key]?.cloud, outSites[key]?.region].filter(Boolean).join(" ");
    const role = [s.role, fenced === key ? "fenced" : undefined, s.servesTraffic === undefined ? undefined : s.servesTraffic ? "serves traffic" : "no traffic"].filter(Boolean).join(", ");
    lines.push(...wrap(`${key.padEnd(10)} ${where}: ${role}`, width, "  ", "             "));
    const facts: [string, string | undefined][] = [
      ["api", apiLine(mine)],
      ["database", databaseLine(mine, s.database)],
      ["cache", cacheLine(mine)],
      ["network", natLine(mine)],
      ["ops", opsLine(mine, plan)],
    ];
    for (const [label, text] of facts) if (text) lines.push(...wrap(`${label.padEnd(9)} ${text}`, width, "    ", "              "));
  }
  const edge = edgeLines(plan, placements);
  if (edge.length > 0) {
    lines.push("Edge:");
    for (const e of edge) lines.push(...wrap(e, width, "  ", "      "));
  }
  return lines;
}

const ofType = (rs: readonly PlannedResource[], type: string) => rs.filter((r) => r.type === type);
const str = (v: unknown) => (typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? String(v) : "?");

function apiLine(rs: readonly PlannedResource[]): string | undefined {
  const groups = ofType(rs, ASG);
  const pools = ofType(rs, DO_POOL);
  if (pools.length > 0) return pools.map(doPool).join("; ");
  if (groups.length === 0) return "none";
  const types = [...new Set(ofType(rs, LAUNCH_TEMPLATE).map((t) => str(t.inputs.instanceType)))];
  const schedules = ofType(rs, SCHEDULE).map((s) => `${str(s.inputs.scheduledActionName ?? s.name)} ${str(s.inputs.minSize)}/${str(s.inputs.desiredCapacity)}/${str(s.inputs.maxSize)}`);
  return groups.map((g) => `${types.join(", ") || "?"}, min ${str(g.inputs.minSize)} / desired ${str(g.inputs.desiredCapacity)} / max ${str(g.inputs.maxSize)}`).join("; ")
    + (schedules.length > 0 ? `; scheduled ${schedules.join(", ")}` : "");
}

/** A DigitalOcean droplet autoscale pool; its template arrives secret-wrapped ({ value }). */
function doPool(p: PlannedResource): string {
  const i = p.inputs as Record<string, any>;
  const template = i.dropletTemplate && typeof i.dropletTemplate === "object" && "value" in i.dropletTemplate ? i.dropletTemplate.value : i.dropletTemplate;
  return `${str(template?.size)} droplets, min ${str(i.config?.minInstances)} / max ${str(i.config?.maxInstances)}`;
}

const isCache = (c: PlannedResource) => ["valkey", "redis"].includes(str(c.inputs.engine));

function databaseLine(rs: readonly PlannedResource[], role: string | undefined): string | undefined {
  const clusters = ofType(rs, DO_CLUSTER).filter((c) => !isCache(c));
  if (clusters.length > 0) {
    const reads = ofType(rs, DO_REPLICA);
    const readText = reads.length > 0 ? ` + ${reads.length} read replica${reads.length > 1 ? "s" : ""} (${[...new Set(reads.map((r) => str(r.inputs.size)))].join(", ")})` : "";
    return `${role ?? "?"}: ${clusters.map((c) => `${c.name} ${str(c.inputs.engine)} ${str(c.inputs.size)} × ${str(c.inputs.nodeCount)}`).join("; ")}${readText}`;
  }
  const dbs = ofType(rs, RDS);
  const source = (r: PlannedResource) => (typeof r.inputs.replicateSourceDb === "string" && r.inputs.replicateSourceDb !== "" ? r.inputs.replicateSourceDb : undefined);
  const local = new Set(dbs.map((d) => d.name));
  // a replica of an instance in this site is a read replica; of another site's, the site's database
  const main = dbs.filter((d) => !source(d) || !local.has(source(d)!));
  const reads = dbs.filter((d) => !main.includes(d));
  if (dbs.length === 0) return role && role !== "none" ? `${role}, no instance` : undefined;
  const describe = (d: PlannedResource) => {
    const src = source(d);
    return `${d.name}${src ? ` of ${src.split(":").pop()}` : ""}, ${str(d.inputs.instanceClass)}${d.inputs.multiAz === true ? " Multi-AZ" : ""}`;
  };
  const readText = reads.length > 0 ? ` + ${reads.length} read replica${reads.length > 1 ? "s" : ""} (${[...new Set(reads.map((r) => str(r.inputs.instanceClass)))].join(", ")})` : "";
  // the Deployment's role says what the instance is for: writer, replica, fenced (left as it was)
  return `${role ?? "?"}: ${main.map(describe).join("; ") || "no instance of its own"}${readText}`;
}

function cacheLine(rs: readonly PlannedResource[]): string | undefined {
  const groups = ofType(rs, REDIS);
  const clusters = ofType(rs, DO_CLUSTER).filter(isCache);
  if (clusters.length > 0) return clusters.map((c) => `${c.name} ${str(c.inputs.engine)} ${str(c.inputs.size)} × ${str(c.inputs.nodeCount)}`).join("; ");
  if (groups.length === 0) return undefined;
  return groups.map((g) => `${g.name} ${str(g.inputs.nodeType)} × ${str(g.inputs.numCacheClusters)}${g.inputs.automaticFailoverEnabled === true ? ", automatic failover" : ""}`).join("; ");
}

/** A DigitalOcean site's ops runner (infra/digitalocean/ops-runner.ts) and where its dumps go. */
function opsLine(rs: readonly PlannedResource[], plan: PlanResult): string | undefined {
  const runners = ofType(rs, DO_DROPLET).filter((d) => Array.isArray(d.inputs.tags) && d.inputs.tags.includes("tier:ops"));
  if (runners.length === 0) return undefined;
  const dumps = plan.resources.find((r) => r.type === DO_BUCKET && r.name === "dumps");
  const rule = (dumps?.inputs.lifecycleRules as { expiration?: { days?: number } }[] | undefined)?.[0];
  const where = dumps ? `dumps to ${str(dumps.inputs.name)} in ${str(dumps.inputs.region)}, kept ${str(rule?.expiration?.days)} d` : "no dump bucket";
  return `runner ${runners.map((d) => str(d.inputs.size)).join(", ")} (grants, restore); ${where}`;
}

function natLine(rs: readonly PlannedResource[]): string | undefined {
  const n = ofType(rs, NAT).length;
  return n > 0 || rs.some((r) => r.type === "aws:ec2/vpc:Vpc") ? `${n} NAT gateway${n === 1 ? "" : "s"}` : undefined;
}

/** Route 53 records (simple and by routing policy) and Cloudflare load balancers. */
function edgeLines(plan: PlanResult, placements: ReadonlyMap<string, Placement>): string[] {
  const regions = Object.entries(((plan.outputs as Record<string, unknown>).sites ?? {}) as Record<string, { region?: string }>);
  // an alias to a site's load balancer names the site (its DNS name holds its region)
  const target = (host: string) => regions.find(([, s]) => s.region && host.includes(`.${s.region}.`))?.[0] ?? host;
  const byName = new Map<string, string[]>();
  for (const r of plan.resources.filter((x) => x.type === RECORD && placements.get(x.urn)?.site === GLOBAL)) {
    const i = r.inputs as Record<string, any>;
    const to = Array.isArray(i.aliases) && i.aliases[0] ? target(str(i.aliases[0].name)) : Array.isArray(i.records) ? i.records.map(str).join(" ") : "?";
    const policy = routingPolicy(i);
    const shown = policy ? `${policy} ` : "";
    const health = i.healthCheckId ? " (health-checked)" : "";
    byName.set(str(i.name), [...(byName.get(str(i.name)) ?? []), `${shown}${to}${health}`]);
  }
  const out = [...byName].map(([name, targets]) => `${name} → ${targets.join(", ")}`);
  const pools = new Map(plan.resources.filter((r) => r.type === CF_POOL).map((p) => [`${p.name}-id`, p.name]));
  for (const lb of plan.resources.filter((r) => r.type === CF_LB)) {
    const i = lb.inputs as Record<string, any>;
    const names = (ids: unknown) => (Array.isArray(ids) ? ids : [ids]).map((id) => pools.get(str(id)) ?? str(id)).join(", ");
    out.push(`${str(i.name)} → Cloudflare load balancer, steering ${str(i.steeringPolicy)}: pools ${names(i.defaultPools)} (fallback ${names(i.fallbackPool)})`);
  }
  return out;
}

/** A Route 53 record's routing policy in a few words ("PRIMARY", "latency ap-northeast-1"); "" if simple. */
export function routingPolicy(i: Record<string, any>): string {
  const first = (k: string) => (Array.isArray(i[k]) && i[k][0] ? i[k][0] : undefined);
  if (first("failoverRoutingPolicies")) return str(first("failoverRoutingPolicies").type);
  if (first("latencyRoutingPolicies")) return `latency ${str(first("latencyRoutingPolicies").region)}`;
  if (first("geolocationRoutingPolicies")) {
    const g = first("geolocationRoutingPolicies");
    return `geo ${str(g.country ?? g.continent ?? g.subdivision ?? "*")}`;
  }
  if (first("weightedRoutingPolicies")) return `weight ${str(first("weightedRoutingPolicies").weight)}`;
  return "";
}
