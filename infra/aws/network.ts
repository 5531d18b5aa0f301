import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { peerOf } from "../topology/build";
import type { SiteTopology, SubnetTier, Topology } from "../topology/types";
import { SUBNET_TIERS } from "../topology/types";
import { FlowLogs } from "./flow-logs";
import { ANYWHERE, naclRules } from "./nacl-rules";
import { siteAvailabilityZones } from "./site-lookups";
import { siteTags } from "./tags";

export interface NetworkArgs {
  readonly topology: Topology;
  readonly site: SiteTopology;
}

/**
 * One site's VPC: public, private-app and private-data subnets in every AZ, an internet gateway,
 * NAT gateways (per AZ or one), route tables, stateless NACLs per tier, an S3 gateway endpoint,
 * flow logs, and the default security group adopted with no rules.
 */
export class Network extends pulumi.ComponentResource {
  public readonly vpcId: pulumi.Output<string>;
  public readonly availabilityZones: pulumi.Output<string[]>;
  public readonly publicSubnetIds: pulumi.Output<string>[];
  public readonly appSubnetIds: pulumi.Output<string>[];
  public readonly dataSubnetIds: pulumi.Output<string>[];
  public readonly privateRouteTableIds: pulumi.Output<string>[];
  public readonly natGatewayIds: pulumi.Output<string>[];

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:aws:Network", name, {}, opts);
    const { topology, site } = args;
    if (site.cloud !== "aws") throw new Error(`Network ${name}: site ${site.key} is on ${site.cloud}, not aws`);
    if (site.subnets.public.length !== site.azCount) throw new Error(`Network ${name}: subnet plan has ${site.subnets.public.length} AZs, site wants ${site.azCount}`);

    const region = site.region;
    const child = { parent: this };
    const tags = (tier: string, extra: Record<string, string> = {}) => ({ ...siteTags(topology, site, tier), ...extra });

    const vpc = new aws.ec2.Vpc(name, {
      region,
      cidrBlock: site.cidr,
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: tags("network", { Name: name }),
    }, child);

    // AZ names: pinned, or from the region at deploy time (never for a fenced site: site-lookups.ts); the plan decides how many
    const azs = siteAvailabilityZones(topology, site, child);

    const subnets = {} as Record<SubnetTier, aws.ec2.Subnet[]>;
    for (const tier of SUBNET_TIERS) {
      subnets[tier] = site.subnets[tier].map((cidr, i) => new aws.ec2.Subnet(`${name}-${tier}-${i}`, {
        region,
        vpcId: vpc.id,
        cidrBlock: cidr,
        availabilityZone: azs.apply((a) => a[i]),
        // nothing gets a public IP by accident: the ALB and NAT have their own
        mapPublicIpOnLaunch: false,
        tags: tags(tier, { Name: `${name}-${tier}-${i}` }),
      }, child));
    }

    const igw = new aws.ec2.InternetGateway(`${name}-igw`, { region, vpcId: vpc.id, tags: tags("network", { Name: `${name}-igw` }) }, child);

    const natCount = site.natGateways === "per-az" ? site.azCount : 1;
    const nats = Array.from({ length: natCount }, (_, i) => {
      const eip = new aws.ec2.Eip(`${name}-nat-${i}`, { region, domain: "vpc", tags: tags("network", { Name: `${name}-nat-${i}` }) }, child);
      return new aws.ec2.NatGateway(`${name}-nat-${i}`, {
        region,
        allocationId: eip.allocationId,
        subnetId: subnets.public[i].id,
        connectivityType: "public",
        tags: tags("network", { Name: `${name}-nat-${i}` }),
      }, { parent: this, dependsOn: [igw] });
    });

    // public: one table, default route to the internet gateway
    const publicRt = this.routeTable(`${name}-public`, region, vpc, tags("public"));
    new aws.ec2.Route(`${name}-public-default`, { region, routeTableId: publicRt.id, destinationCidrBlock: ANYWHERE, gatewayId: igw.id }, child);
    this.associate(`${name}-public`, region, publicRt, subnets.public);

