import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { asArray, asRecord, label, refersTo } from "../common";
import { AWS } from "../types";

// CloudWatch (and EventBridge, AWS Backup) publish to an encrypted SNS topic only if the topic's
// KMS key lets their service principal call kms:GenerateDataKey* and kms:Decrypt. The AWS-managed
// alias/aws/sns key cannot grant that (its policy cannot be edited), so the alarm action fails and
// the failure shows only in the alarm's history (SNS Developer Guide, "Enable compatibility
// between event sources from AWS services and encrypted topics").

/** Who publishes through each kind of reference to a topic. */
const PUBLISHERS: ReadonlyArray<{ type: string; properties: readonly string[]; service: string }> = [
  { type: AWS.metricAlarm, properties: ["alarmActions", "okActions", "insufficientDataActions"], service: "cloudwatch.amazonaws.com" },
  { type: AWS.compositeAlarm, properties: ["alarmActions", "okActions", "insufficientDataActions"], service: "cloudwatch.amazonaws.com" },
  { type: AWS.eventTarget, properties: ["arn"], service: "events.amazonaws.com" },
  { type: AWS.backupVaultNotifications, properties: ["snsTopicArn"], service: "backup.amazonaws.com" },
];
const NEEDED_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey"] as const;

/** An AWS-managed key: alias/aws/<service>, by alias name or alias ARN. */
export function isAwsManagedKeyRef(v: unknown): boolean {
  return typeof v === "string" && /(^|:)alias\/aws\//.test(v);
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

function actionCovers(action: unknown, needed: string): boolean {
  return list(action).some((a) => typeof a === "string" && new RegExp(`^${a.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "i").test(needed));
}

/** Whether a key policy (JSON) lets `service` decrypt and generate data keys. */
export function keyPolicyAllowsService(policy: unknown, service: string): boolean {
  let doc: Record<string, unknown>;
  try {
    doc = asRecord(typeof policy === "string" ? JSON.parse(policy) : policy);
  } catch {
    return false;
  }
  const allows = asArray(doc.Statement).map(asRecord).filter((s) => s.Effect === "Allow" && list(asRecord(s.Principal).Service).includes(service));
  return NEEDED_ACTIONS.every((needed) => allows.some((s) => actionCovers(s.Action, needed)));
}

export const awsAlarmTopicKeyUsable: StackValidationPolicy = {
  name: "aws-alarm-topic-kms-key",
  description: "SNS topics that alarms (or EventBridge, AWS Backup) publish to are encrypted with a customer-managed key whose policy lets that publisher use it; never alias/aws/sns.",
  enforcementLevel: "mandatory",
  severity: "high",
  tags: ["cloud-acceptance", "observability"],
  validateStack: (args, reportViolation) => {
    const topics = args.resources.filter((r) => r.type === AWS.snsTopic);
    const keys = args.resources.filter((r) => r.type === AWS.kmsKey);
    const publishers = new Map<PolicyResource, Set<string>>();
    for (const p of PUBLISHERS) {
      for (const source of args.resources.filter((r) => r.type === p.type)) {
        for (const topic of topics) {
          if (p.properties.some((prop) => refersTo(source, prop, topic))) {
            const set = publishers.get(topic) ?? new Set<string>();
            set.add(p.service);
            publishers.set(topic, set);
          }
        }
      }
    }
    if (publishers.size === 0) args.notApplicable("no SNS topic in the stack is an alarm, EventBridge or AWS Backup target");
    for (const [topic, services] of publishers) {
      const ref = topic.props.kmsMasterKeyId;
      const who = [...services].join(", ");
      if (isAwsManagedKeyRef(ref)) {
        reportViolation(
          `${label(topic)} is encrypted with the AWS-managed key ${String(ref)}, whose policy cannot let ${who} use it: every alarm/notification published to it fails (visible only in the alarm history). ` +
          `Encrypt it with a customer-managed key (rotation on) whose key policy allows ${who} kms:Decrypt and kms:GenerateDataKey*.`,
          topic.urn,
        );
        continue;
      }
      const key = keys.find((k) => refersTo(topic, "kmsMasterKeyId", k, ["arn", "id", "keyId"]));
      if (!key) continue; // unencrypted, or a key outside this stack: nothing to read
      const missing = [...services].filter((s) => !keyPolicyAllowsService(key.props.policy, s));
      if (missing.length > 0) {
        reportViolation(
          `${label(topic)} is encrypted with ${label(key)}, whose key policy does not let ${missing.join(", ")} call kms:Decrypt and kms:GenerateDataKey*: publishing to the topic fails. ` +
          `Add an Allow statement for Principal.Service ${missing.join(", ")} with those actions to the key's policy.`,
          topic.urn,
        );
      }
    }
  },
};
