import { strict as assert } from "node:assert";
import { AppLogGroup, Observability } from "../../infra/aws/observability";
import { Recorded, json, pick, prodTopology, record, setupMocks, siteOf, type TierMocks } from "./support/harness";

describe("app logs, alarms and dashboard", function () {
  this.timeout(60_000);
  let mocks: TierMocks;
  let logs: Recorded;
  let obs: Recorded;
  let standbyObs: Recorded;

  before(async () => {
    mocks = await setupMocks();
    const prod = prodTopology();
    const primary = siteOf(prod, "primary");
    logs = await record(mocks, () => { new AppLogGroup("primary-app-logs", { topology: prod, site: primary }); });
    obs = await record(mocks, () => {
      new Observability("primary-obs", {
        topology: prod, site: primary,
        api: { loadBalancerArnSuffix: "app/primary-api/0123", targetGroupArnSuffix: "targetgroup/primary-api/4567", autoScalingGroupName: "primary-api-asg" },
        database: { writerIdentifier: "primary-db", replicaIdentifiers: ["primary-db-read-0", "primary-db-read-1"], maxConnections: 1000 },
        cache: { replicationGroupId: "primary-cache" },
      });
    });
    const secondary = siteOf(prod, "secondary");
    standbyObs = await record(mocks, () => {
      new Observability("secondary-obs", {
        topology: prod, site: secondary,
        api: { loadBalancerArnSuffix: "app/secondary-api/0123", targetGroupArnSuffix: "targetgroup/secondary-api/4567", autoScalingGroupName: "secondary-api-asg" },
        database: { replicaIdentifiers: ["secondary-db"], maxConnections: 1000 },
        cache: { replicationGroupId: "secondary-cache" },
      });
    });
  });

  it("app log group with the configured retention and an error metric from pino levels", () => {
    assert.deepEqual(pick(logs.one("cloudwatch/logGroup:LogGroup", "primary-app-logs"), ["region", "name", "retentionInDays"]), { region: "ap-northeast-2", name: "/resilient-feed/prod/primary/app", retentionInDays: 90 });
    assert.deepEqual(pick(logs.one("cloudwatch/logMetricFilter:LogMetricFilter", "primary-app-logs-errors"), ["logGroupName", "pattern", "metricTransformation"]),
      { logGroupName: "/resilient-feed/prod/primary/app", pattern: "{ $.level >= 50 }", metricTransformation: { namespace: "ResilientFeed", name: "AppErrors", value: "1", defaultValue: "0" } });
  });

  it("SNS topic encrypted with a customer-managed key CloudWatch may use (rotation on), with the on-call email subscription", () => {
    const key = obs.one("kms/key:Key", "primary-obs-alarms-key");
    const topic = obs.one("sns/topic:Topic", "primary-obs-alarms");
    assert.equal(topic.inputs.region, "ap-northeast-2");
    // the key's ARN (the mocks name keys by a hash), never the AWS-managed alias/aws/sns
    assert.match(String(topic.inputs.kmsMasterKeyId), /^arn:aws:kms:ap-northeast-2:123456789012:key\/[0-9a-f]{32}$/);
    assert.deepEqual(pick(key, ["region", "enableKeyRotation", "deletionWindowInDays"]), { region: "ap-northeast-2", enableKeyRotation: true, deletionWindowInDays: 30 });
    assert.deepEqual(json(key.inputs.policy).Statement, [
      { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" },
      { Sid: "PublishersUseTheKey", Effect: "Allow", Principal: { Service: ["cloudwatch.amazonaws.com"] }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*" },
    ]);
    assert.match(String(standbyObs.one("sns/topic:Topic", "secondary-obs-alarms").inputs.kmsMasterKeyId), /^arn:aws:kms:ap-northeast-1:123456789012:key\/[0-9a-f]{32}$/);
    assert.deepEqual(pick(obs.one("sns/topicSubscription:TopicSubscription", "primary-obs-email"), ["protocol", "endpoint"]), { protocol: "email", endpoint: "oncall@example.com" });
  });

  it("unhealthy-hosts alarm: about the /healthz liveness check the target group uses", () => {
    assert.equal((obs.one("cloudwatch/metricAlarm:MetricAlarm", "primary-obs-unhealthy-hosts").inputs as any).alarmDescription,
      "primary: targets failing the /healthz liveness check (the process does not answer; the ASG replaces them)");
  });

  it("alarms: every one the issue lists, with thresholds, dimensions, and the topic as action", () => {
    const rows = obs.of("cloudwatch/metricAlarm:MetricAlarm").map((a) => {
      const i = a.inputs as any;
      return `${a.name} ${i.namespace ?? "math"}/${i.metricName ?? i.metricQueries.map((q: any) => q.id).join("+")} ${i.extendedStatistic ?? i.statistic ?? ""} ${i.comparisonOperator} ${i.threshold} ${JSON.stringify(i.dimensions ?? {})}`;
    });
    // registration order follows output resolution; compare as sets
    assert.deepEqual(rows.sort(), [
      "primary-obs-alb-5xx-ratio math/target5xx+elb5xx+requests+ratio  GreaterThanThreshold 5 {}",
      'primary-obs-target-p99-latency AWS/ApplicationELB/TargetResponseTime p99 GreaterThanThreshold 1 {"LoadBalancer":"app/primary-api/0123","TargetGroup":"targetgroup/primary-api/4567"}',
      'primary-obs-unhealthy-hosts AWS/ApplicationELB/UnHealthyHostCount Maximum GreaterThanThreshold 0 {"LoadBalancer":"app/primary-api/0123","TargetGroup":"targetgroup/primary-api/4567"}',
      'primary-obs-asg-below-min AWS/AutoScaling/GroupInServiceInstances Minimum LessThanThreshold 3 {"AutoScalingGroupName":"primary-api-asg"}',
      'primary-obs-rds-writer-cpu AWS/RDS/CPUUtilization Average GreaterThanThreshold 80 {"DBInstanceIdentifier":"primary-db"}',
      `primary-obs-rds-writer-free-storage AWS/RDS/FreeStorageSpace Minimum LessThanThreshold ${10 * 1024 ** 3} {"DBInstanceIdentifier":"primary-db"}`,
      'primary-obs-rds-writer-connections AWS/RDS/DatabaseConnections Maximum GreaterThanThreshold 800 {"DBInstanceIdentifier":"primary-db"}',
      'primary-obs-rds-replica-0-cpu AWS/RDS/CPUUtilization Average GreaterThanThreshold 80 {"DBInstanceIdentifier":"primary-db-read-0"}',
      `primary-obs-rds-replica-0-free-storage AWS/RDS/FreeStorageSpace Minimum LessThanThreshold ${10 * 1024 ** 3} {"DBInstanceIdentifier":"primary-db-read-0"}`,
      'primary-obs-rds-replica-0-connections AWS/RDS/DatabaseConnections Maximum GreaterThanThreshold 800 {"DBInstanceIdentifier":"primary-db-read-0"}',
      'primary-obs-rds-replica-0-lag AWS/RDS/ReplicaLag Maximum GreaterThanThreshold 60 {"DBInstanceIdentifier":"primary-db-read-0"}',
      'primary-obs-rds-replica-1-cpu AWS/RDS/CPUUtilization Average GreaterThanThreshold 80 {"DBInstanceIdentifier":"primary-db-read-1"}',
      `primary-obs-rds-replica-1-free-storage AWS/RDS/FreeStorageSpace Minimum LessThanThreshold ${10 * 1024 ** 3} {"DBInstanceIdentifier":"primary-db-read-1"}`,
      'primary-obs-rds-replica-1-connections AWS/RDS/DatabaseConnections Maximum GreaterThanThreshold 800 {"DBInstanceIdentifier":"primary-db-read-1"}',
      'primary-obs-rds-replica-1-lag AWS/RDS/ReplicaLag Maximum GreaterThanThreshold 60 {"DBInstanceIdentifier":"primary-db-read-1"}',
      'primary-obs-redis-0-cpu AWS/ElastiCache/EngineCPUUtilization Average GreaterThanThreshold 80 {"CacheClusterId":"primary-cache-001"}',
      'primary-obs-redis-0-memory AWS/ElastiCache/DatabaseMemoryUsagePercentage Maximum GreaterThanThreshold 80 {"CacheClusterId":"primary-cache-001"}',
      'primary-obs-redis-0-evictions AWS/ElastiCache/Evictions Sum GreaterThanThreshold 100 {"CacheClusterId":"primary-cache-001"}',
      'primary-obs-redis-1-cpu AWS/ElastiCache/EngineCPUUtilization Average GreaterThanThreshold 80 {"CacheClusterId":"primary-cache-002"}',
      'primary-obs-redis-1-memory AWS/ElastiCache/DatabaseMemoryUsagePercentage Maximum GreaterThanThreshold 80 {"CacheClusterId":"primary-cache-002"}',
      'primary-obs-redis-1-evictions AWS/ElastiCache/Evictions Sum GreaterThanThreshold 100 {"CacheClusterId":"primary-cache-002"}',
    ].sort());
    for (const a of obs.of("cloudwatch/metricAlarm:MetricAlarm")) {
      assert.deepEqual([a.region, a.inputs.alarmActions, a.inputs.okActions], ["ap-northeast-2", ["arn:aws:sns:ap-northeast-2:123456789012:topic/primary-obs-alarms"], ["arn:aws:sns:ap-northeast-2:123456789012:topic/primary-obs-alarms"]]);
    }
    const ratio = (obs.one("cloudwatch/metricAlarm:MetricAlarm", "primary-obs-alb-5xx-ratio").inputs.metricQueries as any[]).find((q) => q.id === "ratio");
    assert.deepEqual(ratio, { id: "ratio", expression: "100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests", label: "5xx %", returnData: true });
  });

  it("the warm standby alarms on its cross-region replica's lag and its one instance", () => {
    const names = standbyObs.of("cloudwatch/metricAlarm:MetricAlarm").map((a) => a.name);
    assert.ok(names.includes("secondary-obs-rds-replica-0-lag"));
    assert.ok(!names.some((n) => n.includes("writer")));
    assert.equal(standbyObs.one("cloudwatch/metricAlarm:MetricAlarm", "secondary-obs-asg-below-min").inputs.threshold, 1);
    assert.deepEqual(names.filter((n) => n.includes("redis")).sort(), ["secondary-obs-redis-0-cpu", "secondary-obs-redis-0-evictions", "secondary-obs-redis-0-memory"]);
  });

  it("dashboard: host, aggregated (cache hit rate, DB connections) and business panels", () => {
    const d = obs.one("cloudwatch/dashboard:Dashboard", "primary-obs");
    assert.equal(d.inputs.dashboardName, "resilient-feed-prod-primary");
    const body = json(d.inputs.dashboardBody);
    assert.deepEqual(body.widgets.map((w: any) => w.properties.title), [
      "Hosts: CPU and memory", "Hosts: instances", "Load balancer: requests and 5xx", "Load balancer: target latency",
      "Cache hit rate", "Database connections", "Replica lag (s)", "Business: posts created, feed reads", "Business: fan-out lag (jobs not yet in followers' feeds)", "Business: post cache hit ratio (%)", "App errors",
    ]);
    const panel = (title: string) => body.widgets.find((w: any) => w.properties.title === title).properties.metrics;
    assert.deepEqual(panel("Cache hit rate").map((m: any[]) => m.slice(0, 4)), [["AWS/ElastiCache", "CacheHitRate", "CacheClusterId", "primary-cache-001"], ["AWS/ElastiCache", "CacheHitRate", "CacheClusterId", "primary-cache-002"]]);
    assert.deepEqual(panel("Business: posts created, feed reads").map((m: any[]) => m.slice(0, 4)), [["ResilientFeed", "posts_created_total", "SiteKey", "primary"], ["ResilientFeed", "feed_reads_total", "SiteKey", "primary"]]);
    assert.deepEqual(panel("Business: fan-out lag (jobs not yet in followers' feeds)"), [["ResilientFeed", "fanout_lag", "SiteKey", "primary", { stat: "Maximum", label: "fan-out lag" }]]);
    const ratio = panel("Business: post cache hit ratio (%)");
    assert.deepEqual(ratio[0], [{ expression: "100 * hit / (hit + FILL(miss, 0) + FILL(error, 0))", label: "post cache hits %", id: "ratio" }]);
    assert.deepEqual(ratio.slice(1), ["hit", "miss", "error"].map((r) => ["ResilientFeed", "cache_requests_total", "SiteKey", "primary", "cache", "post", "result", r, { stat: "Sum", id: r, visible: false }]));
    assert.ok(body.widgets.every((w: any) => w.properties.region === "ap-northeast-2"));
  });
});
