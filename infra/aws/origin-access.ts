import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { SiteTopology, Topology } from "../topology/types";

// Who may open a connection to a site's load balancer, by the edge in front of it (EdgePlan.front):
// behind CloudFront, CloudFront's origin-facing servers and the Route 53 health checkers (AWS-managed
// prefix lists); behind Cloudflare, Cloudflare's published ranges; reached directly, the internet.
// A prefix list counts against a security group's rule quota by its maximum entries (its weight),
// so the sources are packed into as many groups as their weights need (the ALB takes up to 5).

/** Inbound rules per security group (Amazon VPC quotas, default; adjustable). */
export const SG_INBOUND_RULES = 60;
/** Security groups per network interface, so per ALB (Amazon VPC quotas, default). */
export const SG_PER_LOAD_BALANCER = 5;

/** AWS-managed prefix lists a load balancer behind CloudFront admits (VPC User Guide, AWS-managed prefix lists). */
export const CLOUDFRONT_ORIGIN_FACING = "com.amazonaws.global.cloudfront.origin-facing";
export const route53HealthChecksList = (region: string) => `com.amazonaws.${region}.route53-healthchecks`;
/** Their weights: the rules each reference counts as. */
export const PREFIX_LIST_WEIGHT = { cloudfront: 55, route53HealthChecks: 25 } as const;
/** Room for Cloudflare's IPv4 ranges (15 published today) in the customer-managed list that holds them. */
export const CLOUDFLARE_LIST_MAX_ENTRIES = 30;

export interface WeightedSource {
  /** what the rule is named by: "cloudfront", "route53HealthChecks", "cloudflare" */
  readonly key: string;
  readonly weight: number;
}

/**
 * Packs sources into security groups without exceeding `capacity` rules each (first fit, heaviest
 * first); the first group is the load balancer's main one (the app tier admits it). Throws when
 * a source alone is over capacity or more than `maxGroups` groups would be needed.
 */
export function packSources(sources: readonly WeightedSource[], capacity = SG_INBOUND_RULES, maxGroups = SG_PER_LOAD_BALANCER): WeightedSource[][] {
  const groups: { used: number; members: WeightedSource[] }[] = [];
  for (const source of [...sources].sort((a, b) => b.weight - a.weight)) {
    if (source.weight > capacity) throw new Error(`${source.key} weighs ${source.weight} rules, over the ${capacity} a security group holds`);
    const fit = groups.find((g) => g.used + source.weight <= capacity);
    if (fit) {
      fit.used += source.weight;
      fit.members.push(source);
    } else {
      groups.push({ used: source.weight, members: [source] });
    }
  }
  if (groups.length > maxGroups) throw new Error(`the load balancer's sources need ${groups.length} security groups, over the ${maxGroups} an ALB takes`);
  return groups.length === 0 ? [[]] : groups.map((g) => g.members);
}

/** One source the load balancer admits on its listener port. */
export type OriginSource =
  | { readonly key: "cloudfront" | "route53HealthChecks"; readonly prefixListId: pulumi.Input<string>; readonly description: string }
  | { readonly key: "cloudflare"; readonly prefixListId: pulumi.Input<string>; readonly description: string }
  | { readonly key: "internet-ipv4"; readonly cidrIpv4: "0.0.0.0/0"; readonly description: string }
  | { readonly key: "internet-ipv6"; readonly cidrIpv6: "::/0"; readonly description: string };

export const weightOf = (s: OriginSource): number =>
  s.key === "cloudfront" || s.key === "route53HealthChecks" ? PREFIX_LIST_WEIGHT[s.key] : s.key === "cloudflare" ? CLOUDFLARE_LIST_MAX_ENTRIES : 1;

/**
 * The id of an AWS-managed prefix list in the site's region: the pin (sites.<site>.prefixLists),
 * else a lookup there, which a fenced site never makes (its region may be down).
 */
export function managedPrefixListId(topology: Topology, site: SiteTopology, key: "cloudfront" | "route53HealthChecks", opts: pulumi.InvokeOutputOptions): pulumi.Output<string> {
  const pinned = site.pins?.prefixLists?.[key];
  if (pinned !== undefined) return pulumi.output(pinned);
  if (topology.fencedSite === site.key) throw new Error(`site ${site.key} is fenced: sites.${site.key}.prefixLists.${key} must be pinned, no lookup goes to ${site.region} (config validation should have refused it)`);
  const name = key === "cloudfront" ? CLOUDFRONT_ORIGIN_FACING : route53HealthChecksList(site.region);
  return aws.ec2.getManagedPrefixListOutput({ name, region: site.region }, opts).id;
}
