import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { peerOf } from "../topology/build";
import type { SiteTopology, Topology } from "../topology/types";
import * as cloudflare from "@pulumi/cloudflare";
import { MYSQL_PORT, REDIS_PORT } from "./nacl-rules";
import { CLOUDFLARE_LIST_MAX_ENTRIES, managedPrefixListId, type OriginSource, packSources, weightOf } from "./origin-access";
import { siteTags } from "./tags";

export interface SecurityChainArgs {
  readonly topology: Topology;
  readonly site: SiteTopology;
  readonly vpcId: pulumi.Input<string>;
}

/**
 * The security-group chain edge → load balancer → app → database / cache. Each hop references
 * the previous tier's group, never a CIDR. The load balancer admits what the edge in front of it
 * says (origin-access.ts): CloudFront and the Route 53 health checkers, Cloudflare's ranges, or
 * the internet. No SSH or RDP anywhere: instances are reached through SSM.
 */
export class SecurityChain extends pulumi.ComponentResource {
  /** the load balancer's main group, which the app tier admits */
  public readonly loadBalancerSecurityGroupId: pulumi.Output<string>;
  /** every group the load balancer carries: the main one, then those its sources' weights need */
  public readonly loadBalancerSecurityGroupIds: pulumi.Output<string>[];
  /** behind CloudFront: the AWS-managed prefix lists it admits (what sites.<site>.prefixLists pins) */
  public readonly prefixListIds: { cloudfront?: pulumi.Output<string>; route53HealthChecks?: pulumi.Output<string> } = {};
  public readonly appSecurityGroupId: pulumi.Output<string>;
  public readonly databaseSecurityGroupId: pulumi.Output<string>;
  public readonly cacheSecurityGroupId: pulumi.Output<string>;
  /** the Lambda that creates the app's database user on this site's writer */
  public readonly provisionerSecurityGroupId: pulumi.Output<string>;

  constructor(name: string, args: SecurityChainArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:aws:SecurityChain", name, {}, opts);
    const { topology, site } = args;
    if (site.cloud !== "aws") throw new Error(`SecurityChain ${name}: site ${site.key} is on ${site.cloud}, not aws`);
    const region = site.region;
    const appPort = topology.app.port;

    const group = (tier: string, description: string) =>
      new aws.ec2.SecurityGroup(`${name}-${tier}`, {
        region,
        vpcId: args.vpcId,
        description,
        // rules are separate resources below; no inline rules, so nothing is implicitly allowed
        tags: { ...siteTags(topology, site, tier), Name: `${name}-${tier}` },
      }, { parent: this });

    const lb = group("load-balancer", "Internet-facing load balancer");
    const app = group("app", "API instances, reachable only from the load balancer");
    const db = group("database", "MySQL, reachable only from the API instances");
    const cache = group("cache", "Redis, reachable only from the API instances");
    const provisioner = group("db-provisioner", "Lambda that creates the app database user; MySQL out only");

    const ingress = (rule: string, sg: aws.ec2.SecurityGroup, port: number, description: string, from: { cidrIpv4?: string; cidrIpv6?: string; sg?: aws.ec2.SecurityGroup; prefixListId?: pulumi.Input<string> }) =>
      new aws.vpc.SecurityGroupIngressRule(`${name}-${rule}`, {
        region,
        securityGroupId: sg.id,
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        cidrIpv4: from.cidrIpv4,
        cidrIpv6: from.cidrIpv6,
        referencedSecurityGroupId: from.sg?.id,
        prefixListId: from.prefixListId,
        description,
      }, { parent: this });
    const egress = (rule: string, sg: aws.ec2.SecurityGroup, port: number, description: string, to: { cidrIpv4?: string; sg?: aws.ec2.SecurityGroup }) =>
      new aws.vpc.SecurityGroupEgressRule(`${name}-${rule}`, {
        region,
        securityGroupId: sg.id,
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        cidrIpv4: to.cidrIpv4,
        referencedSecurityGroupId: to.sg?.id,
        description,
      }, { parent: this });

    // the load balancer: its sources packed into groups by weight; the first is the main group
    const lbGroups = [lb];
    if (topology.edge.front === "direct") {
      ingress("lb-http-ipv4", lb, 80, "HTTP from the internet (IPv4), redirected to HTTPS when a certificate is set", { cidrIpv4: "0.0.0.0/0" });
      ingress("lb-http-ipv6", lb, 80, "HTTP from the internet (IPv6), redirected to HTTPS when a certificate is set", { cidrIpv6: "::/0" });
      ingress("lb-https-ipv4", lb, 443, "HTTPS from the internet (IPv4)", { cidrIpv4: "0.0.0.0/0" });
      ingress("lb-https-ipv6", lb, 443, "HTTPS from the internet (IPv6)", { cidrIpv6: "::/0" });
    } else {
      // behind CloudFront (which needs the certificate) or Cloudflare: only the listener's port
      const port = site.certificateArn !== undefined ? 443 : 80;
      const sources = originSources(name, this, topology, site);
      for (const source of sources) {
        if (source.key === "cloudfront" || source.key === "route53HealthChecks") this.prefixListIds[source.key] = pulumi.output(source.prefixListId);
      }
      packSources(sources.map((s) => ({ key: s.key, weight: weightOf(s) }))).forEach((members, i) => {
        const sg = i === 0 ? lb : group(`load-balancer-${i + 1}`, `Load balancer, more edge sources (rules by prefix-list weight: ${members.map((m) => `${m.key} ${m.weight}`).join(", ")})`);
        if (i > 0) lbGroups.push(sg);
        for (const m of members) {
          const source = sources.find((s) => s.key === m.key)!;
          if ("prefixListId" in source) ingress(`lb-from-${source.key}`, sg, port, source.description, { prefixListId: source.prefixListId });
        }
      });
    }
    egress("lb-to-app", lb, appPort, "Load balancer to the API port", { sg: app });

    ingress("app-from-lb", app, appPort, "API port from the load balancer only", { sg: lb });
    egress("app-https", app, 443, "HTTPS out through the NAT / S3 endpoint (packages, SSM, app bundle)", { cidrIpv4: "0.0.0.0/0" });
    egress("app-to-db", app, MYSQL_PORT, "MySQL to the database tier", { sg: db });
    egress("app-to-cache", app, REDIS_PORT, "Redis to the cache tier", { sg: cache });

    ingress("db-from-app", db, MYSQL_PORT, "MySQL from the API instances only", { sg: app });
    ingress("db-from-provisioner", db, MYSQL_PORT, "MySQL from the app-user provisioning Lambda", { sg: provisioner });
    egress("provisioner-to-db", provisioner, MYSQL_PORT, "MySQL to the database tier (creates the app user)", { sg: db });
    ingress("cache-from-app", cache, REDIS_PORT, "Redis from the API instances only", { sg: app });

    // Peered sites (Topology.peering): groups cannot be referenced across regions, so the other
    // site's app and data subnets are named by CIDR, for MySQL only. Descriptions stay inside EC2's
    // charset (a-zA-Z0-9 space ._-:/()#,@[]+=&;{}!$*): an apostrophe is refused at create time.
    const peer = peerOf(topology, site);
    peer?.subnets["private-app"].forEach((cidr, i) =>
      ingress(`db-from-peer-app-${i}`, db, MYSQL_PORT, `MySQL from the ${peer.key} site API subnet ${cidr} (peered, cross-region writes)`, { cidrIpv4: cidr }));
    peer?.subnets["private-data"].forEach((cidr, i) =>
      egress(`app-to-peer-db-${i}`, app, MYSQL_PORT, `MySQL to the ${peer.key} site data subnet ${cidr} (peered, the writer in the other region)`, { cidrIpv4: cidr }));

    this.loadBalancerSecurityGroupId = lb.id;
    this.loadBalancerSecurityGroupIds = lbGroups.map((g) => g.id);
    this.appSecurityGroupId = app.id;
    this.databaseSecurityGroupId = db.id;
    this.cacheSecurityGroupId = cache.id;
    this.provisionerSecurityGroupId = provisioner.id;
    this.registerOutputs({
      loadBalancerSecurityGroupId: this.loadBalancerSecurityGroupId,
      appSecurityGroupId: this.appSecurityGroupId,
      databaseSecurityGroupId: this.databaseSecurityGroupId,
      cacheSecurityGroupId: this.cacheSecurityGroupId,
      provisionerSecurityGroupId: this.provisionerSecurityGroupId,
    });
  }
}

