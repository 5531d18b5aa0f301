import * as client from "prom-client";

// One registry per app instance (tests build several apps in one process).
export class Metrics {
  readonly registry = new client.Registry();
  readonly httpRequests = new client.Counter({
    name: "http_requests_total",
    help: "HTTP requests by method, route and status",
    labelNames: ["method", "route", "status"] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new client.Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request latency by method, route and status",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly cacheRequests = new client.Counter({
    name: "cache_requests_total",
    help: "Cache lookups by cache and result (hit, miss, error)",
    labelNames: ["cache", "result"] as const,
    registers: [this.registry],
  });
  readonly localCacheHits = new client.Counter({
    name: "cache_local_hits_total",
    help: "Hits answered by the in-process near-cache (also counted in cache_requests_total as hits)",
    labelNames: ["cache"] as const,
    registers: [this.registry],
  });
  readonly dbQueries = new client.Counter({
    name: "db_queries_total",
    help: "SQL statements sent, by pool (primary, replica)",
    labelNames: ["pool"] as const,
    registers: [this.registry],
  });
  readonly dbFallbacks = new client.Counter({
    name: "db_replica_fallbacks_total",
    help: "Reads sent to the primary because the replica errored, lagged or the reader wrote recently",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });
  readonly poolInUse = new client.Gauge({ name: "db_pool_connections_in_use", help: "Connections checked out", labelNames: ["pool"] as const, registers: [this.registry] });
  readonly poolQueued = new client.Gauge({ name: "db_pool_acquire_queued", help: "Callers waiting for a connection", labelNames: ["pool"] as const, registers: [this.registry] });
  readonly poolAcquireTimeouts = new client.Counter({ name: "db_pool_acquire_timeouts_total", help: "Acquire timeouts", labelNames: ["pool"] as const, registers: [this.registry] });
  readonly replicaLag = new client.Gauge({ name: "db_replica_lag_seconds", help: "Replica lag seen by the last check (-1 = replication stopped or replica unreachable)", registers: [this.registry] });
  readonly replicaUsable = new client.Gauge({ name: "db_replica_usable", help: "1 when reads go to the replica", registers: [this.registry] });
  readonly streamLag = new client.Gauge({ name: "stream_lag", help: "Entries of the fan-out stream not yet delivered to the consumer group", labelNames: ["stream"] as const, registers: [this.registry] });
  readonly streamPending = new client.Gauge({ name: "stream_pending", help: "Entries delivered but not acknowledged", labelNames: ["stream"] as const, registers: [this.registry] });
  readonly fanoutJobs = new client.Counter({ name: "fanout_jobs_total", help: "Fan-out jobs by outcome (ok, retry, dead)", labelNames: ["outcome"] as const, registers: [this.registry] });
  readonly enqueueFailures = new client.Counter({ name: "fanout_enqueue_failures_total", help: "Posts written whose fan-out job could not be enqueued (the worker replays them from the outbox mark)", registers: [this.registry] });
  readonly fanoutReplays = new client.Counter({ name: "fanout_replays_total", help: "Posts put on the fan-out stream again because their job was lost (enqueue failed, stream lost)", registers: [this.registry] });
  readonly fanoutLag = new client.Gauge({ name: "fanout_lag", help: "Fan-out jobs not done yet: entries not delivered to the group plus delivered but not acknowledged", labelNames: ["stream"] as const, registers: [this.registry] });
  // Business counters: the CloudWatch agent ships these (infra/aws/user-data.ts) to the dashboard.
  readonly postsCreated = new client.Counter({ name: "posts_created_total", help: "Posts written", registers: [this.registry] });
  readonly feedReads = new client.Counter({ name: "feed_reads_total", help: "Feed pages served", registers: [this.registry] });

  /** Sum of a counter's values whose labels match. */
  async counterValue(c: client.Counter<string>, labels: Record<string, string> = {}): Promise<number> {
    const m = await c.get();
    return m.values.filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val)).reduce((a, v) => a + v.value, 0);
  }
}
