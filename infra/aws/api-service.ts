import * as pulumi from "@pulumi/pulumi";
import type { ScaleSchedule, SiteTopology, Topology } from "../topology/types";
import { ApiFleet } from "./api-fleet";
import type { ApiServiceBundle, ApiServiceEndpoints } from "./api-instance";
import { ApiLoadBalancer } from "./api-load-balancer";

export type { ApiServiceBundle, ApiServiceEndpoints } from "./api-instance";

// The stateless API tier of one site: the load balancer (api-load-balancer.ts) and the instances
// behind it (api-fleet.ts).
//
// Deployed stacks had every one of these resources as a direct child of ApiService. They now live
// one level down, in the two components, and each keeps an alias to ApiService as its former
// parent, so Pulumi reaches its existing URN and updates it in place instead of replacing the
// load balancer or the Auto Scaling group.

export interface ApiServiceArgs {
  readonly topology: Topology;
  readonly site: SiteTopology;
  readonly vpcId: pulumi.Input<string>;
  readonly publicSubnetIds: pulumi.Input<string>[];
  readonly appSubnetIds: pulumi.Input<string>[];
  readonly loadBalancerSecurityGroupId: pulumi.Input<string>;
  /** every group the load balancer carries (SecurityChain.loadBalancerSecurityGroupIds) */
  readonly loadBalancerSecurityGroupIds?: pulumi.Input<string>[];
  /** behind CloudFront: the origin header values the listener accepts (OriginSecret.accepted) */
  readonly originSecrets?: pulumi.Input<string>[];
  readonly appSecurityGroupId: pulumi.Input<string>;
  readonly bundle: ApiServiceBundle;
  readonly endpoints: ApiServiceEndpoints;
  /** the app log group the CloudWatch agent ships to (see AppLogGroup) */
  readonly logGroupName: pulumi.Input<string>;
  readonly logGroupArn: pulumi.Input<string>;
  /** an ACM certificate in the site's region; defaults to site.certificateArn */
  readonly certificateArn?: pulumi.Input<string>;
  /**
   * Scheduled actions for this site's group. Defaults to topology.app.schedules on a site that
   * serves traffic and none elsewhere (a standby is sized by its role, not by the flash sale).
   */
  readonly schedules?: readonly ScaleSchedule[];
}

export class ApiService extends pulumi.ComponentResource {
  public readonly loadBalancer: ApiLoadBalancer;
  public readonly fleet: ApiFleet;
  public readonly loadBalancerArn: pulumi.Output<string>;
  public readonly loadBalancerArnSuffix: pulumi.Output<string>;
  public readonly loadBalancerDnsName: pulumi.Output<string>;
  public readonly loadBalancerZoneId: pulumi.Output<string>;
  public readonly targetGroupArn: pulumi.Output<string>;
  public readonly targetGroupArnSuffix: pulumi.Output<string>;
  public readonly autoScalingGroupName: pulumi.Output<string>;
  public readonly launchTemplateId: pulumi.Output<string>;
  public readonly instanceRoleArn: pulumi.Output<string>;
  public readonly accessLogBucketName: pulumi.Output<string>;
  /** "https" when a certificate is set, "http" otherwise */
  public readonly protocol: "https" | "http";
  public readonly userData: pulumi.Output<string>;

  constructor(name: string, args: ApiServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:aws:ApiService", name, {}, opts);
    const { site } = args;
    const fail = (msg: string): never => { throw new Error(`ApiService ${name}: ${msg}`); };
    if (site.cloud !== "aws") fail(`site ${site.key} is on ${site.cloud}, not aws`);
    if (!site.api.provisioned) fail(`site ${site.key} has api.provisioned false; do not construct an ApiService for it`);

    // children of the two components keep their URN from when ApiService was their parent
    const formerlyMine: pulumi.ResourceTransformation = (a) =>
      a.opts.parent instanceof ApiLoadBalancer || a.opts.parent instanceof ApiFleet
        ? { props: a.props, opts: pulumi.mergeOptions(a.opts, { aliases: [{ parent: this }] }) }
        : undefined;
    const child = { parent: this, transformations: [formerlyMine] };

    const certificateArn = args.certificateArn ?? site.certificateArn;
    const lb = new ApiLoadBalancer(name, {
      topology: args.topology,
      site,
      vpcId: args.vpcId,
      publicSubnetIds: args.publicSubnetIds,
      loadBalancerSecurityGroupId: args.loadBalancerSecurityGroupId,
      loadBalancerSecurityGroupIds: args.loadBalancerSecurityGroupIds,
      originSecrets: args.originSecrets,
      certificateArn,
    }, child);
    const fleet = new ApiFleet(name, {
      topology: args.topology,
      site,
      appSubnetIds: args.appSubnetIds,
      appSecurityGroupId: args.appSecurityGroupId,
      bundle: args.bundle,
      endpoints: args.endpoints,
      logGroupName: args.logGroupName,
      logGroupArn: args.logGroupArn,
      targetGroupArn: lb.targetGroupArn,
      requestCountLabel: pulumi.interpolate`${lb.loadBalancerArnSuffix}/${lb.targetGroupArnSuffix}`,
      https: certificateArn !== undefined,
      schedules: args.schedules ?? (site.servesTraffic ? args.topology.app.schedules : []),
    }, child);

    this.loadBalancer = lb;
    this.fleet = fleet;
    this.loadBalancerArn = lb.loadBalancerArn;
    this.loadBalancerArnSuffix = lb.loadBalancerArnSuffix;
    this.loadBalancerDnsName = lb.loadBalancerDnsName;
    this.loadBalancerZoneId = lb.loadBalancerZoneId;
    this.targetGroupArn = lb.targetGroupArn;
    this.targetGroupArnSuffix = lb.targetGroupArnSuffix;
    this.accessLogBucketName = lb.accessLogBucketName;
    this.protocol = lb.protocol;
    this.autoScalingGroupName = fleet.autoScalingGroupName;
    this.launchTemplateId = fleet.launchTemplateId;
    this.instanceRoleArn = fleet.instanceRoleArn;
    this.userData = fleet.userData;
    this.registerOutputs({
      loadBalancerArn: this.loadBalancerArn,
      loadBalancerDnsName: this.loadBalancerDnsName,
      loadBalancerZoneId: this.loadBalancerZoneId,
      targetGroupArn: this.targetGroupArn,
      autoScalingGroupName: this.autoScalingGroupName,
      launchTemplateId: this.launchTemplateId,
      instanceRoleArn: this.instanceRoleArn,
      protocol: this.protocol,
    });
  }
}
