import type { PlanResult, PlannedResource } from "./types";

// Renders a plan as what `pulumi up` would create: one row per resource, grouped by site and
// tier, with the properties a reviewer checks (CIDRs, ports, sizes), then totals.

const TIERS = ["public", "private-app", "private-data", "load-balancer", "app", "database", "cache", "cdn", "observability", "backup", "edge", "network"];

export function siteOf(r: PlannedResource): string {
  const tag = tagsOf(r).site;
  if (tag) return tag;
  const head = r.name.split("-")[0];
  return head === "primary" || head === "secondary" ? head : "global";
}

export function tierOf(r: PlannedResource): string {
  const tag = tagsOf(r).tier;
  if (tag) return tag;
  const hit = TIERS.find((t) => r.name.includes(`-${t}-`) || r.name.endsWith(`-${t}`));
  if (hit) return hit;
  return r.custom ? "other" : "component";
}

function tagsOf(r: PlannedResource): Record<string, string> {
  const tags = r.inputs.tags;
  if (Array.isArray(tags)) return Object.fromEntries(tags.map((t: any) => [t.key, t.value]));
  return (tags && typeof tags === "object" ? tags : {}) as Record<string, string>;
}

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
      return `${i.ipProtocol} ${i.fromPort}-${i.toPort} ${r.type.includes("Ingress") ? "from" : "to"} ${i.cidrIpv4 ?? i.cidrIpv6 ?? (i.referencedSecurityGroupId ? `sg:${String(i.referencedSecurityGroupId).replace(/-id$/, "")}` : "?")}`;
    case "aws:ec2/natGateway:NatGateway": return pick("connectivityType");
    case "aws:ec2/vpcEndpoint:VpcEndpoint": return pick("serviceName", "vpcEndpointType");
    case "aws:ec2/flowLog:FlowLog": return pick("trafficType", "logDestinationType");
    case "aws:cloudwatch/logGroup:LogGroup": return pick("name", "retentionInDays");
    case "aws:rds/instance:Instance": return pick("instanceClass", "multiAz", "storageEncrypted", "backupRetentionPeriod", "replicateSourceDb");
    case "aws:autoscaling/group:Group": return pick("minSize", "maxSize", "desiredCapacity");
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

export function summarize(plan: PlanResult): PlanSummary {
  const perSite: Record<string, number> = {};
  for (const r of plan.resources) if (r.custom) perSite[siteOf(r)] = (perSite[siteOf(r)] ?? 0) + 1;
  const custom = plan.resources.filter((r) => r.custom).length;
  return { perSite, custom, components: plan.resources.length - custom };
}

export function formatPlan(plan: PlanResult): string {
  const lines: string[] = [];
  const out = plan.outputs as Record<string, any>;
  lines.push(`Plan for stack "${plan.stack}": mode ${out.drMode}, active site ${out.activeSite}`);
  if (out.recoveryObjectives) lines.push(`Designed RTO ${out.recoveryObjectives.rto} (≤ ${out.recoveryObjectives.rtoSeconds} s), RPO ${out.recoveryObjectives.rpo} (≤ ${out.recoveryObjectives.rpoSeconds} s)`);
  for (const w of (out.warnings ?? []) as string[]) lines.push(`warning: ${w}`);
  const groups = new Map<string, PlannedResource[]>();
  for (const r of plan.resources.filter((x) => x.custom)) {
    const key = `${siteOf(r)} / ${tierOf(r)}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  for (const key of [...groups.keys()].sort()) {
    lines.push("", `== ${key}`);
    for (const r of groups.get(key)!) {
      lines.push(`  ${r.type.padEnd(58)} ${r.name.padEnd(40)} ${(r.region ?? "-").padEnd(15)} ${keyProperties(r)}`.trimEnd());
    }
  }
  const s = summarize(plan);
  lines.push("", "Totals (resources to create):");
  for (const [site, n] of Object.entries(s.perSite).sort()) lines.push(`  ${site.padEnd(10)} ${n}`);
  lines.push(`  all        ${s.custom} resources (+ ${s.components} component resources)`);
  return lines.join("\n");
}
