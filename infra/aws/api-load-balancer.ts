import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LIVENESS_PATH } from "../topology/health";
import type { SiteTopology, Topology } from "../topology/types";
import { API_LIMITS, inRange } from "../config/limits";
import { ORIGIN_VERIFY_HEADER } from "./origin-secret";
import { privateBucket } from "./private-bucket";
import { releasedTags, siteTags } from "./tags";

// The front of one site's API tier: an internet-facing ALB with access logs to S3, a target group
// health-checking GET /healthz (liveness: the ASG replaces instances on it), and HTTPS with a
// TLS 1.3 policy (80 redirects to 443), or plain HTTP on 80 in dev without a certificate.

export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";
/** App paths the load balancer answers 404 for itself (scraped locally by the CloudWatch agent). */
export const INTERNAL_PATHS = ["/metrics", "/metrics/*"];
export const HEALTH_CHECK = { path: LIVENESS_PATH, interval: 10, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3, matcher: "200" } as const;

export interface ApiLoadBalancerArgs {
  readonly topology: Topology;
  readonly site: SiteTopology;
  readonly vpcId: pulumi.Input<string>;
  readonly publicSubnetIds: pulumi.Input<string>[];
  readonly loadBalancerSecurityGroupId: pulumi.Input<string>;
  /** every group the ALB carries (the main one first); default: the main one alone */
  readonly loadBalancerSecurityGroupIds?: pulumi.Input<string>[];
  /** an ACM certificate in the site's region; without one the ALB serves plain HTTP */
  readonly certificateArn?: pulumi.Input<string>;
  /**
   * Behind CloudFront: the secret origin header values the listener accepts (origin-secret.ts);
   * any other request but the readiness path gets 403
   */
  readonly originSecrets?: pulumi.Input<string>[];
}

export class ApiLoadBalancer extends pulumi.ComponentResource {
  public readonly loadBalancerArn: pulumi.Output<string>;
  public readonly loadBalancerArnSuffix: pulumi.Output<string>;
  public readonly loadBalancerDnsName: pulumi.Output<string>;
  public readonly loadBalancerZoneId: pulumi.Output<string>;
  public readonly targetGroupArn: pulumi.Output<string>;
  public readonly targetGroupArnSuffix: pulumi.Output<string>;
  public readonly accessLogBucketName: pulumi.Output<string>;
  /** "https" when a certificate is set, "http" otherwise */
  public readonly protocol: "https" | "http";
  /**
   * Behind CloudFront: adds the last rule, 403 to whatever the allow rules did not pass, once
   * `after` exists (the program passes edge.domain's record, so users still calling the ALB
   * directly are refused only once the name points at CloudFront).
   */
  public readonly refuseOthers?: (after: readonly pulumi.Resource[]) => aws.lb.ListenerRule;

