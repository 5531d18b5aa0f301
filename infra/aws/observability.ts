import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { METRICS_NAMESPACE } from "../names";
import { REPLICA_LAG_BOUND_SECONDS } from "../topology/dr-matrix";
import { LIVENESS_PATH } from "../topology/health";
import type { SiteTopology, Topology } from "../topology/types";
import { alarmTopic } from "./alarm-topic";
import { siteTags } from "./tags";

// Logs, alarms and the dashboard of one AWS site. The app log group exists before the API tier
// (its name goes into the CloudWatch agent config in the user data); alarms and the dashboard
// come after every tier, from their identifiers.

export const ALARM_PERIOD_SECONDS = 60;
export const THRESHOLDS = {
  alb5xxPercent: 5,
  p99LatencySeconds: 1,
  rdsCpuPercent: 80,
  /** free storage below this share of the allocated storage */
  rdsFreeStorageShare: 0.1,
  /** connections above this share of max_connections */
  rdsConnectionsShare: 0.8,
  replicaLagSeconds: REPLICA_LAG_BOUND_SECONDS,
  redisEngineCpuPercent: 80,
  redisMemoryPercent: 80,
  /** evicted keys per period (volatile-lru evicts only TTL'd cache keys; a burst means memory pressure) */
  redisEvictions: 100,
} as const;

export function appLogGroupName(topology: Topology, site: SiteTopology): string {
  return `/${topology.project}/${topology.environment}/${site.key}/app`;
}

export interface AppLogGroupArgs {
  readonly topology: Topology;
  readonly site: SiteTopology;
}

/** The app's log group (API, worker, bootstrap streams) with a retention and an error metric. */
export class AppLogGroup extends pulumi.ComponentResource {
  public readonly name: pulumi.Output<string>;
  public readonly arn: pulumi.Output<string>;

  constructor(name: string, args: AppLogGroupArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:aws:AppLogGroup", name, {}, opts);
    const { topology, site } = args;
    if (site.cloud !== "aws") throw new Error(`AppLogGroup ${name}: site ${site.key} is on ${site.cloud}, not aws`);
    const region = site.region;
    const group = new aws.cloudwatch.LogGroup(name, {
      region,
      name: appLogGroupName(topology, site),
      retentionInDays: topology.logRetentionDays,
      tags: siteTags(topology, site, "observability"),
    }, { parent: this });
    // pino writes JSON lines; level 50 is "error", 60 "fatal"
    new aws.cloudwatch.LogMetricFilter(`${name}-errors`, {
      region,
      logGroupName: group.name,
      pattern: "{ $.level >= 50 }",
      metricTransformation: { namespace: METRICS_NAMESPACE, name: "AppErrors", value: "1", defaultValue: "0" },
    }, { parent: this });
    this.name = group.name;
    this.arn = group.arn;
    this.registerOutputs({ name: this.name, arn: this.arn });
  }
}

export interface ObservabilityArgs {
  readonly topology: Topology;
  readonly site: SiteTopology;
  readonly api?: {
    readonly loadBalancerArnSuffix: pulumi.Input<string>;
    readonly targetGroupArnSuffix: pulumi.Input<string>;
    readonly autoScalingGroupName: pulumi.Input<string>;
  };
  readonly database?: {
    /** the writer of this site (absent on a replica site) */
    readonly writerIdentifier?: pulumi.Input<string>;
    /** every replica in this site: in-region read replicas, or the cross-region replica */
    readonly replicaIdentifiers: pulumi.Input<string>[];
    readonly maxConnections: number;
  };
  readonly cache?: { readonly replicationGroupId: pulumi.Input<string> };
}

type Dimensions = Record<string, pulumi.Input<string>>;

export class Observability extends pulumi.ComponentResource {
  public readonly topicArn: pulumi.Output<string>;
  public readonly alarmNames: pulumi.Output<string>[];
  public readonly dashboardName: string;

  constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:aws:Observability", name, {}, opts);
    const { topology, site } = args;
    const fail = (msg: string): never => { throw new Error(`Observability ${name}: ${msg}`); };
    if (site.cloud !== "aws") fail(`site ${site.key} is on ${site.cloud}, not aws`);
    if (args.database && args.database.maxConnections < 1) fail(`database.maxConnections must be positive, got ${args.database.maxConnections}`);
    const region = site.region;
    const tags = siteTags(topology, site, "observability");
    const child = { parent: this };

    // a customer-managed key CloudWatch may use: with alias/aws/sns every alarm action would fail
    const { topic } = alarmTopic(`${name}-alarms`, this, {
      region,
      purpose: `${topology.project} ${topology.environment} ${site.key} alarms (${region})`,
      publishers: ["cloudwatch.amazonaws.com"],
      tags,
    });
    if (topology.alerts.email) {
      new aws.sns.TopicSubscription(`${name}-email`, { region, topic: topic.arn, protocol: "email", endpoint: topology.alerts.email }, child);
    }

    const alarms: aws.cloudwatch.MetricAlarm[] = [];
    const alarm = (id: string, description: string, a: Omit<aws.cloudwatch.MetricAlarmArgs, "region" | "alarmActions" | "okActions" | "tags" | "alarmDescription">) => {
      alarms.push(new aws.cloudwatch.MetricAlarm(`${name}-${id}`, {
        region,
        alarmDescription: `${site.key}: ${description}`,
        alarmActions: [topic.arn],
        okActions: [topic.arn],
        period: a.metricQueries ? undefined : ALARM_PERIOD_SECONDS,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        treatMissingData: "notBreaching",
        ...a,
        tags,
      }, child));
    };
    const metric = (namespace: string, metricName: string, dimensions: Dimensions, stat: string) => ({ namespace, metricName, dimensions, period: ALARM_PERIOD_SECONDS, stat });

