import { cidrContains } from "../../infra/config/cidr";
import type { PlanResult, PlannedResource } from "./types";

// Static reachability over a plan: can the internet reach a subnet tier or a security group?
// Each check returns the reasons it found (empty = no path), so tests can assert both ways.
// Resources are linked through their mock ids (`<name>-id`), as the offline mocks assign them.

const byType = (plan: PlanResult, type: string) => plan.resources.filter((r) => r.type === type);
const idOf = (r: PlannedResource) => `${r.name}-id`;
const str = (v: unknown) => (typeof v === "string" ? v : undefined);

/** Subnets of a site's tier, found by their tags. */
export function subnetsOf(plan: PlanResult, site: string, tier: string): PlannedResource[] {
  return byType(plan, "aws:ec2/subnet:Subnet").filter((s) => {
    const tags = s.inputs.tags as Record<string, string> | undefined;
    return tags?.site === site && tags?.tier === tier;
  });
}

/** Routes leaving the VPC (to an internet or NAT gateway) from the tier's route tables. */
export function internetRoutes(plan: PlanResult, subnets: PlannedResource[]): string[] {
  const subnetIds = new Set(subnets.map(idOf));
  const tables = new Set(
    byType(plan, "aws:ec2/routeTableAssociation:RouteTableAssociation")
      .filter((a) => subnetIds.has(String(a.inputs.subnetId)))
      .map((a) => String(a.inputs.routeTableId)),
  );
  return byType(plan, "aws:ec2/route:Route")
    .filter((r) => tables.has(String(r.inputs.routeTableId)) && (r.inputs.gatewayId || r.inputs.natGatewayId || r.inputs.transitGatewayId))
    .map((r) => `route ${r.name}: ${str(r.inputs.destinationCidrBlock)} via ${r.inputs.gatewayId ? "internet gateway" : "NAT gateway"}`);
}

/**
 * NACL ingress rules on the tier's subnets admitting any source outside `allowedSources`
 * (the CIDRs that may talk to it).
 */
export function naclIngressFromOutside(plan: PlanResult, subnets: PlannedResource[], allowedSources: readonly string[]): string[] {
  const subnetIds = new Set(subnets.map(idOf));
  const acls = byType(plan, "aws:ec2/networkAcl:NetworkAcl").filter((acl) =>
    ((acl.inputs.subnetIds as string[] | undefined) ?? []).some((id) => subnetIds.has(id)),
  );
  const aclIds = new Set(acls.map(idOf));
  if (subnets.length > 0 && acls.length === 0) return ["no NACL on the tier: the VPC's default NACL allows everything"];
  return byType(plan, "aws:ec2/networkAclRule:NetworkAclRule")
    .filter((rule) => aclIds.has(String(rule.inputs.networkAclId)) && rule.inputs.egress !== true && rule.inputs.ruleAction === "allow")
    .filter((rule) => {
      const source = str(rule.inputs.cidrBlock) ?? str(rule.inputs.ipv6CidrBlock) ?? "0.0.0.0/0";
      return source.includes(":") || !allowedSources.some((allowed) => cidrContains(allowed, source));
    })
    .map((rule) => `nacl rule ${rule.name}: in ${rule.inputs.fromPort}-${rule.inputs.toPort} from ${rule.inputs.cidrBlock ?? rule.inputs.ipv6CidrBlock}`);
}

/**
 * Ingress rules on a security group that admit anything but the named source groups (or a CIDR
 * inside `allowedCidrs`, for sources in another region, which groups cannot reference).
 */
