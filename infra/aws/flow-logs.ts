import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { SiteTopology, Topology } from "../topology/types";
import { siteTags } from "./tags";

export interface FlowLogsArgs {
  readonly topology: Topology;
  readonly site: SiteTopology;
  readonly vpcId: pulumi.Input<string>;
}

/** VPC flow logs (all traffic) to a CloudWatch log group with a retention, via a scoped role. */
export class FlowLogs extends pulumi.ComponentResource {
  public readonly logGroupName: pulumi.Output<string>;

  constructor(name: string, args: FlowLogsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:aws:FlowLogs", name, {}, opts);
    const { topology, site } = args;
    const region = site.region;
    const tags = siteTags(topology, site, "network");

    const group = new aws.cloudwatch.LogGroup(name, {
      region,
      name: `/resilient-feed/${topology.environment}/${site.key}/vpc-flow-logs`,
      retentionInDays: topology.logRetentionDays,
      tags,
    }, { parent: this });

    const role = new aws.iam.Role(name, {
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "vpc-flow-logs.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
      tags,
    }, { parent: this });

    new aws.iam.RolePolicy(name, {
      role: role.id,
      policy: group.arn.apply((arn) => JSON.stringify({
        Version: "2012-10-17",
        Statement: [{
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          Resource: [arn, `${arn}:*`],
        }],
      })),
    }, { parent: this });

    new aws.ec2.FlowLog(name, {
      region,
      vpcId: args.vpcId,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: group.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 60,
      tags,
    }, { parent: this });

    this.logGroupName = group.name;
    this.registerOutputs({ logGroupName: this.logGroupName });
  }
}
