// Pricing rules for the AWS services priced per use or per item: S3, CloudFront, Route 53, AWS
// Backup, KMS, Secrets Manager and CloudWatch.
import { snapshotChainGb } from "./cost-aws-sites";
import { line, type CostLine, type PriceRule } from "./cost-types";

type Inputs = Record<string, any>;

/** S3 Standard storage by the bucket's use (static site, artifacts, access logs) and its PUTs. */
export const bucket: PriceRule = (r, ctx) => {
  const [kind, gb] = r.name.includes("static") ? ["static site", ctx.usage.staticBucketGb]
    : r.name.includes("artifacts") ? ["artifacts", ctx.usage.artifactBucketGb]
    : r.name.includes("logs") ? ["access logs", ctx.usage.logBucketGb]
    : ["other", 0];
  const tier = kind === "static site" ? "cdn" : "storage";
  return [
    line(r, ctx, { tier, what: `S3 Standard, ${kind} (GB stored)`, priceItem: "s3:standard", quantity: gb }),
    line(r, ctx, { tier, what: "PUT requests (thousands)", priceItem: "s3:put", quantity: ctx.usage.putsPerBucket / 1000 }),
  ];
};

/** Cross-region replication of the static bucket: the transfer out of the source region. */
export const bucketReplication: PriceRule = (r, ctx) => [
  line(r, ctx, { tier: "replication", what: "static files replicated to the other region (GB/month)", priceItem: "transfer:inter-region", quantity: ctx.usage.staticReplicationGb }),
];

/** CloudFront: data out by viewer location and HTTPS requests (origin fetches from AWS are free). */
export const distribution: PriceRule = (r, ctx) => {
  const u = ctx.usage;
  // the API's own distribution (CloudFront in front of the API): its requests; the bytes of its
  // small JSON answers are not modelled
  if (r.name === "cdn-api") return [line(r, ctx, { tier: "cdn", what: "API HTTPS requests (10,000s)", priceItem: "cloudfront:https", region: "global", quantity: u.cdnApiRequestsPerMonth / 10_000 })];
  const japan = u.cdnGbOut * u.cdnJapanShare;
  return [
    line(r, ctx, { tier: "cdn", what: "data out to viewers in Japan (GB)", priceItem: "cloudfront:out:japan", region: "global", quantity: japan }),
    line(r, ctx, { tier: "cdn", what: "data out to viewers in South Korea (GB)", priceItem: "cloudfront:out:korea", region: "global", quantity: u.cdnGbOut - japan }),
    line(r, ctx, { tier: "cdn", what: "HTTPS requests (10,000s)", priceItem: "cloudfront:https", region: "global", quantity: u.cdnRequestsPerMonth / 10_000 }),
  ];
};

export const cloudfrontFunction: PriceRule = (r, ctx) => [
  line(r, ctx, { tier: "cdn", what: "function invocations on /api (millions)", priceItem: "cloudfront:function", region: "global", quantity: ctx.usage.cdnApiRequestsPerMonth / 1_000_000 }),
];

/** A health check: the base price plus each optional feature (HTTPS, fast interval, string match, latency). */
export const healthCheck: PriceRule = (r, ctx) => {
  const i = r.inputs as Inputs;
  const onAws = /\.amazonaws\.com$|\.cloudfront\.net$/.test(String(i.fqdn ?? ""));
  const kind = onAws ? "aws" : "other";
  const features = [
    String(i.type ?? "").startsWith("HTTPS") ? "HTTPS" : "",
    Number(i.requestInterval ?? 30) === 10 ? "fast interval" : "",
    String(i.type ?? "").endsWith("STR_MATCH") ? "string matching" : "",
    i.measureLatency ? "latency measurement" : "",
  ].filter(Boolean);
  const out = [line(r, ctx, { tier: "edge", what: `health check (${onAws ? "AWS" : "non-AWS"} endpoint)`, priceItem: `route53:health-check:${kind}`, region: "global", quantity: 1 })];
  if (features.length > 0) out.push(line(r, ctx, { tier: "edge", what: `optional features: ${features.join(", ")}`, priceItem: `route53:health-check-feature:${kind}`, region: "global", quantity: features.length }));
  return out;
};

/**
 * Route 53 records: the hosted zone (once per zone the records use) and the queries, counted on the
 * record named as the stack's domain, at the rate of the routing policy its alias leads to; alias
 * answers for AWS load balancers and distributions are free.
 */
export const record: PriceRule = (r, ctx) => {
  const i = r.inputs as Inputs;
  const records = ctx.plan.resources.filter((x) => x.type === r.type);
  const out: CostLine[] = [];
  const firstInZone = records.find((x) => (x.inputs as Inputs).zoneId === i.zoneId);
  if (firstInZone === r) out.push(line(r, ctx, { tier: "edge", what: `hosted zone ${i.zoneId} (looked up, not created)`, priceItem: "route53:zone", region: "global", quantity: 1 }));
  const domain = (ctx.plan.config.edge as Inputs | undefined)?.domain;
  if (i.name !== domain || !["A", "AAAA"].includes(i.type)) return out;
  const target = String(i.aliases?.[0]?.name ?? "");
  if (/\.elb\.amazonaws\.com$|\.cloudfront\.net$/.test(target)) return out;
  const policy = routingPolicy(records.filter((x) => (x.inputs as Inputs).name === target).map((x) => x.inputs as Inputs));
  out.push(line(r, ctx, { tier: "edge", what: `DNS queries, ${policy} routing (millions)`, priceItem: `route53:query:${policy}`, region: "global", quantity: ctx.usage.dnsQueriesPerMonth / 1_000_000 }));
  return out;
};

