import { LOG_DIR, type UserDataParams } from "./user-data-params";

// The CloudWatch agent's part of the boot script: app log files to the app log group, host
// metrics, and the app's Prometheus counters as CloudWatch metrics.

/** The app's Prometheus counters and gauges the dashboard shows (app/src/metrics.ts). */
export const APP_BUSINESS_METRICS = ["posts_created_total", "feed_reads_total", "fanout_lag"] as const;
export const APP_CACHE_METRIC = "cache_requests_total";
/**
 * The app serves its metrics on a listener of their own, on 127.0.0.1 only, at this port (the
 * app's METRICS_PORT default, app/src/config-http.ts; a test keeps the two equal). The public port
 * has no /metrics route.
 */
export const APP_METRICS_PORT = 9464;

/** CloudWatch agent config: app logs to the app log group, host metrics, app Prometheus metrics. */
export function cloudWatchAgentConfig(p: UserDataParams): object {
  const stream = (file: string) => ({ file_path: `${LOG_DIR}/${file}.log`, log_group_name: p.logGroupName, log_stream_name: `{instance_id}/${file}`, retention_in_days: -1 });
  return {
    agent: { metrics_collection_interval: 60, run_as_user: "root" },
    metrics: {
      namespace: `${p.metricsNamespace}/Host`,
      append_dimensions: { AutoScalingGroupName: "${aws:AutoScalingGroupName}", InstanceId: "${aws:InstanceId}" },
      aggregation_dimensions: [["AutoScalingGroupName"]],
      metrics_collected: {
        mem: { measurement: ["mem_used_percent"] },
        disk: { measurement: ["used_percent"], resources: ["/"] },
      },
    },
    logs: {
      logs_collected: {
        files: { collect_list: [stream("api"), stream("worker"), { ...stream("bootstrap"), file_path: `${LOG_DIR}/bootstrap.log` }] },
        prometheus: {
          log_group_name: p.logGroupName,
          prometheus_config_path: "/opt/aws/amazon-cloudwatch-agent/etc/prometheus.yaml",
          emf_processor: {
            metric_namespace: p.metricsNamespace,
            // names as app/src/metrics.ts registers them (a test keeps the two in step)
            metric_declaration: [
              { source_labels: ["job"], label_matcher: "^resilient-feed$", dimensions: [["SiteKey"]], metric_selectors: APP_BUSINESS_METRICS.map((m) => `^${m}$`) },
              { source_labels: ["job"], label_matcher: "^resilient-feed$", dimensions: [["SiteKey", "cache", "result"]], metric_selectors: [`^${APP_CACHE_METRIC}$`] },
            ],
          },
        },
      },
    },
  };
}

/** The agent scrapes the app's loopback metrics listener (the agent runs on the instance). */
export function prometheusConfig(p: UserDataParams): string {
  return [
    "global:",
    "  scrape_interval: 60s",
    "  scrape_timeout: 10s",
    "scrape_configs:",
    "  - job_name: resilient-feed",
    "    metrics_path: /metrics",
    "    static_configs:",
    `      - targets: ["127.0.0.1:${APP_METRICS_PORT}"]`,
    "        labels:",
    `          SiteKey: ${p.siteKey}`,
  ].join("\n");
}
