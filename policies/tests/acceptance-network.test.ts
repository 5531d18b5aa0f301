import { strict as assert } from "node:assert";
import { awsAlarmTopicKeyUsable, keyPolicyAllowsService } from "../rules/acceptance/alarm-topics";
import { awsSgDescriptionCharset, badCharacters } from "../rules/acceptance/descriptions";
import { checkResource, checkStack, tags, type FakeResource } from "./util";

const SG = "aws:ec2/securityGroup:SecurityGroup";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
const DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup";

describe("policies: cloud acceptance, security-group descriptions", () => {
  it("EC2's charset: every allowed character passes; an apostrophe, a quote, a non-ASCII letter do not", () => {
    assert.deepEqual(badCharacters("aZ09 ._-:/()#,@[]+=&;{}!$*", false), []);
    assert.deepEqual(badCharacters("the secondary site's API subnet", false), ["'"]);
    assert.deepEqual(badCharacters('say "hi" – café', false), ['"', "–", "é"]);
    // a rule naming a group or prefix list: EC2's UserIdGroupPair / PrefixListId descriptions have no "&"
    assert.deepEqual(badCharacters("A & B", true), ["&"]);
    assert.deepEqual(badCharacters("A & B", false), []);
  });

  it("passes the program's descriptions on groups and rules of each shape", async () => {
    const ok: FakeResource[] = [
      { type: SG, name: "g", props: { description: "API instances, reachable only from the load balancer", tags: tags("prod") } },
      { type: INGRESS, name: "i", props: { description: "MySQL from the secondary site API subnet 10.20.64.0/20 (peered, cross-region writes)", cidrIpv4: "10.20.64.0/20" } },
      { type: EGRESS, name: "e", props: { description: "HTTPS out through the NAT / S3 endpoint (packages, SSM, app bundle)", cidrIpv4: "0.0.0.0/0" } },
      { type: RULE, name: "r", props: { type: "ingress", description: "R&D office", cidrBlocks: ["192.0.2.0/24"] } },
    ];
    for (const r of ok) assert.deepEqual((await checkResource(awsSgDescriptionCharset, r)).violations, [], r.name);
  });

  it("fails the apostrophe that stopped the peering rules, with the fix", async () => {
    const out = await checkResource(awsSgDescriptionCharset, { type: INGRESS, name: "primary-sg-db-from-peer-app-0", props: { description: "MySQL from the secondary site's API subnet 10.20.64.0/20 (peered, cross-region writes)", cidrIpv4: "10.20.64.0/20" } });
    assert.deepEqual(out.violations, [
      `aws:vpc/SecurityGroupIngressRule "primary-sg-db-from-peer-app-0" description "MySQL from the secondary site's API subnet 10.20.64.0/20 (peered, cross-region writes)" contains "'", which EC2 refuses (InvalidParameterValue). ` +
      `Allowed: a-zA-Z0-9, space and ._-:/()#,@[]+=&;{}!$*. Reword it (e.g. "the secondary site API subnet" instead of "the secondary site's API subnet").`,
    ]);
  });

  it("fails each shape: group description, inline blocks, group-referencing rules with &, over 255 characters", async () => {
    const group = await checkResource(awsSgDescriptionCharset, { type: SG, name: "g", props: { description: "Tom's group", ingress: [{ description: "ok", cidrBlocks: ["10.0.0.0/8"] }], egress: [{ description: "A & B", securityGroups: ["sg-1"] }] } });
    assert.deepEqual(group.violations.map((v) => v.split(" contains ")[0]), [`aws:ec2/SecurityGroup "g" description "Tom's group"`, `aws:ec2/SecurityGroup "g" egress[0].description "A & B"`]);
    assert.match(group.violations[1], /\(no "&" in a rule that names a security group or prefix list\)/);
    const ref = await checkResource(awsSgDescriptionCharset, { type: EGRESS, name: "e", props: { description: "app & db", referencedSecurityGroupId: "sg-db" } });
    assert.equal(ref.violations.length, 1);
    const legacy = await checkResource(awsSgDescriptionCharset, { type: RULE, name: "r", props: { type: "egress", description: "to db & cache", sourceSecurityGroupId: "sg-x" } });
    assert.equal(legacy.violations.length, 1);
    const dflt = await checkResource(awsSgDescriptionCharset, { type: DEFAULT_SG, name: "d", props: { ingress: [{ description: "naïve" }] } });
    assert.match(dflt.violations[0], /ingress\[0\]\.description "naïve" contains "ï"/);
    const long = await checkResource(awsSgDescriptionCharset, { type: INGRESS, name: "l", props: { description: "x".repeat(256), cidrIpv4: "10.0.0.0/8" } });
    assert.deepEqual(long.violations, [`aws:vpc/SecurityGroupIngressRule "l" description is 256 characters; EC2 allows at most 255. Shorten it.`]);
  });
});