    // private-app: one table per AZ, default route to the NAT in the same AZ (or the one NAT)
    const appRts = subnets["private-app"].map((subnet, i) => {
      const rt = this.routeTable(`${name}-private-app-${i}`, region, vpc, tags("private-app"));
      new aws.ec2.Route(`${name}-private-app-${i}-default`, { region, routeTableId: rt.id, destinationCidrBlock: ANYWHERE, natGatewayId: nats[natCount === 1 ? 0 : i].id }, child);
      this.associate(`${name}-private-app-${i}`, region, rt, [subnet]);
      return rt;
    });

    // private-data: local routes only, no way to or from the internet
    const dataRt = this.routeTable(`${name}-private-data`, region, vpc, tags("private-data"));
    this.associate(`${name}-private-data`, region, dataRt, subnets["private-data"]);

    for (const tier of SUBNET_TIERS) {
      const acl = new aws.ec2.NetworkAcl(`${name}-${tier}`, {
        region,
        vpcId: vpc.id,
        subnetIds: subnets[tier].map((s) => s.id),
        tags: tags(tier, { Name: `${name}-${tier}` }),
      }, child);
      for (const rule of naclRules(tier, site.subnets, topology.app.port, peerOf(topology, site)?.subnets)) {
        new aws.ec2.NetworkAclRule(`${name}-${tier}-${rule.egress ? "out" : "in"}-${rule.ruleNumber}`, {
          region,
          networkAclId: acl.id,
          ruleNumber: rule.ruleNumber,
          egress: rule.egress,
          protocol: "tcp",
          ruleAction: "allow",
          cidrBlock: rule.cidrBlock,
          fromPort: rule.fromPort,
          toPort: rule.toPort,
        }, child);
      }
    }

    const privateRts = [...appRts, dataRt];
    new aws.ec2.VpcEndpoint(`${name}-s3`, {
      region,
      vpcId: vpc.id,
      serviceName: `com.amazonaws.${region}.s3`,
      vpcEndpointType: "Gateway",
      routeTableIds: privateRts.map((rt) => rt.id),
      tags: tags("network", { Name: `${name}-s3` }),
    }, child);

    new FlowLogs(`${name}-flow-logs`, { topology, site, vpcId: vpc.id }, child);

    // Adopting the default SG with no rules strips AWS's allow-all-within-group default.
    new aws.ec2.DefaultSecurityGroup(`${name}-default`, { region, vpcId: vpc.id, tags: tags("network", { Name: `${name}-default-locked` }) }, child);

    this.vpcId = vpc.id;
    this.availabilityZones = azs;
    this.publicSubnetIds = subnets.public.map((s) => s.id);
    this.appSubnetIds = subnets["private-app"].map((s) => s.id);
    this.dataSubnetIds = subnets["private-data"].map((s) => s.id);
    this.privateRouteTableIds = privateRts.map((rt) => rt.id);
    this.natGatewayIds = nats.map((n) => n.id);
    this.registerOutputs({
      vpcId: this.vpcId,
      availabilityZones: this.availabilityZones,
      publicSubnetIds: this.publicSubnetIds,
      appSubnetIds: this.appSubnetIds,
      dataSubnetIds: this.dataSubnetIds,
      privateRouteTableIds: this.privateRouteTableIds,
      natGatewayIds: this.natGatewayIds,
    });
  }

  private routeTable(name: string, region: string, vpc: aws.ec2.Vpc, tags: Record<string, string>): aws.ec2.RouteTable {
    return new aws.ec2.RouteTable(name, { region, vpcId: vpc.id, tags: { ...tags, Name: name } }, { parent: this });
  }

  private associate(name: string, region: string, rt: aws.ec2.RouteTable, subnets: aws.ec2.Subnet[]): void {
    subnets.forEach((subnet, i) => {
      new aws.ec2.RouteTableAssociation(`${name}-${i}`, { region, routeTableId: rt.id, subnetId: subnet.id }, { parent: this });
    });
  }
}