/**
 * What the load balancer admits behind its edge: CloudFront's origin-facing servers and the Route 53
 * health checkers of the site's region (its `/readyz` checks), or Cloudflare's published IPv4
 * ranges (the ALB is IPv4 only), kept in a customer-managed prefix list of the site's region.
 */
function originSources(name: string, parent: pulumi.Resource, topology: Topology, site: SiteTopology): OriginSource[] {
  const opts = { parent };
  if (topology.edge.front === "cloudfront") {
    return [
      { key: "cloudfront", prefixListId: managedPrefixListId(topology, site, "cloudfront", opts), description: "Listener port from CloudFront origin-facing servers only (users call CloudFront)" },
      { key: "route53HealthChecks", prefixListId: managedPrefixListId(topology, site, "route53HealthChecks", opts), description: "Listener port from Route 53 health checkers (site readiness checks of the edge records)" },
    ];
  }
  // Cloudflare's API is global: reading its ranges calls nothing in the site's region
  const ranges = cloudflare.getIpRangesOutput({}, opts);
  const list = new aws.ec2.ManagedPrefixList(`${name}-cloudflare`, {
    region: site.region,
    name: `${topology.project}-${topology.environment}-${site.key}-cloudflare`,
    addressFamily: "IPv4",
    maxEntries: CLOUDFLARE_LIST_MAX_ENTRIES,
    entries: ranges.ipv4Cidrs.apply((cidrs) => {
      if (cidrs.length > CLOUDFLARE_LIST_MAX_ENTRIES) throw new Error(`Cloudflare publishes ${cidrs.length} IPv4 ranges, over the ${CLOUDFLARE_LIST_MAX_ENTRIES} the prefix list holds`);
      return cidrs.map((cidr) => ({ cidr, description: "Cloudflare (published range)" }));
    }),
    tags: { ...siteTags(topology, site, "load-balancer"), Name: `${name}-cloudflare` },
  }, opts);
  return [{ key: "cloudflare", prefixListId: list.id, description: "Listener port from the Cloudflare proxy and monitors only (published IPv4 ranges)" }];
}
