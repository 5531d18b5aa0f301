import { MAX_WIDTH, row, shortType, warningLines, wrap } from "./layout";
import { GLOBAL, placeResources, type Placement } from "./placement";
import { routingPolicy, summaryLines } from "./site-summary";
import type { PlanResult, PlannedResource } from "./types";

// Renders a plan as what `pulumi up` would create: a summary of what each site runs, then one
// row per resource, by site (the region it is created in) and by the component that creates it,
// with the properties a reviewer checks (CIDRs, ports, sizes), then totals. Every line fits
// `width` columns (at most MAX_WIDTH): rows wrap their properties, never cut them.

/** The few inputs that matter for review, per resource type. */
export function keyProperties(r: PlannedResource): string {
  const i = r.inputs as Record<string, any>;
  const pick = (...keys: string[]) => keys.filter((k) => i[k] !== undefined && i[k] !== null).map((k) => `${k}=${short(i[k])}`).join(" ");
  switch (r.type) {
    case "aws:ec2/vpc:Vpc": return pick("cidrBlock");
    case "aws:ec2/subnet:Subnet": return pick("cidrBlock", "availabilityZone");
    case "aws:ec2/route:Route": return `${i.destinationCidrBlock} -> ${i.gatewayId ? "igw" : i.natGatewayId ? "nat" : i.vpcPeeringConnectionId ? "peering" : "?"}`;
    case "aws:ec2/networkAclRule:NetworkAclRule": return `#${i.ruleNumber} ${i.egress ? "out" : "in"} ${i.protocol} ${i.fromPort}-${i.toPort} ${i.egress ? "to" : "from"} ${i.cidrBlock}`;
    case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
    case "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule":
      return `${i.ipProtocol} ${i.fromPort}-${i.toPort} ${r.type.includes("Ingress") ? "from" : "to"} ${i.cidrIpv4 ?? i.cidrIpv6 ?? (i.referencedSecurityGroupId ? `sg:${String(i.referencedSecurityGroupId).replace(/-id$/, "")}` : i.prefixListId ? `prefix list ${String(i.prefixListId).replace(/-id$/, "")}` : "?")}`;
    case "aws:ec2/natGateway:NatGateway": return pick("connectivityType");
    case "aws:ec2/vpcEndpoint:VpcEndpoint": return pick("serviceName", "vpcEndpointType");
    case "aws:ec2/flowLog:FlowLog": return pick("trafficType", "logDestinationType");
    case "aws:cloudwatch/logGroup:LogGroup": return pick("name", "retentionInDays");
    case "aws:rds/instance:Instance": return pick("instanceClass", "multiAz", "storageEncrypted", "backupRetentionPeriod", "replicateSourceDb");
    case "aws:autoscaling/group:Group": return pick("minSize", "maxSize", "desiredCapacity");
    case "aws:ec2/launchTemplate:LaunchTemplate": return pick("instanceType", "imageId");
    case "aws:route53/record:Record": return [pick("name", "type"), routingPolicy(i)].filter(Boolean).join(" ");
    case "aws:elasticache/replicationGroup:ReplicationGroup": return pick("nodeType", "numCacheClusters", "automaticFailoverEnabled");
    case "digitalocean:index/vpc:Vpc": return pick("ipRange", "region");
    case "digitalocean:index/firewall:Firewall": return (i.inboundRules ?? []).map((rule: any) => `in ${rule.protocol} ${rule.portRange} from ${rule.sourceLoadBalancerUids ? "load balancer" : short(rule.sourceAddresses)}`).join("; ");
    default: return "";
  }
}