    if (args.api) {
      const lb = { LoadBalancer: args.api.loadBalancerArnSuffix };
      const tg = { LoadBalancer: args.api.loadBalancerArnSuffix, TargetGroup: args.api.targetGroupArnSuffix };
      alarm("alb-5xx-ratio", `5xx responses above ${THRESHOLDS.alb5xxPercent}% of requests`, {
        comparisonOperator: "GreaterThanThreshold",
        threshold: THRESHOLDS.alb5xxPercent,
        metricQueries: [
          { id: "target5xx", metric: metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", lb, "Sum"), returnData: false },
          { id: "elb5xx", metric: metric("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lb, "Sum"), returnData: false },
          { id: "requests", metric: metric("AWS/ApplicationELB", "RequestCount", lb, "Sum"), returnData: false },
          { id: "ratio", expression: "100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests", label: "5xx %", returnData: true },
        ],
      });
      alarm("target-p99-latency", `p99 target response time above ${THRESHOLDS.p99LatencySeconds} s`, {
        namespace: "AWS/ApplicationELB", metricName: "TargetResponseTime", dimensions: tg, extendedStatistic: "p99",
        comparisonOperator: "GreaterThanThreshold", threshold: THRESHOLDS.p99LatencySeconds,
      });
      alarm("unhealthy-hosts", `targets failing the ${LIVENESS_PATH} liveness check (the process does not answer; the ASG replaces them)`, {
        namespace: "AWS/ApplicationELB", metricName: "UnHealthyHostCount", dimensions: tg, statistic: "Maximum",
        comparisonOperator: "GreaterThanThreshold", threshold: 0,
      });
      if (site.api.min > 0) {
        alarm("asg-below-min", `fewer than ${site.api.min} instances in service`, {
          namespace: "AWS/AutoScaling", metricName: "GroupInServiceInstances", dimensions: { AutoScalingGroupName: args.api.autoScalingGroupName }, statistic: "Minimum",
          comparisonOperator: "LessThanThreshold", threshold: site.api.min, treatMissingData: "breaching",
        });
      }
    }

    if (args.database) {
      const d = args.database;
      const instances = [...(d.writerIdentifier !== undefined ? [["writer", d.writerIdentifier] as const] : []), ...d.replicaIdentifiers.map((id, i) => [`replica-${i}`, id] as const)];
      const storageBytes = site.database.allocatedStorageGb * 1024 ** 3 * THRESHOLDS.rdsFreeStorageShare;
      for (const [label, id] of instances) {
        const dims = { DBInstanceIdentifier: id };
        alarm(`rds-${label}-cpu`, `RDS ${label} CPU above ${THRESHOLDS.rdsCpuPercent}%`, {
          namespace: "AWS/RDS", metricName: "CPUUtilization", dimensions: dims, statistic: "Average", comparisonOperator: "GreaterThanThreshold", threshold: THRESHOLDS.rdsCpuPercent,
        });
        alarm(`rds-${label}-free-storage`, `RDS ${label} free storage below ${THRESHOLDS.rdsFreeStorageShare * 100}% of allocated`, {
          namespace: "AWS/RDS", metricName: "FreeStorageSpace", dimensions: dims, statistic: "Minimum", comparisonOperator: "LessThanThreshold", threshold: storageBytes,
        });
        alarm(`rds-${label}-connections`, `RDS ${label} connections above ${THRESHOLDS.rdsConnectionsShare * 100}% of max_connections`, {
          namespace: "AWS/RDS", metricName: "DatabaseConnections", dimensions: dims, statistic: "Maximum", comparisonOperator: "GreaterThanThreshold", threshold: Math.floor(d.maxConnections * THRESHOLDS.rdsConnectionsShare),
        });
        if (label !== "writer") {
          alarm(`rds-${label}-lag`, `replica lag above ${THRESHOLDS.replicaLagSeconds} s (the RPO bound)`, {
            namespace: "AWS/RDS", metricName: "ReplicaLag", dimensions: dims, statistic: "Maximum", comparisonOperator: "GreaterThanThreshold", threshold: THRESHOLDS.replicaLagSeconds,
            treatMissingData: "breaching",
          });
        }
      }
    }

    const cacheNodes = args.cache ? cacheNodeIds(args.cache.replicationGroupId, 1 + site.cache.replicas) : [];
    cacheNodes.forEach((node, i) => {
      const dims = { CacheClusterId: node };
      alarm(`redis-${i}-cpu`, `Redis node ${i + 1} engine CPU above ${THRESHOLDS.redisEngineCpuPercent}%`, {
        namespace: "AWS/ElastiCache", metricName: "EngineCPUUtilization", dimensions: dims, statistic: "Average", comparisonOperator: "GreaterThanThreshold", threshold: THRESHOLDS.redisEngineCpuPercent,
      });
      alarm(`redis-${i}-memory`, `Redis node ${i + 1} memory above ${THRESHOLDS.redisMemoryPercent}%`, {
        namespace: "AWS/ElastiCache", metricName: "DatabaseMemoryUsagePercentage", dimensions: dims, statistic: "Maximum", comparisonOperator: "GreaterThanThreshold", threshold: THRESHOLDS.redisMemoryPercent,
      });
      alarm(`redis-${i}-evictions`, `Redis node ${i + 1} evicting more than ${THRESHOLDS.redisEvictions} keys a minute`, {
        namespace: "AWS/ElastiCache", metricName: "Evictions", dimensions: dims, statistic: "Sum", comparisonOperator: "GreaterThanThreshold", threshold: THRESHOLDS.redisEvictions,
      });
    });

    this.dashboardName = `${topology.project}-${topology.environment}-${site.key}`;
    new aws.cloudwatch.Dashboard(`${name}`, {
      region,
      dashboardName: this.dashboardName,
      dashboardBody: pulumi.output({
        api: args.api,
        writer: args.database?.writerIdentifier,
        replicas: args.database?.replicaIdentifiers ?? [],
        nodes: cacheNodes,
      }).apply((v) => JSON.stringify(dashboardBody(region, site.key, v))),
    }, child);

    this.topicArn = topic.arn;
    this.alarmNames = alarms.map((a) => a.name);
    this.registerOutputs({ topicArn: this.topicArn, dashboardName: this.dashboardName });
  }
}

/** Node ids of a cluster-mode-disabled replication group: <group>-001, -002, ... */
export function cacheNodeIds(replicationGroupId: pulumi.Input<string>, count: number): pulumi.Output<string>[] {
  return Array.from({ length: count }, (_, i) => pulumi.interpolate`${replicationGroupId}-${String(i + 1).padStart(3, "0")}`);
}

interface DashboardInputs {
  api?: { loadBalancerArnSuffix: string; targetGroupArnSuffix: string; autoScalingGroupName: string };
  writer?: string;
  replicas: string[];
  nodes: string[];
}

/** Host, aggregated and business panels. */
export function dashboardBody(region: string, siteKey: string, v: DashboardInputs): { widgets: object[] } {
  const widgets: object[] = [];
  const panel = (title: string, metrics: unknown[][], extra: Record<string, unknown> = {}) => {
    widgets.push({ type: "metric", width: 12, height: 6, properties: { title, region, view: "timeSeries", stacked: false, period: 60, metrics, ...extra } });
  };
  if (v.api) {
    const asg = v.api.autoScalingGroupName;
    const lb = v.api.loadBalancerArnSuffix;
    panel("Hosts: CPU and memory", [
      ["AWS/EC2", "CPUUtilization", "AutoScalingGroupName", asg, { stat: "Average", label: "CPU %" }],
      [`${METRICS_NAMESPACE}/Host`, "mem_used_percent", "AutoScalingGroupName", asg, { stat: "Average", label: "memory %" }],
    ]);
    panel("Hosts: instances", [
      ["AWS/AutoScaling", "GroupInServiceInstances", "AutoScalingGroupName", asg, { stat: "Minimum" }],
      ["AWS/AutoScaling", "GroupDesiredCapacity", "AutoScalingGroupName", asg, { stat: "Maximum" }],
    ]);
    panel("Load balancer: requests and 5xx", [
      ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", lb, { stat: "Sum" }],
      ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", lb, { stat: "Sum" }],
      ["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "LoadBalancer", lb, { stat: "Sum" }],
    ]);
    panel("Load balancer: target latency", [
      ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", lb, "TargetGroup", v.api.targetGroupArnSuffix, { stat: "p99", label: "p99" }],
      ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", lb, "TargetGroup", v.api.targetGroupArnSuffix, { stat: "p50", label: "p50" }],
    ]);
  }
  if (v.nodes.length > 0) {
    panel("Cache hit rate", v.nodes.map((n) => ["AWS/ElastiCache", "CacheHitRate", "CacheClusterId", n, { stat: "Average" }]), { yAxis: { left: { min: 0, max: 100 } } });
  }
  const dbs = [...(v.writer ? [v.writer] : []), ...v.replicas];
  if (dbs.length > 0) {
    panel("Database connections", dbs.map((id) => ["AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", id, { stat: "Maximum" }]));
    if (v.replicas.length > 0) panel("Replica lag (s)", v.replicas.map((id) => ["AWS/RDS", "ReplicaLag", "DBInstanceIdentifier", id, { stat: "Maximum" }]));
  }
  panel("Business: posts created, feed reads", [
    [METRICS_NAMESPACE, "posts_created_total", "SiteKey", siteKey, { stat: "Sum", label: "posts created" }],
    [METRICS_NAMESPACE, "feed_reads_total", "SiteKey", siteKey, { stat: "Sum", label: "feed reads" }],
  ]);
  panel("Business: fan-out lag (jobs not yet in followers' feeds)", [[METRICS_NAMESPACE, "fanout_lag", "SiteKey", siteKey, { stat: "Maximum", label: "fan-out lag" }]]);
  // Post-cache hit ratio (%) from cache_requests_total{cache="post",result} (FILL: periods without misses or errors still plot); a falling ratio means feed pages read MySQL.
  const postCache = (result: string) => [METRICS_NAMESPACE, "cache_requests_total", "SiteKey", siteKey, "cache", "post", "result", result, { stat: "Sum", id: result, visible: false }];
  panel("Business: post cache hit ratio (%)", [[{ expression: "100 * hit / (hit + FILL(miss, 0) + FILL(error, 0))", label: "post cache hits %", id: "ratio" }], postCache("hit"), postCache("miss"), postCache("error")], { yAxis: { left: { min: 0, max: 100 } } });
  panel("App errors", [[METRICS_NAMESPACE, "AppErrors", { stat: "Sum" }]]);
  return { widgets };
}
