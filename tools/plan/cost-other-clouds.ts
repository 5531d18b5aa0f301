// Pricing rules for the DigitalOcean site and the Cloudflare edge: flat monthly prices per droplet,
// load balancer node, database node and Spaces subscription; Cloudflare load balancing by origins.
import { line, type CostLine, type PriceRule } from "./cost-types";

type Inputs = Record<string, any>;

export const droplet: PriceRule = (r, ctx) => [
  line(r, ctx, { tier: "app", what: `droplet ${(r.inputs as Inputs).size}`, priceItem: `do:droplet:${(r.inputs as Inputs).size}`, region: "any", site: ctx.siteOf(r), quantity: 1 }),
];

/** A droplet autoscale pool: its droplets at the minimum (the size it holds when idle) and maximum count. */
export const dropletAutoscale: PriceRule = (r, ctx) => {
  const i = r.inputs as Inputs;
  const template = unwrapSecret(i.dropletTemplate) as Inputs | undefined;
  const size = String(template?.size ?? "unknown");
  const min = Number(i.config?.minInstances ?? i.config?.targetNumberInstances ?? 1);
  const max = Number(i.config?.maxInstances ?? min);
  return [line(r, ctx, { tier: "app", what: `${size} droplet-months (desired ${min}, max ${max})`, priceItem: `do:droplet:${size}`, region: "any", site: ctx.siteOf(r, template?.region), quantity: min, maxQuantity: max })];
};

/** A regional load balancer: one price per node (size unit). */
export const doLoadBalancer: PriceRule = (r, ctx) => {
  const nodes = Number((r.inputs as Inputs).sizeUnit ?? 1);
  return [line(r, ctx, { tier: "load-balancer", what: `load balancer, ${nodes} node${nodes > 1 ? "s" : ""}`, priceItem: "do:lb-node", region: "any", site: ctx.siteOf(r), quantity: nodes })];
};

/** A managed database or caching cluster: each node (primary and standbys) at the size's price. */
export const databaseCluster: PriceRule = (r, ctx) => {
  const i = r.inputs as Inputs;
  const engine = i.engine === "mysql" ? "mysql" : i.engine === "valkey" || i.engine === "redis" ? "valkey" : String(i.engine);
  const nodes = Number(i.nodeCount ?? 1);
  const tier = engine === "mysql" ? "database" : "cache";
  return [line(r, ctx, { tier, what: `managed ${engine} ${i.size} × ${nodes} node${nodes > 1 ? "s" : ""}`, priceItem: `do:${engine}:${i.size}`, region: "any", site: ctx.siteOf(r), quantity: nodes })];
};

/** A read-only replica of a managed MySQL cluster, priced as a node of its size. */
export const databaseReplica: PriceRule = (r, ctx) => [
  line(r, ctx, { tier: "database", what: `managed mysql read replica ${(r.inputs as Inputs).size}`, priceItem: `do:mysql:${(r.inputs as Inputs).size}`, region: "any", site: ctx.siteOf(r), quantity: 1 }),
];

/** Spaces is one subscription per account (CDN included): booked once, on the first bucket. */
export const spacesBucket: PriceRule = (r, ctx) => {
  const first = ctx.plan.resources.find((x) => x.type === r.type);
  return first === r ? [line(r, ctx, { tier: "storage", what: "Spaces subscription (250 GiB stored, 1 TiB out, CDN)", priceItem: "do:spaces", region: "any", site: ctx.siteOf(r), quantity: 1 })] : [];
};

/**
 * A Cloudflare load balancer: the subscription (2 origins, 60 s checks) plus each origin beyond 2
 * across the stack's pools, and the zone's plan (edge.cloudflare.plan), booked on the first one.
 */
export const cloudflareLoadBalancer: PriceRule = (r, ctx) => {
  const balancers = ctx.plan.resources.filter((x) => x.type === r.type);
  if (balancers[0] !== r) return [];
  const origins = ctx.plan.resources.filter((x) => x.type === "cloudflare:index/loadBalancerPool:LoadBalancerPool").reduce((n, p) => n + (((p.inputs as Inputs).origins ?? []) as unknown[]).length, 0);
  const out: CostLine[] = [line(r, ctx, { tier: "edge", what: "load balancing subscription (2 origins)", priceItem: "cloudflare:lb", region: "any", site: "global", quantity: 1 })];
  if (origins > 2) out.push(line(r, ctx, { tier: "edge", what: `origins beyond 2 (${origins} in the pools)`, priceItem: "cloudflare:lb-origin", region: "any", site: "global", quantity: origins - 2 }));
  const plan = ((ctx.plan.config.edge as Inputs | undefined)?.cloudflare as Inputs | undefined)?.plan;
  if (plan) out.push(line(r, ctx, { tier: "edge", what: `zone plan ${plan} (the zone is not created by the program)`, priceItem: `cloudflare:plan:${plan}`, region: "any", site: "global", quantity: 1 }));
  return out;
};

/** The value of an input the program marked secret (the mocks receive it wrapped with Pulumi's secret signature). */
function unwrapSecret(v: unknown): unknown {
  const SECRET_SIG = "4dabf18193072939515e22adb298388d";
  return v && typeof v === "object" && SECRET_SIG in v ? (v as Inputs).value : v;
}
