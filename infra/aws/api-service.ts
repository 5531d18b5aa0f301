import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LIVENESS_PATH } from "../topology/health";
import { tierBlocks } from "../topology/subnet-plan";
import type { ScaleSchedule, SiteTopology, Topology } from "../topology/types";
import { privateBucket } from "./private-bucket";
import { asgTags, siteTags } from "./tags";
import { nodeIdMask, renderUserData } from "./user-data";

// The stateless API tier of one site: an internet-facing ALB (access logs to S3), a target group
// health-checking GET /healthz (liveness: the ASG replaces instances on it), HTTPS with a TLS 1.3 policy (or plain HTTP in dev without a
// certificate), a launch template (AL2023 via the public SSM parameter, IMDSv2 only, encrypted
// gp3, no key pair, least-privilege instance profile) and an Auto Scaling group across the
// private-app subnets with instance refresh, target tracking and the configured schedules.
// Capacity comes from the Topology (site.api, topology.app); this component decides none.

export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";
/** App paths the load balancer answers 404 for itself (scraped locally by the CloudWatch agent). */
export const INTERNAL_PATHS = ["/metrics", "/metrics/*"];
export const HEALTH_CHECK = { path: LIVENESS_PATH, interval: 10, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3, matcher: "200" } as const;
/** target tracking: average CPU of the group, and requests per target per minute */
export const CPU_TARGET_PERCENT = 50;
export const REQUESTS_PER_TARGET = 1000;
export const HEALTH_CHECK_GRACE_SECONDS = 180;
export const INSTANCE_WARMUP_SECONDS = 120;
export const ROOT_VOLUME_GB = 20;
export const METRICS_NAMESPACE = "ResilientFeed";
export const SSM_CORE_POLICY = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";
export const ASG_METRICS = [
  "GroupMinSize", "GroupMaxSize", "GroupDesiredCapacity", "GroupInServiceInstances",
  "GroupPendingInstances", "GroupTerminatingInstances", "GroupTotalInstances",
] as const;

/** The public SSM parameter naming the latest Amazon Linux 2023 AMI for an architecture. */
export function al2023AmiParameter(arch: "arm64" | "x86_64"): string {
  return `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${arch}`;
}

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

export interface ApiServiceArgs {
  readonly topology: Topology;
  readonly site: SiteTopology;
  readonly vpcId: pulumi.Input<string>;
  readonly publicSubnetIds: pulumi.Input<string>[];
  readonly appSubnetIds: pulumi.Input<string>[];
  readonly loadBalancerSecurityGroupId: pulumi.Input<string>;
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

const schedulesOf = (args: ApiServiceArgs): readonly ScaleSchedule[] => args.schedules ?? (args.site.servesTraffic ? args.topology.app.schedules : []);

export class ApiService extends pulumi.ComponentResource {
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
    validate(name, args);
    const { topology, site } = args;
    const { app } = topology;
    const cap = site.api;
    const region = site.region;
    const prod = topology.environment === "prod";
    const tags = siteTags(topology, site, "api");
    const child = { parent: this };
    const certificateArn = args.certificateArn ?? args.site.certificateArn;

