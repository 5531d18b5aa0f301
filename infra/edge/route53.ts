import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { SiteKey, Topology } from "../topology/types";
import type { SiteOrigin } from "./origins";
import { siteHealthChecks } from "./route53-health";
import { entryPlan, recordPlans, type RecordPlan, routableSites } from "./routing";

// The API's public name in Route 53, realized from Topology.edge: edge.domain is one simple alias,
// to the writer's load balancer (single routing) or to the routing policy's own record set
// (failover.<domain>, latency.<domain>, geo.<domain>) of health-checked answers. Route 53 is
// global: nothing here lives in a site's region. Every transition between DR states is then a
// sequence of change batches Route 53 accepts in any order Pulumi runs them (docs/architecture.md,
// "Edge records").

/** What edge.domain aliases when CloudFront is in front of the API (edge.front cloudfront). */
export interface FrontDoor {
  readonly dnsName: pulumi.Input<string>;
  readonly zoneId: pulumi.Input<string>;
  /** the distribution: the entry depends on it */
  readonly resource: pulumi.Resource;
}

export interface Route53EdgeArgs {
  readonly topology: Topology;
  /** the load balancer of every site the edge may route to */
  readonly origins: readonly SiteOrigin[];
  /**
   * Behind CloudFront: builds the distribution that calls the load balancers by `origin.name`,
   * once the records answering there exist (they are its dependencies); edge.domain aliases it.
   */
  readonly front?: (origin: { readonly name: string; readonly records: readonly pulumi.Resource[] }) => FrontDoor;
}

export class Route53Edge extends pulumi.ComponentResource {
  public readonly zoneId: pulumi.Output<string>;
  /** logical names of the records: the policy set's, then the entry (or the legacy record) */
  public readonly recordNames: string[];
  public readonly healthCheckIds: Record<string, pulumi.Output<string>>;
  /** the one record at edge.domain (the entry, or migration stage 1's legacy record) */
  public readonly apexRecord: aws.route53.Record;

