// Pricing rules for the AWS resources of a site that cost by the hour: the API fleet, NAT
// gateways and their addresses, load balancers, databases and their cross-region copies, caches.
import { HOURS_PER_MONTH as H, line, type CostContext, type CostLine, type PriceRule } from "./cost-types";
import type { PlannedResource } from "./types";

type Inputs = Record<string, any>;

/** The API fleet: instance-hours and root volumes at the desired and at the maximum size. */
export const autoScalingGroup: PriceRule = (r, ctx) => {
  const i = r.inputs as Inputs;
  const template = ctx.find("aws:ec2/launchTemplate:LaunchTemplate", String(i.launchTemplate?.id ?? "").replace(/-id$/, ""));
  const t = (template?.inputs ?? {}) as Inputs;
  const desired = Number(i.desiredCapacity ?? i.minSize ?? 0);
  const max = Number(i.maxSize ?? desired);
  const type = String(t.instanceType ?? "unknown");
  const volumeGb = Number(t.blockDeviceMappings?.[0]?.ebs?.volumeSize ?? 8);
  const out: CostLine[] = [
    line(r, ctx, { tier: "app", what: `${type} instance-hours (desired ${desired}, max ${max})`, priceItem: `ec2:${type}`, quantity: desired * H, maxQuantity: max * H }),
    line(r, ctx, { tier: "app", what: `gp3 root volumes ${volumeGb} GB each (desired ${desired}, max ${max})`, priceItem: "ebs:gp3", quantity: desired * volumeGb, maxQuantity: max * volumeGb }),
  ];
  if (t.monitoring?.enabled) out.push(line(r, ctx, { tier: "app", what: `detailed monitoring (desired ${desired}, max ${max})`, priceItem: "cloudwatch:detailed-monitoring", quantity: desired, maxQuantity: max }));
  return out;
};

/** Hours plus the GB it processes: a serving site's usage figure, else the idle one. */
export const natGateway: PriceRule = (r, ctx) => {
  const serving = ctx.serving.has(ctx.siteOf(r));
  const gb = serving ? ctx.usage.natGbPerGatewayServing : ctx.usage.natGbPerGatewayIdle;
  return [
    line(r, ctx, { tier: "network", what: "NAT gateway-hours", priceItem: "nat:hour", quantity: H }),
    line(r, ctx, { tier: "network", what: `GB processed (${serving ? "serving" : "idle"} site)`, priceItem: "nat:gb", quantity: gb }),
  ];
};

/** A public IPv4 address, billed by the hour since February 2024. */
export const elasticIp: PriceRule = (r, ctx) => [line(r, ctx, { tier: "network", what: "public IPv4 address-hours", priceItem: "ipv4:hour", quantity: H })];

/**
 * An Application Load Balancer: hours, its public IPv4 addresses (one per subnet), and LCUs on a
 * serving site: the larger of processed GB per hour and new connections per second ÷ 25, from the
 * API's requests split evenly over the serving sites.
 */
export const loadBalancer: PriceRule = (r, ctx) => {
  const i = r.inputs as Inputs;
  const out = [line(r, ctx, { tier: "load-balancer", what: "load balancer-hours", priceItem: "alb:hour", quantity: H })];
  if (!i.internal) {
    const ips = (i.subnets ?? i.subnetMappings ?? []).length;
    out.push(line(r, ctx, { tier: "load-balancer", what: `public IPv4 address-hours (${ips} nodes)`, priceItem: "ipv4:hour", quantity: ips * H }));
  }
  out.push(line(r, ctx, { tier: "load-balancer", what: "LCU-hours (from the API's requests)", priceItem: "alb:lcu", quantity: Math.round(lcu(r, ctx) * H * 100) / 100 }));
  if (ctx.serving.has(ctx.siteOf(r))) {
    const gb = (ctx.usage.apiRequestsPerMonth / ctx.serving.size) * ctx.usage.apiResponseKb / 1_000_000;
    out.push(line(r, ctx, { tier: "load-balancer", what: "API responses out to the internet (GB)", priceItem: "transfer:internet-out", quantity: gb }));
  }
  return out;
};

export function lcu(r: PlannedResource, ctx: CostContext): number {
  if (!ctx.serving.has(ctx.siteOf(r))) return 0;
  const requests = ctx.usage.apiRequestsPerMonth / ctx.serving.size;
  const gbPerHour = (requests * ctx.usage.apiResponseKb) / 1_000_000 / H;
  const newConnectionsPerSecond = (requests * ctx.usage.newConnectionShare) / (H * 3600);
  return Math.max(gbPerHour, newConnectionsPerSecond / 25);
}