    // --- access logs ----------------------------------------------------------------------
    const logs = privateBucket(`${name}-alb-logs`, {
      region,
      tags: siteTags(topology, site, "logs"),
      parent: this,
      versioning: false,
      expireDays: topology.logRetentionDays,
      forceDestroy: !prod,
    });
    const elbAccount = aws.elb.getServiceAccountOutput({ region }, child);
    const logsPolicy = new aws.s3.BucketPolicy(`${name}-alb-logs`, {
      region,
      bucket: logs.bucket.id,
      policy: pulumi.all([logs.bucket.arn, elbAccount.arn]).apply(([arn, elb]) => JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          // regions opened before Aug 2022 deliver as the regional ELB account ...
          { Sid: "ElbAccountDelivery", Effect: "Allow", Principal: { AWS: elb }, Action: "s3:PutObject", Resource: `${arn}/alb/AWSLogs/*` },
          // ... newer regions as the log-delivery service
          { Sid: "ElbServiceDelivery", Effect: "Allow", Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" }, Action: "s3:PutObject", Resource: `${arn}/alb/AWSLogs/*` },
          { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [arn, `${arn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } },
        ],
      })),
    }, { parent: this, dependsOn: logs.ready });

    // --- load balancer, target group, listeners ------------------------------------------
    const alb = new aws.lb.LoadBalancer(`${name}`, {
      region,
      loadBalancerType: "application",
      internal: false,
      securityGroups: [args.loadBalancerSecurityGroupId],
      subnets: args.publicSubnetIds,
      dropInvalidHeaderFields: true,
      enableDeletionProtection: prod,
      idleTimeout: 60,
      accessLogs: { bucket: logs.bucket.id, prefix: "alb", enabled: true },
      tags: { ...tags, Name: name },
    }, { parent: this, dependsOn: [logsPolicy] });

    const tg = new aws.lb.TargetGroup(`${name}`, {
      region,
      vpcId: args.vpcId,
      port: app.port,
      protocol: "HTTP",
      targetType: "instance",
      // the app drains for drainSeconds on SIGTERM; the ALB stops sending first, for as long
      deregistrationDelay: app.drainSeconds,
      healthCheck: {
        enabled: true,
        protocol: "HTTP",
        port: "traffic-port",
        path: HEALTH_CHECK.path,
        interval: HEALTH_CHECK.interval,
        timeout: HEALTH_CHECK.timeout,
        healthyThreshold: HEALTH_CHECK.healthyThreshold,
        unhealthyThreshold: HEALTH_CHECK.unhealthyThreshold,
        matcher: HEALTH_CHECK.matcher,
      },
      tags,
    }, child);

    const forward = [{ type: "forward", targetGroupArn: tg.arn }];
    let serving: aws.lb.Listener;
    if (certificateArn !== undefined) {
      serving = new aws.lb.Listener(`${name}-https`, {
        region,
        loadBalancerArn: alb.arn,
        port: 443,
        protocol: "HTTPS",
        sslPolicy: TLS_POLICY,
        certificateArn,
        defaultActions: forward,
        tags,
      }, child);
      new aws.lb.Listener(`${name}-http`, {
        region,
        loadBalancerArn: alb.arn,
        port: 80,
        protocol: "HTTP",
        defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
        tags,
      }, child);
      this.protocol = "https";
    } else {
      pulumi.log.warn(`${name}: no certificate (sites.${args.site.key}.certificateArn): the load balancer serves plain HTTP on port 80`, this);
      serving = new aws.lb.Listener(`${name}-http`, { region, loadBalancerArn: alb.arn, port: 80, protocol: "HTTP", defaultActions: forward, tags }, child);
      this.protocol = "http";
    }
    // The app's Prometheus metrics are for the CloudWatch agent on the instance, not the internet.
    new aws.lb.ListenerRule(`${name}-hide-metrics`, {
      region,
      listenerArn: serving.arn,
      priority: 10,
      conditions: [{ pathPattern: { values: INTERNAL_PATHS } }],
      actions: [{ type: "fixed-response", fixedResponse: { statusCode: "404", contentType: "application/json", messageBody: JSON.stringify({ error: { code: "not_found", message: "not found" } }) } }],
      tags,
    }, child);

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
    const ami = aws.ssm.getParameterOutput({ name: al2023AmiParameter(cap.arch), region }, child);
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
      cookieSecure: certificateArn !== undefined,
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
      imageId: ami.value,
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
      targetGroupArns: [tg.arn],
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
        predefinedMetricSpecification: {
          predefinedMetricType: "ALBRequestCountPerTarget",
          resourceLabel: pulumi.interpolate`${alb.arnSuffix}/${tg.arnSuffix}`,
        },
        targetValue: REQUESTS_PER_TARGET,
      },
    }, child);

    // Schedules (the flash-sale case) size the serving fleet; a standby is sized by its role.
    {
      for (const s of schedulesOf(args)) {
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
    }

    this.loadBalancerArn = alb.arn;
    this.loadBalancerArnSuffix = alb.arnSuffix;
    this.loadBalancerDnsName = alb.dnsName;
    this.loadBalancerZoneId = alb.zoneId;
    this.targetGroupArn = tg.arn;
    this.targetGroupArnSuffix = tg.arnSuffix;
    this.autoScalingGroupName = asg.name;
    this.launchTemplateId = lt.id;
    this.instanceRoleArn = role.arn;
    this.accessLogBucketName = logs.bucket.bucket;
    this.userData = userData;
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

function validate(name: string, args: ApiServiceArgs): void {
  const { site, topology } = args;
  const cap = site.api;
  const fail = (msg: string): never => { throw new Error(`ApiService ${name}: ${msg}`); };
  if (site.cloud !== "aws") fail(`site ${site.key} is on ${site.cloud}, not aws`);
  if (!cap.provisioned) fail(`site ${site.key} has api.provisioned false; do not construct an ApiService for it`);
  if (!(cap.min <= cap.desired && cap.desired <= cap.max)) fail(`capacity must satisfy min <= desired <= max, got min ${cap.min}, desired ${cap.desired}, max ${cap.max}`);
  if (cap.max < 1) fail(`api.max must be at least 1 for a provisioned site, got ${cap.max}`);
  if (args.publicSubnetIds.length < 2) fail(`an ALB needs public subnets in at least 2 AZs, got ${args.publicSubnetIds.length}`);
  if (args.appSubnetIds.length !== site.azCount) fail(`expected ${site.azCount} private-app subnets (one per AZ), got ${args.appSubnetIds.length}`);
  try {
    nodeIdMask(tierBlocks(site.cidr).appBlock);
  } catch (e) {
    fail(`site ${site.key} (${site.cidr}): ${(e as Error).message}`);
  }
  const port = topology.app.port;
  if (!Number.isInteger(port) || port < 1024 || port > 65535) fail(`app.port must be an unprivileged port 1024..65535, got ${port}`);
  if (topology.app.drainSeconds < 0 || topology.app.drainSeconds > 3600) fail(`app.drainSeconds must be 0..3600 (the target group's deregistration delay), got ${topology.app.drainSeconds}`);
  const mhp = topology.app.minHealthyPercentage;
  if (mhp < 0 || mhp > 100) fail(`app.minHealthyPercentage must be 0..100, got ${mhp}`);
  {
    for (const s of schedulesOf(args)) {
      if (!(s.min <= s.desired && s.desired <= s.max)) fail(`schedule ${s.name} must satisfy min <= desired <= max, got ${s.min}/${s.desired}/${s.max}`);
      if (s.max > cap.max) fail(`schedule ${s.name} max ${s.max} exceeds the site's api.max ${cap.max}`);
    }
  }
}