function routingPolicy(set: readonly Inputs[]): "latency" | "geo" | "standard" {
  if (set.some((i) => i.latencyRoutingPolicies)) return "latency";
  if (set.some((i) => i.geolocationRoutingPolicies || i.geoproximityRoutingPolicy)) return "geo";
  return "standard";
}

/**
 * An AWS Backup plan: each rule's snapshot chain stored in its vault, and each copy action's chain
 * stored in the destination vault plus the changes transferred there.
 */
export const backupPlan: PriceRule = (r, ctx) => {
  const out: CostLine[] = [];
  for (const rule of ((r.inputs as Inputs).rules ?? []) as Inputs[]) {
    const days = Number(rule.lifecycle?.deleteAfter ?? 35);
    out.push(line(r, ctx, { tier: "backup", what: `rule ${rule.ruleName}: RDS snapshots kept ${days} days (GB)`, priceItem: "backup:rds", quantity: snapshotChainGb(ctx, days) }));
    for (const copy of (rule.copyActions ?? []) as Inputs[]) {
      const region = /^arn:aws:backup:([a-z0-9-]+):/.exec(String(copy.destinationVaultArn))?.[1];
      const copyDays = Number(copy.lifecycle?.deleteAfter ?? days);
      out.push(line(r, ctx, { tier: "backup", what: `copies in ${region} kept ${copyDays} days (GB)`, priceItem: "backup:rds", region, quantity: snapshotChainGb(ctx, copyDays) }));
      out.push(line(r, ctx, { tier: "replication", what: `snapshot changes copied to ${region} (GB/month)`, priceItem: "transfer:inter-region", site: ctx.siteOf(r), quantity: ctx.usage.backupSizeGb * ctx.usage.dbDailyChange * 30 }));
    }
  }
  return out;
};

export const kmsKey: PriceRule = (r, ctx) => [line(r, ctx, { tier: "security", what: "customer managed key", priceItem: "kms:key", quantity: 1 })];

/** A secret and each of its replicas in other regions. */
export const secret: PriceRule = (r, ctx) => {
  const replicas = ((r.inputs as Inputs).replicas ?? []) as Inputs[];
  const out = [line(r, ctx, { tier: "security", what: "secret", priceItem: "secretsmanager:secret", quantity: 1 })];
  for (const replica of replicas) out.push(line(r, ctx, { tier: "security", what: `replica in ${replica.region}`, priceItem: "secretsmanager:replica", region: replica.region, quantity: 1 }));
  return out;
};

/** A standard-resolution alarm per metric it evaluates (a metric-math alarm counts each metric). */
export const metricAlarm: PriceRule = (r, ctx) => {
  const queries = ((r.inputs as Inputs).metricQueries ?? []) as Inputs[];
  const metrics = queries.length > 0 ? queries.filter((q) => q.metric).length : 1;
  return [line(r, ctx, { tier: "observability", what: `alarm on ${metrics} metric${metrics > 1 ? "s" : ""}`, priceItem: "cloudwatch:alarm", quantity: metrics })];
};

export const dashboard: PriceRule = (r, ctx) => [line(r, ctx, { tier: "observability", what: "dashboard", priceItem: "cloudwatch:dashboard", quantity: 1 })];

/** A log group's ingestion: app logs on a serving site, VPC flow logs (vended) everywhere, others none. */
export const logGroup: PriceRule = (r, ctx) => {
  const name = String((r.inputs as Inputs).name ?? r.name);
  if (/flow-logs/.test(name)) return [line(r, ctx, { tier: "observability", what: "VPC flow logs ingested (GB)", priceItem: "cloudwatch:vended-logs-ingest", quantity: ctx.usage.flowLogGbPerSite })];
  if (/\/app$/.test(name)) {
    const gb = ctx.serving.has(ctx.siteOf(r)) ? ctx.usage.appLogGbPerSite : 0;
    return [line(r, ctx, { tier: "observability", what: "application logs ingested (GB)", priceItem: "cloudwatch:logs-ingest", quantity: gb })];
  }
  return [];
};

export const logMetricFilter: PriceRule = (r, ctx) => [line(r, ctx, { tier: "observability", what: "custom metric from a log filter", priceItem: "cloudwatch:metric", quantity: 1 })];


/**
 * An AWS WAF web ACL: the ACL, each rule in it, and the requests it inspects: the CDN's for a
 * CLOUDFRONT-scope ACL, else the API's share of a serving site.
 */
export const webAcl: PriceRule = (r, ctx) => {
  const i = r.inputs as Inputs;
  const rules = ((i.rules ?? []) as unknown[]).length;
  const cdn = i.scope === "CLOUDFRONT";
  const requests = cdn ? ctx.usage.cdnRequestsPerMonth : ctx.serving.has(ctx.siteOf(r)) ? ctx.usage.apiRequestsPerMonth / ctx.serving.size : 0;
  const tier = "edge";
  return [
    line(r, ctx, { tier, what: `web ACL (${cdn ? "CloudFront" : "regional"})`, priceItem: "waf:web-acl", quantity: 1 }),
    line(r, ctx, { tier, what: `${rules} rule${rules === 1 ? "" : "s"}`, priceItem: "waf:rule", quantity: rules }),
    line(r, ctx, { tier, what: "requests inspected (millions)", priceItem: "waf:requests", quantity: requests / 1_000_000 }),
  ];
};
