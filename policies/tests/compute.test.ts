import { strict as assert } from "node:assert";
import { awsAlbDropInvalidHeaders, awsAlbListenerHttps, awsAsgElbHealthCheck, awsAsgMultiAz, awsLaunchTemplateEncryptedVolumes, awsLaunchTemplateImdsv2 } from "../rules/compute";
import { checkResource, tags, type FakeResource } from "./util";

const lt = (props: Record<string, unknown>): FakeResource => ({
  type: "aws:ec2/launchTemplate:LaunchTemplate",
  name: "primary-api",
  props: {
    instanceType: "m7g.large",
    metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
    blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 20, volumeType: "gp3", encrypted: "true" } }],
    tags: tags("prod"),
    ...props,
  },
});
const asg = (props: Record<string, unknown>, environment: "dev" | "prod" = "prod"): FakeResource => ({
  type: "aws:autoscaling/group:Group",
  name: "primary-api",
  props: {
    minSize: 3, maxSize: 12, healthCheckType: "ELB", vpcZoneIdentifiers: ["subnet-a", "subnet-b", "subnet-c"],
    tags: Object.entries(tags(environment)).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
    ...props,
  },
});

describe("policies: compute and load balancing", () => {
  it("aws-launch-template-imdsv2: requires tokens and hop limit 1", async () => {
    assert.deepEqual((await checkResource(awsLaunchTemplateImdsv2, lt({}))).violations, []);
    const v1 = await checkResource(awsLaunchTemplateImdsv2, lt({ metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 2 } }));
    assert.equal(v1.violations.length, 2);
    assert.match(v1.violations[0], /^aws:ec2\/LaunchTemplate "primary-api" allows IMDSv1 \(metadataOptions.httpTokens is "optional"\).*Set metadataOptions: \{ httpTokens: "required", httpPutResponseHopLimit: 1 \}/);
    assert.match(v1.violations[1], /httpPutResponseHopLimit to 2 .*Set httpPutResponseHopLimit: 1\./);
    const unset = await checkResource(awsLaunchTemplateImdsv2, lt({ metadataOptions: undefined }));
    assert.match(unset.violations[0], /httpTokens is null/);
  });

  it("aws-launch-template-encrypted-volumes: every EBS mapping encrypted, and at least one declared", async () => {
    assert.deepEqual((await checkResource(awsLaunchTemplateEncryptedVolumes, lt({}))).violations, []);
    const plain = await checkResource(awsLaunchTemplateEncryptedVolumes, lt({ blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 20 } }] }));
    assert.deepEqual(plain.violations, [`aws:ec2/LaunchTemplate "primary-api" volume "/dev/xvda" is not encrypted (ebs.encrypted is null). Set ebs.encrypted: "true".`]);
    const none = await checkResource(awsLaunchTemplateEncryptedVolumes, lt({ blockDeviceMappings: [] }));
    assert.match(none.violations[0], /declares no EBS block device mappings/);
  });

  it("aws-alb-drop-invalid-headers: application load balancers only", async () => {
    const alb = (props: Record<string, unknown>): FakeResource => ({ type: "aws:lb/loadBalancer:LoadBalancer", name: "primary-api", props: { loadBalancerType: "application", ...props } });
    assert.deepEqual((await checkResource(awsAlbDropInvalidHeaders, alb({ dropInvalidHeaderFields: true }))).violations, []);
    const bad = await checkResource(awsAlbDropInvalidHeaders, alb({}));
    assert.deepEqual(bad.violations, [`aws:lb/LoadBalancer "primary-api" forwards invalid HTTP header fields to the targets (dropInvalidHeaderFields is not true). Set dropInvalidHeaderFields: true.`]);
    assert.match((await checkResource(awsAlbDropInvalidHeaders, alb({ loadBalancerType: "network" }))).notApplicable!, /network load balancer/);
  });

  it("aws-alb-listener-https: plain HTTP only as a redirect to HTTPS", async () => {
    const listener = (props: Record<string, unknown>): FakeResource => ({ type: "aws:lb/listener:Listener", name: "primary-api-http", props: { port: 80, protocol: "HTTP", ...props } });
    const redirect = [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }];
    assert.deepEqual((await checkResource(awsAlbListenerHttps, listener({ defaultActions: redirect }))).violations, []);
    assert.deepEqual((await checkResource(awsAlbListenerHttps, listener({ port: 443, protocol: "HTTPS", defaultActions: [{ type: "forward" }] }))).violations, []);
    const forward = await checkResource(awsAlbListenerHttps, listener({ defaultActions: [{ type: "forward", targetGroupArn: "arn:tg" }] }));
    assert.match(forward.violations[0], /^aws:lb\/Listener "primary-api-http" serves plain HTTP on port 80 \(default actions: forward\)\. Serve the app on an HTTPS listener/);
  });

  it("aws-asg-elb-health-check: prod groups use ELB health checks (tags read from the ASG's list shape)", async () => {
    assert.deepEqual((await checkResource(awsAsgElbHealthCheck, asg({}))).violations, []);
    const ec2 = await checkResource(awsAsgElbHealthCheck, asg({ healthCheckType: "EC2" }));
    assert.match(ec2.violations[0], /^aws:autoscaling\/Group "primary-api" uses "EC2" health checks.*Set healthCheckType: "ELB"/);
    assert.match((await checkResource(awsAsgElbHealthCheck, asg({ healthCheckType: "EC2" }, "dev"))).notApplicable!, /prod only/);
  });

  it("aws-asg-multi-az: prod groups span two or more AZs", async () => {
    assert.deepEqual((await checkResource(awsAsgMultiAz, asg({}))).violations, []);
    const one = await checkResource(awsAsgMultiAz, asg({ vpcZoneIdentifiers: ["subnet-a"] }));
    assert.match(one.violations[0], /spans 1 availability zone\(s\)\/subnet\(s\).*at least two AZs/);
  });
});