function short(v: unknown): string {
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export interface PlanSummary {
  readonly perSite: Record<string, number>;
  readonly custom: number;
  readonly components: number;
}

export function summarize(plan: PlanResult, placements = placeResources(plan)): PlanSummary {
  const perSite: Record<string, number> = {};
  for (const r of plan.resources) if (r.custom) perSite[siteKey(r, placements)] = (perSite[siteKey(r, placements)] ?? 0) + 1;
  const custom = plan.resources.filter((r) => r.custom).length;
  return { perSite, custom, components: plan.resources.length - custom };
}

const siteKey = (r: PlannedResource, placements: ReadonlyMap<string, Placement>) => placements.get(r.urn)?.site ?? GLOBAL;

export function formatPlan(plan: PlanResult, width = MAX_WIDTH): string {
  width = Math.min(width, MAX_WIDTH);
  const placements = placeResources(plan);
  const out = plan.outputs as Record<string, any>;
  const lines = wrap(`Plan for stack "${plan.stack}": mode ${out.drMode}, active site ${out.activeSite}`, width);
  if (out.recoveryObjectives) lines.push(...wrap(`Designed RTO ${out.recoveryObjectives.rto} (≤ ${out.recoveryObjectives.rtoSeconds} s), RPO ${out.recoveryObjectives.rpo} (≤ ${out.recoveryObjectives.rpoSeconds} s)`, width));
  lines.push(...warningLines((out.warnings ?? []) as string[], width));
  lines.push("", ...summaryLines(plan, placements, width));
  lines.push("", ...wrap("Resources by site (the region they are created in; regionless ones with their parent) and by the component that creates them. Types as the SDKs name them (aws.s3.BucketPolicy is aws:s3/bucketPolicy:BucketPolicy); @region marks a region other than the site's.", width));
  const custom = plan.resources.filter((r) => r.custom);
  const regions = (plan.config.sites ?? {}) as Record<string, { region?: string } | undefined>;
  for (const site of siteOrder(custom.map((r) => siteKey(r, placements)))) {
    const inSite = custom.filter((r) => siteKey(r, placements) === site);
    const region = regions[site]?.region;
    lines.push("", `== ${site}${region ? ` (${region})` : ""}: ${inSite.length} resources`);
    const groups = new Map<string, PlannedResource[]>();
    // the site's own components first, in the order the program creates them
    const shared = (r: PlannedResource) => Number(placements.get(r.urn)!.shared);
    for (const r of [...inSite].sort((a, b) => shared(a) - shared(b))) {
      const p = placements.get(r.urn)!;
      const key = p.groupType ? `${p.group} (${p.shared ? "stack-wide " : ""}${p.groupType})` : p.group;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    for (const [key, rs] of groups) lines.push(`-- ${key}`, ...groupRows(rs, region, width));
  }
  const s = summarize(plan, placements);
  lines.push("", "Totals (resources to create):");
  for (const [site, n] of Object.entries(s.perSite).sort()) lines.push(`  ${site.padEnd(10)} ${n}`);
  lines.push(`  all        ${s.custom} resources (+ ${s.components} component resources)`);
  return lines.join("\n");
}

/** Sites in the config's order first (primary, secondary), then the stack-wide ones. */
function siteOrder(sites: readonly string[]): string[] {
  return [...new Set(sites)].sort((a, b) => Number(a === GLOBAL) - Number(b === GLOBAL) || a.localeCompare(b));
}

/** A group's rows, its columns as wide as its own widest type and name; properties wrap. */
function groupRows(rs: readonly PlannedResource[], siteRegion: string | undefined, width: number): string[] {
  const types = rs.map((r) => shortType(r.type));
  const widths = [Math.max(...types.map((t) => t.length)), Math.max(...rs.map((r) => r.name.length))];
  const indent = 2 + widths[0] + 1 + widths[1] + 1;
  // properties start in their column when it leaves room, else on the next lines
  const propIndent = width - indent >= 30 ? indent : 6;
  return rs.flatMap((r, n) => {
    const where = r.region && r.region !== siteRegion ? `@${r.region}` : "";
    const props = [where, keyProperties(r)].filter(Boolean).join(" ");
    const head = `  ${row([types[n], r.name], widths)}`;
    if (!props) return [head];
    if (propIndent === indent) return wrap(props, width, head.padEnd(indent - 1), " ".repeat(indent));
    return [head, ...wrap(props, width, " ".repeat(propIndent), " ".repeat(propIndent))];
  });
}
