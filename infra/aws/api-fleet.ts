import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { API_LIMITS, inRange } from "../config/limits";
import { METRICS_NAMESPACE } from "../names";
import { tierBlocks } from "../topology/subnet-plan";
import type { ScaleSchedule, SiteTopology, Topology } from "../topology/types";
import { al2023AmiParameter, instancePolicy, type ApiServiceBundle, type ApiServiceEndpoints } from "./api-instance";
import { siteAmiId } from "./site-lookups";
import { asgTags, siteTags } from "./tags";
import { nodeIdMask, renderUserData } from "./user-data";

// The instances of one site's API tier: a least-privilege instance role, a launch template
// (AL2023 via the public SSM parameter, IMDSv2 only, encrypted gp3, no key pair, the boot script
// from user-data.ts) and an Auto Scaling group across the private-app subnets behind the load
// balancer's target group, with instance refresh, target tracking and the configured schedules.
// Capacity comes from the Topology (site.api, topology.app); this component decides none.

/** target tracking: average CPU of the group, and requests per target per minute */
export const CPU_TARGET_PERCENT = 50;
export const REQUESTS_PER_TARGET = 1000;
export const HEALTH_CHECK_GRACE_SECONDS = 180;
export const INSTANCE_WARMUP_SECONDS = 120;
export const ROOT_VOLUME_GB = 20;
export const SSM_CORE_POLICY = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";
export const ASG_METRICS = [
  "GroupMinSize", "GroupMaxSize", "GroupDesiredCapacity", "GroupInServiceInstances",
  "GroupPendingInstances", "GroupTerminatingInstances", "GroupTotalInstances",
] as const;

export interface ApiFleetArgs {
  readonly topology: Topology;
  readonly site: SiteTopology;
  readonly appSubnetIds: pulumi.Input<string>[];
  readonly appSecurityGroupId: pulumi.Input<string>;
  readonly bundle: ApiServiceBundle;
  readonly endpoints: ApiServiceEndpoints;
  /** the app log group the CloudWatch agent ships to (see AppLogGroup) */
  readonly logGroupName: pulumi.Input<string>;
  readonly logGroupArn: pulumi.Input<string>;
  /** the load balancer's target group the instances register with */
  readonly targetGroupArn: pulumi.Input<string>;
  /** "<alb arn suffix>/<target group arn suffix>": the request-count scaling metric's label */
  readonly requestCountLabel: pulumi.Input<string>;
  /** the load balancer serves HTTPS, so the app's cookies are Secure */
  readonly https: boolean;
  readonly schedules: readonly ScaleSchedule[];
}

export class ApiFleet extends pulumi.ComponentResource {
  public readonly autoScalingGroupName: pulumi.Output<string>;
  public readonly launchTemplateId: pulumi.Output<string>;
  public readonly instanceRoleArn: pulumi.Output<string>;
  public readonly userData: pulumi.Output<string>;
  /** the AMI the launch template runs: what sites.<site>.amiId pins */
  public readonly amiId: pulumi.Output<string>;

