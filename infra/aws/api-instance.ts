import type * as pulumi from "@pulumi/pulumi";
import { METRICS_NAMESPACE } from "../names";

// What an API instance is given: its release in the artifact bucket, the endpoints it connects
// to, its AMI, and the permissions of its instance role.

export interface ApiServiceBundle {
  readonly bucketName: pulumi.Input<string>;
  readonly bucketArn: pulumi.Input<string>;
  readonly serverKey: string;
  readonly workerKey: string;
  readonly serverSha256: string;
  readonly workerSha256: string;
}

export interface ApiServiceEndpoints {
  /** the writer's address (in another region for a standby site) */
  readonly dbPrimaryHost: pulumi.Input<string>;
  /** read endpoints in this site (in-region replicas, or the local cross-region replica) */
  readonly dbReplicaHosts: pulumi.Input<string>[];
  readonly dbPort?: number;
  readonly dbName: string;
  /** the database master credentials secret ({"username","password"}) in this site's region */
  readonly dbSecretArn: pulumi.Input<string>;
  /** absent when the site runs no cache */
  readonly redis?: { readonly host: pulumi.Input<string>; readonly port: pulumi.Input<number>; readonly authSecretArn: pulumi.Input<string> };
  /** the session-signing secret (see SessionSecret) */
  readonly sessionSecretArn: pulumi.Input<string>;
}

/** The public SSM parameter naming the latest Amazon Linux 2023 AMI for an architecture. */
export function al2023AmiParameter(arch: "arm64" | "x86_64"): string {
  return `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${arch}`;
}

/** What the instances may do: read their release, their secrets, ship logs and metrics. */
export function instancePolicy(p: { bucketArn: string; secretArns: string[]; logGroupArn: string }): object {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ReadAppRelease", Effect: "Allow", Action: ["s3:GetObject"], Resource: [`${p.bucketArn}/releases/*`] },
      { Sid: "ReadAppSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: p.secretArns },
      { Sid: "ShipAppLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: [p.logGroupArn, `${p.logGroupArn}:*`] },
      { Sid: "PublishMetrics", Effect: "Allow", Action: ["cloudwatch:PutMetricData"], Resource: ["*"], Condition: { StringLike: { "cloudwatch:namespace": `${METRICS_NAMESPACE}*` } } },
      // the CloudWatch agent resolves ${aws:AutoScalingGroupName} from the instance's tags
      { Sid: "AgentDescribeTags", Effect: "Allow", Action: ["ec2:DescribeTags"], Resource: ["*"] },
    ],
  };
}