  constructor(name: string, args: ApiLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:aws:ApiLoadBalancer", name, {}, opts);
    validate(name, args);
    const { topology, site } = args;
    const { app } = topology;
    const region = site.region;
    const tags = siteTags(topology, site, "api");
    const child = { parent: this };

    // --- access logs ----------------------------------------------------------------------
    // a bucket holding logs can be deleted only with forceDestroy in state (dev, or released)
    const logs = privateBucket(`${name}-alb-logs`, {
      region,
      tags: { ...siteTags(topology, site, "logs"), ...releasedTags(site) },
      parent: this,
      versioning: false,
      expireDays: topology.logRetentionDays,
      forceDestroy: site.protection.forceDestroyBuckets,
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
      securityGroups: args.loadBalancerSecurityGroupIds ?? [args.loadBalancerSecurityGroupId],
      subnets: args.publicSubnetIds,
      dropInvalidHeaderFields: true,
      // prod, lifted by dr.releaseProtection the run before a mode switch removes this ALB
      enableDeletionProtection: site.protection.deletion,
      idleTimeout: 60,
      accessLogs: { bucket: logs.bucket.id, prefix: "alb", enabled: true },
      tags: { ...tags, Name: name, ...releasedTags(site) },
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
    if (args.certificateArn !== undefined) {
      serving = new aws.lb.Listener(`${name}-https`, {
        region,
        loadBalancerArn: alb.arn,
        port: 443,
        protocol: "HTTPS",
        sslPolicy: TLS_POLICY,
        certificateArn: args.certificateArn,
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
      pulumi.log.warn(`${name}: no certificate (sites.${site.key}.certificateArn): the load balancer serves plain HTTP on port 80`, this);
      serving = new aws.lb.Listener(`${name}-http`, { region, loadBalancerArn: alb.arn, port: 80, protocol: "HTTP", defaultActions: forward, tags }, child);
      this.protocol = "http";
    }
    // The app's Prometheus metrics are for the CloudWatch agent on the instance, not the internet.
    new aws.lb.ListenerRule(`${name}-hide-metrics`, {
      region,
      listenerArn: serving.arn,
      priority: RULE_PRIORITY.hideMetrics,
      conditions: [{ pathPattern: { values: INTERNAL_PATHS } }],
      actions: [{ type: "fixed-response", fixedResponse: { statusCode: "404", contentType: "application/json", messageBody: JSON.stringify({ error: { code: "not_found", message: "not found" } }) } }],
      tags,
    }, child);
    if (args.originSecrets) {
      const allow = originHeaderRules(name, region, serving, forward, topology.edge.healthCheckPath, args.originSecrets, tags, this);
      this.refuseOthers = (after) => denyRest(name, region, serving, tags, this, [...allow, ...after]);
    }

    this.loadBalancerArn = alb.arn;
    this.loadBalancerArnSuffix = alb.arnSuffix;
    this.loadBalancerDnsName = alb.dnsName;
    this.loadBalancerZoneId = alb.zoneId;
    this.targetGroupArn = tg.arn;
    this.targetGroupArnSuffix = tg.arnSuffix;
    this.accessLogBucketName = logs.bucket.bucket;
    this.registerOutputs({
      loadBalancerArn: this.loadBalancerArn,
      loadBalancerDnsName: this.loadBalancerDnsName,
      loadBalancerZoneId: this.loadBalancerZoneId,
      targetGroupArn: this.targetGroupArn,
      protocol: this.protocol,
    });
  }
}

/** Listener rule priorities: the metrics 404 first, then what may pass, then the 403 for the rest. */
export const RULE_PRIORITY = { hideMetrics: 10, originHeader: 20, readiness: 30, denyRest: 50000 } as const;
export const FORBIDDEN_BODY = JSON.stringify({ error: { code: "forbidden", message: "forbidden" } });

/**
 * Only CloudFront's requests (the secret header) and the readiness path (Route 53's health checks
 * send no custom header) reach the targets; a last rule (refuseOthers) answers 403 to anything
 * else. The listener's default action stays forward and the deny rule comes after the allow rules
 * and edge.domain's record (dependsOn), so a stack moving behind CloudFront never answers 403 to
 * CloudFront, nor to users, before the name points at CloudFront.
 */
function originHeaderRules(name: string, region: string, listener: aws.lb.Listener, forward: aws.types.input.lb.ListenerDefaultAction[], readinessPath: string, secrets: pulumi.Input<string>[], tags: Record<string, string>, parent: pulumi.Resource): aws.lb.ListenerRule[] {
  const child = { parent };
  return [
    new aws.lb.ListenerRule(`${name}-from-cdn`, {
      region,
      listenerArn: listener.arn,
      priority: RULE_PRIORITY.originHeader,
      conditions: [{ httpHeader: { httpHeaderName: ORIGIN_VERIFY_HEADER, values: secrets } }],
      actions: forward,
      tags,
    }, child),
    new aws.lb.ListenerRule(`${name}-readiness`, {
      region,
      listenerArn: listener.arn,
      priority: RULE_PRIORITY.readiness,
      conditions: [{ pathPattern: { values: [readinessPath] } }],
      actions: forward,
      tags,
    }, child),
  ];
}

function denyRest(name: string, region: string, listener: aws.lb.Listener, tags: Record<string, string>, parent: pulumi.Resource, after: pulumi.Resource[]): aws.lb.ListenerRule {
  return new aws.lb.ListenerRule(`${name}-deny-rest`, {
    region,
    listenerArn: listener.arn,
    priority: RULE_PRIORITY.denyRest,
    conditions: [{ pathPattern: { values: ["*"] } }],
    actions: [{ type: "fixed-response", fixedResponse: { statusCode: "403", contentType: "application/json", messageBody: FORBIDDEN_BODY } }],
    tags,
  }, { parent, dependsOn: after });
}

function validate(name: string, args: ApiLoadBalancerArgs): void {
  const { site, topology } = args;
  const fail = (msg: string): never => { throw new Error(`ApiLoadBalancer ${name}: ${msg}`); };
  if (site.cloud !== "aws") fail(`site ${site.key} is on ${site.cloud}, not aws`);
  if (!site.api.provisioned) fail(`site ${site.key} has api.provisioned false; do not construct a load balancer for it`);
  if (args.publicSubnetIds.length < 2) fail(`an ALB needs public subnets in at least 2 AZs, got ${args.publicSubnetIds.length} (config validation should have refused sites.${site.key}.azCount)`);
  const { port, drainSeconds } = topology.app;
  if (!inRange(port, API_LIMITS.port)) fail(`app.port must be an unprivileged port ${API_LIMITS.port.min}..${API_LIMITS.port.max}, got ${port}`);
  if (!inRange(drainSeconds, API_LIMITS.drainSeconds)) fail(`app.drainSeconds (the target group's deregistration delay) must be ${API_LIMITS.drainSeconds.min}..${API_LIMITS.drainSeconds.max}, got ${drainSeconds}`);
}
