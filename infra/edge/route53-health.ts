import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { alarmTopic } from "../aws/alarm-topic";
import type { SiteKey, Topology } from "../topology/types";
import { edgeTags, type SiteOrigin } from "./origins";

// One Route 53 health check per routable site, on its site-readiness path through its load
// balancer, and an alarm on each. Route 53 publishes health-check metrics in us-east-1 only, and
// alarm actions must be in the alarm's region, so the alarms and their topic live there.

export const ROUTE53_METRICS_REGION = "us-east-1";

export interface SiteHealthCheck {
  readonly site: SiteKey;
  readonly check: aws.route53.HealthCheck;
}

/** The health check's target: the ALB over HTTPS with SNI when it has a certificate, else HTTP. */
export function healthCheckTarget(origin: SiteOrigin): Pick<aws.route53.HealthCheckArgs, "type" | "fqdn" | "ipAddress" | "port" | "enableSni"> {
  if (origin.kind === "ip") return { type: "HTTP", ipAddress: origin.ip, port: 80 };
  return origin.https ? { type: "HTTPS", fqdn: origin.dnsName, port: 443, enableSni: true } : { type: "HTTP", fqdn: origin.dnsName, port: 80 };
}

export function siteHealthChecks(name: string, parent: pulumi.Resource, topology: Topology, origins: readonly SiteOrigin[]): SiteHealthCheck[] {
  const edge = topology.edge;
  const opts = { parent };
  const checks = origins.map((origin) => ({
    site: origin.site,
    check: new aws.route53.HealthCheck(`${name}-${origin.site}-readyz`, {
      ...healthCheckTarget(origin),
      resourcePath: edge.healthCheckPath,
      requestInterval: edge.healthCheckIntervalSeconds,
      failureThreshold: edge.healthCheckFailureThreshold,
      regions: [...edge.checkerRegions],
      referenceName: `${topology.environment}-${origin.site}`.slice(0, 64),
      tags: { ...edgeTags(topology.project, topology.environment, origin.site), Name: `${topology.project}-${topology.environment}-${origin.site}-readyz` },
    }, opts),
  }));

  const { topic } = alarmTopic(`${name}-alarms`, parent, {
    region: ROUTE53_METRICS_REGION,
    purpose: `${topology.project} ${topology.environment} edge health-check alarms (${ROUTE53_METRICS_REGION})`,
    publishers: ["cloudwatch.amazonaws.com"],
    tags: edgeTags(topology.project, topology.environment),
  });
  if (topology.alerts.email) {
    new aws.sns.TopicSubscription(`${name}-alarms-email`, { region: ROUTE53_METRICS_REGION, topic: topic.arn, protocol: "email", endpoint: topology.alerts.email }, opts);
  }
  for (const { site, check } of checks) {
    new aws.cloudwatch.MetricAlarm(`${name}-${site}-unready`, {
      region: ROUTE53_METRICS_REGION,
      alarmDescription: `${site}: Route 53 health checkers see ${edge.healthCheckPath} failing through the site's load balancer (the site cannot serve; the edge routes around it)`,
      namespace: "AWS/Route53",
      metricName: "HealthCheckStatus",
      dimensions: { HealthCheckId: check.id },
      statistic: "Minimum",
      period: 60,
      evaluationPeriods: 1,
      comparisonOperator: "LessThanThreshold",
      threshold: 1,
      treatMissingData: "breaching",
      alarmActions: [topic.arn],
      okActions: [topic.arn],
      tags: edgeTags(topology.project, topology.environment, site),
    }, opts);
  }
  return checks;
}