  constructor(name: string, args: ApiFleetArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:aws:ApiFleet", name, {}, opts);
    validate(name, args);
    const { topology, site } = args;
    const { app } = topology;
    const cap = site.api;
    const region = site.region;
    const tags = siteTags(topology, site, "api");
    const child = { parent: this };

    // --- instance role ----------------------------------------------------------------------
    const role = new aws.iam.Role(`${name}-instance`, {
      description: `${topology.project} ${topology.environment} ${site.key} API instances`,
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
      tags,
    }, child);
    new aws.iam.RolePolicyAttachment(`${name}-ssm-core`, { role: role.name, policyArn: SSM_CORE_POLICY }, child);
    const e = args.endpoints;
    new aws.iam.RolePolicy(`${name}-instance`, {
      role: role.id,
      policy: pulumi.all([args.bundle.bucketArn, e.dbSecretArn, e.sessionSecretArn, e.redis?.authSecretArn, args.logGroupArn]).apply(([bucketArn, dbSecret, sessionSecret, redisSecret, logGroupArn]) =>
        JSON.stringify(instancePolicy({ bucketArn, secretArns: [dbSecret, sessionSecret, ...(redisSecret ? [redisSecret] : [])], logGroupArn }))),
    }, child);
    const profile = new aws.iam.InstanceProfile(`${name}`, { role: role.name, tags }, child);

    // --- launch template --------------------------------------------------------------------
    // pinned, or looked up in the site's region (never for a fenced site: site-lookups.ts)
    this.amiId = siteAmiId(topology, site, al2023AmiParameter(cap.arch), child);
    const userData = pulumi.output({
      bucket: args.bundle.bucketName,
      primaryHost: e.dbPrimaryHost,
      replicaHosts: e.dbReplicaHosts,
      secretArn: e.dbSecretArn,
      redisHost: e.redis?.host,
      redisPort: e.redis?.port,
      redisSecret: e.redis?.authSecretArn,
      sessionSecretArn: e.sessionSecretArn,
      logGroupName: args.logGroupName,
    }).apply((v) => renderUserData({
      project: topology.project,
      environment: topology.environment,
      siteKey: site.key,
      siteId: site.siteId,
      region,
      port: app.port,
      drainSeconds: app.drainSeconds,
      appTierCidr: tierBlocks(site.cidr).appBlock,
      cookieSecure: args.https,
      edgeFront: topology.edge.front,
      publicOrigin: args.https ? `https://${topology.edge.domain}` : undefined,
      sessionSecretArn: v.sessionSecretArn,
      bundle: {
        bucket: v.bucket,
        serverKey: args.bundle.serverKey,
        workerKey: args.bundle.workerKey,
        serverSha256: args.bundle.serverSha256,
        workerSha256: args.bundle.workerSha256,
      },
      database: { primaryHost: v.primaryHost, replicaHosts: v.replicaHosts, port: e.dbPort ?? 3306, name: e.dbName, secretArn: v.secretArn },
      redis: v.redisHost !== undefined && v.redisPort !== undefined && v.redisSecret !== undefined
        ? { host: v.redisHost, port: v.redisPort, authSecretArn: v.redisSecret }
        : undefined,
      logGroupName: v.logGroupName,
      metricsNamespace: METRICS_NAMESPACE,
    }));

    const lt = new aws.ec2.LaunchTemplate(`${name}`, {
      region,
      description: `${topology.project} API (${site.key})`,
      imageId: this.amiId,
      instanceType: cap.instanceType,
      iamInstanceProfile: { arn: profile.arn },
      vpcSecurityGroupIds: [args.appSecurityGroupId],
      // no keyName: no SSH; operators use SSM Session Manager
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
      blockDeviceMappings: [{
        deviceName: "/dev/xvda",
        ebs: { volumeSize: ROOT_VOLUME_GB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
      }],
      monitoring: { enabled: true },
      userData: userData.apply((text) => Buffer.from(text, "utf8").toString("base64")),
      updateDefaultVersion: true,
      tagSpecifications: [
        { resourceType: "instance", tags: { ...tags, Name: `${name}` } },
        { resourceType: "volume", tags: { ...tags, Name: `${name}` } },
      ],
      tags,
    }, child);

    // --- auto scaling group -----------------------------------------------------------------
    const asg = new aws.autoscaling.Group(`${name}`, {
      region,
      vpcZoneIdentifiers: args.appSubnetIds,
      minSize: cap.min,
      maxSize: cap.max,
      desiredCapacity: cap.desired,
      launchTemplate: { id: lt.id, version: lt.latestVersion.apply((v) => String(v)) },
      targetGroupArns: [args.targetGroupArn],
      healthCheckType: "ELB",
      healthCheckGracePeriod: HEALTH_CHECK_GRACE_SECONDS,
      defaultInstanceWarmup: INSTANCE_WARMUP_SECONDS,
      // a new launch template version (new bundle, new AMI) rolls out through an instance refresh
      instanceRefresh: {
        strategy: "Rolling",
        preferences: { minHealthyPercentage: app.minHealthyPercentage, instanceWarmup: String(INSTANCE_WARMUP_SECONDS), skipMatching: true },
      },
      enabledMetrics: [...ASG_METRICS],
      metricsGranularity: "1Minute",
      terminationPolicies: ["OldestLaunchTemplate", "Default"],
      tags: asgTags({ ...tags, Name: name }),
    }, {
      parent: this,
      // scaling policies and schedules own the desired capacity once the group exists; a change
      // of min/max in the Topology (failover) still moves it
      ignoreChanges: ["desiredCapacity"],
    });

    new aws.autoscaling.Policy(`${name}-cpu`, {
      region,
      autoscalingGroupName: asg.name,
      policyType: "TargetTrackingScaling",
      targetTrackingConfiguration: {
        predefinedMetricSpecification: { predefinedMetricType: "ASGAverageCPUUtilization" },
        targetValue: CPU_TARGET_PERCENT,
      },
    }, child);
    new aws.autoscaling.Policy(`${name}-requests`, {
      region,
      autoscalingGroupName: asg.name,
      policyType: "TargetTrackingScaling",
      targetTrackingConfiguration: {
        predefinedMetricSpecification: { predefinedMetricType: "ALBRequestCountPerTarget", resourceLabel: args.requestCountLabel },
        targetValue: REQUESTS_PER_TARGET,
      },
    }, child);

    // Schedules (the flash-sale case) size the serving fleet; a standby is sized by its role.
    for (const s of args.schedules) {
      new aws.autoscaling.Schedule(`${name}-${s.name}`, {
        region,
        autoscalingGroupName: asg.name,
        scheduledActionName: s.name,
        recurrence: s.recurrence,
        timeZone: "Etc/UTC",
        minSize: s.min,
        maxSize: s.max,
        desiredCapacity: s.desired,
      }, child);
    }

    this.autoScalingGroupName = asg.name;
    this.launchTemplateId = lt.id;
    this.instanceRoleArn = role.arn;
    this.userData = userData;
    this.registerOutputs({ autoScalingGroupName: this.autoScalingGroupName, launchTemplateId: this.launchTemplateId, instanceRoleArn: this.instanceRoleArn });
  }
}

function validate(name: string, args: ApiFleetArgs): void {
  const { site, topology } = args;
  const cap = site.api;
  const fail = (msg: string): never => { throw new Error(`ApiFleet ${name}: ${msg}`); };
  if (site.cloud !== "aws") fail(`site ${site.key} is on ${site.cloud}, not aws`);
  if (!cap.provisioned) fail(`site ${site.key} has api.provisioned false; do not construct a fleet for it`);
  if (!(cap.min <= cap.desired && cap.desired <= cap.max)) fail(`capacity must satisfy min <= desired <= max, got min ${cap.min}, desired ${cap.desired}, max ${cap.max}`);
  if (!inRange(cap.max, API_LIMITS.maxSize)) fail(`api.max must be ${API_LIMITS.maxSize.min}..${API_LIMITS.maxSize.max} for a provisioned site, got ${cap.max} (config validation should have refused api.minSize)`);
  if (args.appSubnetIds.length !== site.azCount) fail(`expected ${site.azCount} private-app subnets (one per AZ), got ${args.appSubnetIds.length}`);
  try {
    nodeIdMask(tierBlocks(site.cidr).appBlock);
  } catch (e) {
    fail(`site ${site.key} (${site.cidr}): ${(e as Error).message}`);
  }
  const { port, drainSeconds, minHealthyPercentage } = topology.app;
  if (!inRange(port, API_LIMITS.port)) fail(`app.port must be an unprivileged port ${API_LIMITS.port.min}..${API_LIMITS.port.max}, got ${port}`);
  if (!inRange(drainSeconds, API_LIMITS.drainSeconds)) fail(`app.drainSeconds (the app's SIGTERM drain) must be ${API_LIMITS.drainSeconds.min}..${API_LIMITS.drainSeconds.max}, got ${drainSeconds}`);
  if (!inRange(minHealthyPercentage, API_LIMITS.minHealthyPercentage)) fail(`app.minHealthyPercentage must be ${API_LIMITS.minHealthyPercentage.min}..${API_LIMITS.minHealthyPercentage.max}, got ${minHealthyPercentage}`);
  for (const s of args.schedules) {
    if (!(s.min <= s.desired && s.desired <= s.max)) fail(`schedule ${s.name} must satisfy min <= desired <= max, got ${s.min}/${s.desired}/${s.max}`);
    if (s.max > cap.max) fail(`schedule ${s.name} max ${s.max} exceeds the site's api.max ${cap.max} (config validation should have refused api.schedules)`);
  }
}
