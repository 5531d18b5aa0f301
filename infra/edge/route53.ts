import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Topology } from "../topology/types";
import type { SiteOrigin } from "./origins";
import { siteHealthChecks } from "./route53-health";
import { recordPlans, type RecordPlan, routableSites } from "./routing";

// The API's public name in Route 53, realized from Topology.edge: health-checked failover, geo
// or latency answers, or one plain alias. Route 53 is global: nothing here lives in a site's region.

export interface Route53EdgeArgs {
  readonly topology: Topology;
  /** the load balancer of every site the edge may route to */
  readonly origins: readonly SiteOrigin[];
}

export class Route53Edge extends pulumi.ComponentResource {
  public readonly zoneId: pulumi.Output<string>;
  public readonly recordNames: string[];
  public readonly healthCheckIds: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: Route53EdgeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:edge:Route53", name, {}, opts);
    const { topology } = args;
    const edge = topology.edge;
    if (edge.dns !== "route53") throw new Error(`Route53Edge ${name}: edge.dns is ${edge.dns}`);
    if (edge.checkerRegions.length < 3) throw new Error(`Route53Edge ${name}: Route 53 needs at least 3 checker regions, got ${edge.checkerRegions.length}`);
    const routable = routableSites(topology).map((s) => s.key);
    const origins = args.origins.filter((o) => routable.includes(o.site));
    for (const site of routable) if (!origins.some((o) => o.site === site)) throw new Error(`Route53Edge ${name}: site ${site} serves traffic but has no load balancer origin`);
    const child = { parent: this };

    this.zoneId = edge.zoneId !== undefined
      ? pulumi.output(edge.zoneId)
      : aws.route53.getZoneOutput({ name: edge.zoneName, privateZone: false }, child).zoneId;

    const checks = siteHealthChecks(name, this, topology, origins);
    this.healthCheckIds = Object.fromEntries(checks.map((c) => [c.site, c.check.id]));

    const plans = recordPlans(topology);
    this.recordNames = plans.map((plan) => {
      const origin = origins.find((o) => o.site === plan.site)!;
      const healthCheckId = plan.policy.kind === "single" ? undefined : this.healthCheckIds[plan.site];
      const recordName = `${name}-${plan.id}`;
      new aws.route53.Record(recordName, {
        zoneId: this.zoneId,
        name: edge.domain,
        // IPv4 only: the ALBs are ipv4, so an AAAA answer would have nothing behind it
        type: "A",
        ...routingArgs(plan),
        ...answer(origin, plan, edge.ttl),
        ...(healthCheckId ? { healthCheckId } : {}),
      }, child);
      return recordName;
    });
    this.registerOutputs({ zoneId: this.zoneId, healthCheckIds: this.healthCheckIds });
  }
}

/** setIdentifier and the routing policy of one answer; none for the single plain record. */
export function routingArgs(plan: RecordPlan): Partial<aws.route53.RecordArgs> {
  const p = plan.policy;
  switch (p.kind) {
    case "single": return {};
    case "failover": return { setIdentifier: plan.id, failoverRoutingPolicies: [{ type: p.role }] };
    case "latency": return { setIdentifier: plan.id, latencyRoutingPolicies: [{ region: p.region }] };
    case "geo": return { setIdentifier: plan.id, geolocationRoutingPolicies: [p.country !== undefined ? { country: p.country } : { continent: p.continent }] };
  }
}

/**
 * An alias to the ALB (alias records take no TTL; evaluateTargetHealth also marks an ALB whose
 * target group is empty unhealthy), or the load balancer's IP with the edge TTL.
 */
function answer(origin: SiteOrigin, plan: RecordPlan, ttl: number): Partial<aws.route53.RecordArgs> {
  if (origin.kind === "ip") return { records: [origin.ip], ttl };
  return { aliases: [{ name: origin.dnsName, zoneId: origin.zoneId, evaluateTargetHealth: plan.policy.kind !== "single" }] };
}
