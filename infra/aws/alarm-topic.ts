import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

// An alerts topic that its publishers can actually publish to. An SNS topic encrypted with the
// AWS-managed key (alias/aws/sns) silently drops every CloudWatch alarm action: CloudWatch must
// call kms:GenerateDataKey* / kms:Decrypt on the topic's key, and the AWS-managed key's policy
// cannot be changed to allow it (SNS Developer Guide, "Enable compatibility between event sources
// from AWS services and encrypted topics"). So each alerts topic gets a customer-managed key whose
// policy names the service principals that publish to it, with yearly rotation on.

/** Service principals that publish to alerts topics (CloudWatch alarms, EventBridge rules, AWS Backup). */
export type AlarmPublisher = "cloudwatch.amazonaws.com" | "events.amazonaws.com" | "backup.amazonaws.com";

/** What a publisher needs on the topic's key (SNS Developer Guide, same page). */
export const PUBLISHER_KEY_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey*"] as const;

/** The key policy: the account administers the key (IAM policies apply), publishers may use it. */
export function alarmTopicKeyPolicy(accountId: string, publishers: readonly AlarmPublisher[]): string {
  if (publishers.length === 0) throw new Error("alarm topic key policy: name at least one publisher service");
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: "kms:*", Resource: "*" },
      { Sid: "PublishersUseTheKey", Effect: "Allow", Principal: { Service: [...publishers] }, Action: [...PUBLISHER_KEY_ACTIONS], Resource: "*" },
    ],
  });
}

export interface AlarmTopicArgs {
  readonly region: string;
  /** e.g. "resilient-feed prod primary alarms (ap-northeast-2)" */
  readonly purpose: string;
  readonly publishers: readonly AlarmPublisher[];
  readonly tags: Record<string, string>;
}

export interface AlarmTopicResources {
  readonly topic: aws.sns.Topic;
  readonly key: aws.kms.Key;
}

/**
 * The key and the topic, as children of `parent`: a function rather than a component so that the
 * topic keeps the URN it had before the key existed.
 */
export function alarmTopic(name: string, parent: pulumi.Resource, args: AlarmTopicArgs): AlarmTopicResources {
  const opts = { parent };
  const account = aws.getCallerIdentityOutput({}, opts);
  const key = new aws.kms.Key(`${name}-key`, {
    region: args.region,
    description: `SNS encryption for ${args.purpose}; usable by ${args.publishers.join(", ")}`,
    enableKeyRotation: true,
    deletionWindowInDays: 30,
    policy: account.accountId.apply((id) => alarmTopicKeyPolicy(id, args.publishers)),
    tags: args.tags,
  }, opts);
  const topic = new aws.sns.Topic(name, { region: args.region, kmsMasterKeyId: key.arn, tags: args.tags }, opts);
  return { topic, key };
}