/**
 * RDS for MySQL: instance-hours (twice for Multi-AZ), gp3 storage (twice for Multi-AZ), backup
 * storage beyond the free allowance (the provisioned storage), and the binlog a cross-region
 * replica receives from its source's region.
 */
export const rdsInstance: PriceRule = (r, ctx) => {
  const i = r.inputs as Inputs;
  const copies = i.multiAz ? 2 : 1;
  const storage = storageGb(r, ctx);
  const cls = String(i.instanceClass);
  const az = i.multiAz ? "Multi-AZ" : "Single-AZ";
  const out = [
    line(r, ctx, { tier: "database", what: `${cls} ${az} instance-hours`, priceItem: `rds:mysql:${cls}`, quantity: copies * H }),
    line(r, ctx, { tier: "database", what: `gp3 storage ${storage} GB ${az}`, priceItem: "rds:gp3", quantity: copies * storage }),
  ];
  const retention = Number(i.backupRetentionPeriod ?? 0);
  if (retention > 0) {
    const beyond = Math.max(0, snapshotChainGb(ctx, retention) - storage);
    out.push(line(r, ctx, { tier: "backup", what: `automated backups beyond the free ${storage} GB (${retention} days)`, priceItem: "rds:backup", quantity: beyond }));
  }
  const source = crossRegionSource(i.replicateSourceDb);
  if (source && source !== r.region) {
    out.push(line(r, ctx, { tier: "replication", what: `binlog shipped from ${source} (GB/month)`, priceItem: "transfer:inter-region", region: source, site: ctx.siteOf(r), quantity: ctx.usage.dbReplicationGbPerMonth }));
  }
  return out;
};

/** Cross-region automated backups: the replicated chain, stored with no free allowance, and its transfer. */
export const automatedBackupsReplication: PriceRule = (r, ctx) => {
  const i = r.inputs as Inputs;
  const retention = Number(i.retentionPeriod ?? 7);
  const source = crossRegionSource(i.sourceDbInstanceArn) ?? r.region;
  const transfer = ctx.usage.backupSizeGb * ctx.usage.dbDailyChange * 30 + ctx.usage.dbReplicationGbPerMonth;
  return [
    line(r, ctx, { tier: "backup", what: `replicated automated backups (${retention} days)`, priceItem: "rds:backup", quantity: snapshotChainGb(ctx, retention) }),
    line(r, ctx, { tier: "replication", what: `snapshot changes and transaction logs from ${source} (GB/month)`, priceItem: "transfer:inter-region", region: source, site: ctx.siteOf(r), quantity: transfer }),
  ];
};

/** ElastiCache: one node-hour per cache cluster of the replication group. */
export const cacheReplicationGroup: PriceRule = (r, ctx) => {
  const i = r.inputs as Inputs;
  const nodes = Number(i.numCacheClusters ?? 1);
  return [line(r, ctx, { tier: "cache", what: `${i.nodeType} × ${nodes} node-hours`, priceItem: `elasticache:${i.nodeType}`, quantity: nodes * H })];
};

/** A VPC endpoint: gateway endpoints (S3, DynamoDB) cost nothing; an interface endpoint has no price here. */
export const vpcEndpoint: PriceRule = (r, ctx) =>
  (r.inputs as Inputs).vpcEndpointType === "Gateway" ? [] : [line(r, ctx, { tier: "network", what: "interface endpoint-hours", priceItem: "vpce:interface", quantity: H })];

/** A full snapshot plus each retained day's changes. */
export function snapshotChainGb(ctx: CostContext, days: number): number {
  return ctx.usage.backupSizeGb * (1 + days * ctx.usage.dbDailyChange);
}

function storageGb(r: PlannedResource, ctx: CostContext): number {
  const own = (r.inputs as Inputs).allocatedStorage;
  if (typeof own === "number") return own;
  // a replica takes its source's storage
  const source = String((r.inputs as Inputs).replicateSourceDb ?? "").split(":").pop() ?? "";
  const from = ctx.find(r.type, source)?.inputs.allocatedStorage;
  if (typeof from === "number") return from;
  const configured = (ctx.plan.config.database as Inputs | undefined)?.allocatedStorageGb;
  return typeof configured === "number" ? configured : ctx.usage.backupSizeGb;
}

/** The region of an RDS ARN (arn:aws:rds:REGION:...), if the value is one. */
function crossRegionSource(value: unknown): string | undefined {
  const m = /^arn:aws:rds:([a-z0-9-]+):/.exec(String(value ?? ""));
  return m?.[1];
}