const TOPIC = "aws:sns/topic:Topic";
const KEY = "aws:kms/key:Key";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const policy = (services: string[], actions: unknown = ["kms:Decrypt", "kms:GenerateDataKey*"]) => JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" },
    { Effect: "Allow", Principal: { Service: services }, Action: actions, Resource: "*" },
  ],
});
const stack = (topicKey: unknown, keyPolicy?: string, extra: FakeResource[] = []): FakeResource[] => [
  ...(keyPolicy !== undefined ? [{ type: KEY, name: "alarms-key", props: { enableKeyRotation: true, policy: keyPolicy } }] : []),
  { type: TOPIC, name: "alarms", props: { kmsMasterKeyId: topicKey }, ...(keyPolicy !== undefined ? { deps: { kmsMasterKeyId: ["alarms-key"] } } : {}) },
  { type: ALARM, name: "cpu", props: { alarmActions: ["arn-of-alarms"], okActions: ["arn-of-alarms"] }, deps: { alarmActions: ["alarms"], okActions: ["alarms"] } },
  ...extra,
];

describe("policies: cloud acceptance, alarm topics' KMS key", () => {
  it("key policy reading: service principal with both actions (wildcards count), a string principal, kms:*", () => {
    assert.equal(keyPolicyAllowsService(policy(["cloudwatch.amazonaws.com"]), "cloudwatch.amazonaws.com"), true);
    assert.equal(keyPolicyAllowsService(policy(["cloudwatch.amazonaws.com"], "kms:*"), "cloudwatch.amazonaws.com"), true);
    assert.equal(keyPolicyAllowsService(JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: ["kms:Decrypt", "kms:GenerateDataKey"] }] }), "cloudwatch.amazonaws.com"), true);
    assert.equal(keyPolicyAllowsService(policy(["cloudwatch.amazonaws.com"], ["kms:Decrypt"]), "cloudwatch.amazonaws.com"), false);
    assert.equal(keyPolicyAllowsService(policy(["events.amazonaws.com"]), "cloudwatch.amazonaws.com"), false);
    assert.equal(keyPolicyAllowsService("not json", "cloudwatch.amazonaws.com"), false);
  });

  it("passes a topic on a customer key CloudWatch may use", async () => {
    assert.deepEqual((await checkStack(awsAlarmTopicKeyUsable, stack("arn:aws:kms:ap-northeast-2:123456789012:key/k", policy(["cloudwatch.amazonaws.com"])))).violations, []);
  });

  it("fails alias/aws/sns on an alarm topic (by alias or alias ARN)", async () => {
    for (const ref of ["alias/aws/sns", "arn:aws:kms:ap-northeast-2:123456789012:alias/aws/sns"]) {
      const out = await checkStack(awsAlarmTopicKeyUsable, stack(ref));
      assert.deepEqual(out.violations, [
        `aws:sns/Topic "alarms" is encrypted with the AWS-managed key ${ref}, whose policy cannot let cloudwatch.amazonaws.com use it: every alarm/notification published to it fails (visible only in the alarm history). ` +
        `Encrypt it with a customer-managed key (rotation on) whose key policy allows cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*.`,
      ]);
      assert.equal(out.urns[0], "urn:pulumi:prod::resilient-feed::aws:sns/topic:Topic::alarms");
    }
  });

  it("fails a customer key whose policy leaves out a publisher (an EventBridge rule also targets the topic)", async () => {
    const target: FakeResource = { type: "aws:cloudwatch/eventTarget:EventTarget", name: "backup-failed", props: { arn: "arn-of-alarms" }, deps: { arn: ["alarms"] } };
    const out = await checkStack(awsAlarmTopicKeyUsable, stack("key-arn", policy(["cloudwatch.amazonaws.com"]), [target]));
    assert.equal(out.violations.length, 1);
    assert.match(out.violations[0], /^aws:sns\/Topic "alarms" is encrypted with aws:kms\/Key "alarms-key", whose key policy does not let events\.amazonaws\.com call kms:Decrypt and kms:GenerateDataKey\*/);
  });

  it("not applicable without alarm targets; a topic nothing publishes to may use alias/aws/sns", async () => {
    const out = await checkStack(awsAlarmTopicKeyUsable, [{ type: TOPIC, name: "other", props: { kmsMasterKeyId: "alias/aws/sns" } }]);
    assert.deepEqual([out.violations, out.notApplicable], [[], "no SNS topic in the stack is an alarm, EventBridge or AWS Backup target"]);
  });
});