  constructor(name: string, args: Route53EdgeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:edge:Route53", name, {}, opts);
    const { topology } = args;
    const edge = topology.edge;
    if (edge.dns !== "route53") throw new Error(`Route53Edge ${name}: edge.dns is ${edge.dns}`);
    if (edge.checkerRegions.length < 3) throw new Error(`Route53Edge ${name}: Route 53 needs at least 3 checker regions, got ${edge.checkerRegions.length}`);
    const routable = routableSites(topology).map((s) => s.key);
    const origins = args.origins.filter((o) => routable.includes(o.site));
    for (const site of routable) if (!origins.some((o) => o.site === site)) throw new Error(`Route53Edge ${name}: site ${site} serves traffic but has no load balancer origin`);
    const originOf = (site: string) => origins.find((o) => o.site === site)!;
    const child = { parent: this };

    this.zoneId = edge.zoneId !== undefined
      ? pulumi.output(edge.zoneId)
      : aws.route53.getZoneOutput({ name: edge.zoneName, privateZone: false }, child).zoneId;

    const checks = siteHealthChecks(name, this, topology, origins);
    this.healthCheckIds = Object.fromEntries(checks.map((c) => [c.site, c.check.id]));

    const entry = entryPlan(topology);
    const plans = recordPlans(topology);
    const set = plans.map((plan) => new aws.route53.Record(`${name}-${plan.id}`, {
      zoneId: this.zoneId,
      name: entry.kind === "set" ? entry.name : edge.domain,
      // IPv4 only: the ALBs are ipv4, so an AAAA answer would have nothing behind it
      type: "A",
      ...routingArgs(plan),
      ...siteAnswer(originOf(plan.site), true, edge.ttl),
      healthCheckId: this.healthCheckIds[plan.site],
    }, child));
    this.recordNames = plans.map((plan) => `${name}-${plan.id}`);

    // behind CloudFront, the writer alone answers at single.<domain> in single routing (backup-restore)
    const single = edge.front === "cloudfront" && entry.kind === "site"
      ? new aws.route53.Record(`${name}-single`, { zoneId: this.zoneId, name: singleOriginName(topology), type: "A", ...siteAnswer(originOf(entry.site), false, edge.ttl) }, child)
      : undefined;
    if (single) this.recordNames.unshift(`${name}-single`);
    let door: FrontDoor | undefined;
    if (edge.front === "cloudfront") {
      if (!args.front) throw new Error(`Route53Edge ${name}: edge.front is cloudfront; pass the distribution (args.front)`);
      door = args.front({ name: cloudfrontOriginName(topology), records: single ? [single] : set });
    }

    const writer = topology.writerSite;
    if (edge.legacyApexRecords) {
      // migration stage 1: the writer's record of the old layout stays exactly as it was; the
      // others leave, so the next run may turn it into the simple alias in one change batch
      const legacy = legacyApexRecord(topology, writer);
      this.apexRecord = new aws.route53.Record(`${name}-${legacy.id}`, {
        zoneId: this.zoneId,
        name: edge.domain,
        type: "A",
        ...routingArgs(legacy),
        ...siteAnswer(originOf(writer), legacy.policy.kind !== "single", edge.ttl),
        ...(legacy.policy.kind !== "single" ? { healthCheckId: this.healthCheckIds[writer] } : {}),
      }, child);
      this.recordNames.push(`${name}-${legacy.id}`);
    } else {
      this.apexRecord = new aws.route53.Record(`${name}-entry`, {
        zoneId: this.zoneId,
        name: edge.domain,
        type: "A",
        ...(door
          // users call CloudFront, which calls the policy's name; the distribution has no health to evaluate
          ? { aliases: [{ name: door.dnsName, zoneId: door.zoneId, evaluateTargetHealth: false }] }
          : entry.kind === "site"
            ? siteAnswer(originOf(entry.site), false, edge.ttl)
            // an alias to a set in this zone answers with the set's healthy records
            : { aliases: [{ name: entry.name, zoneId: this.zoneId, evaluateTargetHealth: true }] }),
      }, {
        ...child,
        // Route 53 refuses an alias to a name without records: the set's records first. Named only
        // by a string, the set is not a dependency Pulumi could see on its own.
        dependsOn: door ? [door.resource] : set,
        // the old layout's writer record at edge.domain, the one stage 1 keeps, becomes this record
        aliases: [{ name: `${name}-${legacyApexRecord(topology, writer).id}` }],
      });
      this.recordNames.push(`${name}-entry`);
    }
    this.registerOutputs({ zoneId: this.zoneId, healthCheckIds: this.healthCheckIds, entry: entry.kind === "set" ? entry.name : `site ${entry.site}` });
  }
}

/** Behind CloudFront in single routing: the name answering with the writer's load balancer. */
export function singleOriginName(topology: Topology): string {
  return `single.${topology.edge.domain}`;
}

/** The name CloudFront calls the load balancers by: the routing policy's set, or single.<domain>. */
export function cloudfrontOriginName(topology: Topology): string {
  const entry = entryPlan(topology);
  return entry.kind === "set" ? entry.name : singleOriginName(topology);
}

/** The writer's record as the old layout had it at edge.domain. */
export function legacyApexRecord(topology: Topology, writer: SiteKey): RecordPlan {
  switch (topology.edge.routing) {
    case "single": return { id: writer, site: writer, policy: { kind: "single" } };
    case "failover": return { id: writer, site: writer, policy: { kind: "failover", role: "PRIMARY" } };
    case "latency": return { id: writer, site: writer, policy: { kind: "latency", region: topology.sites.find((s) => s.key === writer)!.region } };
    case "geo": return { id: "default", site: writer, policy: { kind: "geo", country: "*" } };
  }
}

/** setIdentifier and the routing policy of one answer; none for a simple record. */
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
 * An alias to the site's ALB (alias records take no TTL; evaluateTargetHealth also marks an ALB
 * whose target group is empty unhealthy), or the load balancer's IP with the edge TTL.
 */
function siteAnswer(origin: SiteOrigin, evaluateTargetHealth: boolean, ttl: number): Partial<aws.route53.RecordArgs> {
  if (origin.kind === "ip") return { records: [origin.ip], ttl };
  return { aliases: [{ name: origin.dnsName, zoneId: origin.zoneId, evaluateTargetHealth }] };
}
