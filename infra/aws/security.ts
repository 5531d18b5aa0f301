import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { peerOf } from "../topology/build";
import type { SiteTopology, Topology } from "../topology/types";
import { MYSQL_PORT, REDIS_PORT } from "./nacl-rules";
import { siteTags } from "./tags";

export interface SecurityChainArgs {
  readonly topology: Topology;
  readonly site: SiteTopology;
  readonly vpcId: pulumi.Input<string>;
}

/**
 * The security-group chain internet → load balancer → app → database / cache. Each hop references
 * the previous tier's group, never a CIDR (only the internet-facing load balancer takes CIDRs).
 * No SSH or RDP anywhere: instances are reached through SSM.
 */
export class SecurityChain extends pulumi.ComponentResource {
  public readonly loadBalancerSecurityGroupId: pulumi.Output<string>;
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

    const ingress = (rule: string, sg: aws.ec2.SecurityGroup, port: number, description: string, from: { cidrIpv4?: string; cidrIpv6?: string; sg?: aws.ec2.SecurityGroup }) =>
      new aws.vpc.SecurityGroupIngressRule(`${name}-${rule}`, {
        region,
        securityGroupId: sg.id,
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        cidrIpv4: from.cidrIpv4,
        cidrIpv6: from.cidrIpv6,
        referencedSecurityGroupId: from.sg?.id,
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

    ingress("lb-http-ipv4", lb, 80, "HTTP from the internet (IPv4), redirected to HTTPS when a certificate is set", { cidrIpv4: "0.0.0.0/0" });
    ingress("lb-http-ipv6", lb, 80, "HTTP from the internet (IPv6), redirected to HTTPS when a certificate is set", { cidrIpv6: "::/0" });
    ingress("lb-https-ipv4", lb, 443, "HTTPS from the internet (IPv4)", { cidrIpv4: "0.0.0.0/0" });
    ingress("lb-https-ipv6", lb, 443, "HTTPS from the internet (IPv6)", { cidrIpv6: "::/0" });
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