export function sgIngressFromOutside(plan: PlanResult, groupName: string, allowedGroupNames: readonly string[], allowedCidrs: readonly string[] = []): string[] {
  const allowed = new Set(allowedGroupNames.map((n) => `${n}-id`));
  const problems: string[] = [];
  const group = plan.resources.find((r) => r.type === "aws:ec2/securityGroup:SecurityGroup" && r.name === groupName);
  if (!group) return [`no security group ${groupName}`];
  for (const inline of (group.inputs.ingress as Record<string, unknown>[] | undefined) ?? []) {
    problems.push(`inline ingress on ${groupName}: ${JSON.stringify(inline)}`);
  }
  for (const rule of byType(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")) {
    if (rule.inputs.securityGroupId !== idOf(group)) continue;
    const ref = str(rule.inputs.referencedSecurityGroupId);
    if (ref && allowed.has(ref)) continue;
    const cidr = str(rule.inputs.cidrIpv4);
    if (cidr && allowedCidrs.some((a) => cidrContains(a, cidr))) continue;
    problems.push(`sg rule ${rule.name}: in ${rule.inputs.fromPort}-${rule.inputs.toPort} from ${rule.inputs.cidrIpv4 ?? rule.inputs.cidrIpv6 ?? ref ?? rule.inputs.prefixListId}`);
  }
  return problems;
}

/**
 * The app-tier subnets of the other sites when the plan peers the sites' VPCs: private subnets
 * themselves reachable only through their load balancer, so the data tier may admit them.
 */
export function peeredAppCidrs(plan: PlanResult, site: string): string[] {
  if (byType(plan, "aws:ec2/vpcPeeringConnection:VpcPeeringConnection").length === 0) return [];
  return byType(plan, "aws:ec2/subnet:Subnet")
    .filter((s) => {
      const tags = s.inputs.tags as Record<string, string> | undefined;
      return tags?.tier === "private-app" && tags.site !== site;
    })
    .map((s) => String(s.inputs.cidrBlock));
}

/** Every way the internet could reach a site's private-data tier (empty = none). */
export function dataTierExposure(plan: PlanResult, site: string, sitePrefix = site): string[] {
  const data = subnetsOf(plan, site, "private-data");
  const app = subnetsOf(plan, site, "private-app").map((s) => String(s.inputs.cidrBlock));
  const peerApp = peeredAppCidrs(plan, site);
  return [
    ...(data.length === 0 ? [`no private-data subnets found for ${site}`] : []),
    ...internetRoutes(plan, data),
    ...naclIngressFromOutside(plan, data, [...app, ...peerApp]),
    // only MySQL crosses the peering: the cache admits its own site's app group alone
    // the app-user provisioning Lambda's group admits nothing itself (checked below)
    ...sgIngressFromOutside(plan, `${sitePrefix}-sg-database`, [`${sitePrefix}-sg-app`, `${sitePrefix}-sg-db-provisioner`], peerApp),
    ...sgIngressFromOutside(plan, `${sitePrefix}-sg-db-provisioner`, []),
    ...sgIngressFromOutside(plan, `${sitePrefix}-sg-cache`, [`${sitePrefix}-sg-app`]),
  ];
}

/** The security groups a site's ALB carries (`<site>-api` load balancer), by name. */
export function loadBalancerGroups(plan: PlanResult, site: string): string[] {
  const alb = byType(plan, "aws:lb/loadBalancer:LoadBalancer").find((r) => r.name === `${site}-api`);
  const ids = new Set(((alb?.inputs.securityGroups as string[] | undefined) ?? []).map(String));
  return byType(plan, "aws:ec2/securityGroup:SecurityGroup").filter((g) => ids.has(idOf(g))).map((g) => g.name);
}

/**
 * Who may open a connection to a site's ALB: one line per ingress rule on any of its groups,
 * "<port> from <cidr>" or "<port> from prefix list <id>" (empty = nobody).
 */
export function loadBalancerSources(plan: PlanResult, site: string): string[] {
  const groups = new Set(loadBalancerGroups(plan, site).map((n) => `${n}-id`));
  return byType(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    .filter((rule) => groups.has(String(rule.inputs.securityGroupId)))
    .map((rule) => {
      const i = rule.inputs;
      const from = str(i.cidrIpv4) ?? str(i.cidrIpv6) ?? (str(i.prefixListId) ? `prefix list ${str(i.prefixListId)}` : `sg ${str(i.referencedSecurityGroupId)}`);
      return `${i.fromPort === i.toPort ? i.fromPort : `${i.fromPort}-${i.toPort}`} from ${from}`;
    })
    .sort();
}

/** The ALB's rules open to the whole internet (0.0.0.0/0 or ::/0); empty behind CloudFront or Cloudflare. */
export function loadBalancerOpenToInternet(plan: PlanResult, site: string): string[] {
  return loadBalancerSources(plan, site).filter((s) => s.endsWith(" from 0.0.0.0/0") || s.endsWith(" from ::/0"));
}
