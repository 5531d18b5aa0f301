import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import type { SiteKey, Topology } from "../topology/types";
import { cloudflareRulesets } from "./cloudflare-rulesets";
import type { SiteOrigin } from "./origins";
import { routableSites, steeringPlan } from "./routing";

// The API's public name on Cloudflare, realized from Topology.edge: one monitor on the
// site-readiness path, one pool per routable site (its load balancer as the origin) and a proxied
// load balancer on edge.domain. Works for AWS (ALB DNS name, HTTPS) and DigitalOcean (LB IP, HTTPS).

export interface CloudflareEdgeArgs {
  readonly topology: Topology;
  readonly origins: readonly SiteOrigin[];
  /** an explicit provider; by default one is built from the secret `cloudflare:apiToken` */
  readonly provider?: cloudflare.Provider;
}

export class CloudflareEdge extends pulumi.ComponentResource {
  public readonly monitorId: pulumi.Output<string>;
  public readonly poolIds: Record<string, pulumi.Output<string>>;
  public readonly loadBalancerId: pulumi.Output<string>;

  constructor(name: string, args: CloudflareEdgeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:edge:Cloudflare", name, {}, opts);
    const { topology } = args;
    const edge = topology.edge;
    const cf = edge.cloudflare;
    if (edge.dns !== "cloudflare" || !cf || !edge.zoneId) throw new Error(`CloudflareEdge ${name}: needs edge.dns cloudflare with edge.zoneId and edge.cloudflare`);
    const routable = routableSites(topology).map((s) => s.key);
    const origins = routable.map((site) => {
      const o = args.origins.find((x) => x.site === site);
      if (!o) throw new Error(`CloudflareEdge ${name}: site ${site} serves traffic but has no load balancer origin`);
      return o;
    });
    // one monitor for every pool: the routable origins must speak the same protocol
    const https = origins.every((o) => o.https);
    if (!https && origins.some((o) => o.https)) throw new Error(`CloudflareEdge ${name}: routable sites mix HTTPS and HTTP load balancers; one monitor cannot check both`);

    const provider = args.provider ?? new cloudflare.Provider(`${name}-provider`, { apiToken: new pulumi.Config("cloudflare").getSecret("apiToken") }, { parent: this });
    const child = { parent: this, provider };

    const monitor = new cloudflare.LoadBalancerMonitor(`${name}-readyz`, {
      accountId: cf.accountId,
      description: `${topology.project} ${topology.environment}: site readiness through each site's load balancer`,
      type: https ? "https" : "http",
      method: "GET",
      path: edge.healthCheckPath,
      expectedCodes: cf.expectedCodes,
      interval: cf.monitorIntervalSeconds,
      timeout: 5,
      retries: 1,
      consecutiveDown: edge.healthCheckFailureThreshold,
      consecutiveUp: 2,
      followRedirects: false,
      // monitors check origin certificates against public CAs: an Origin CA origin needs this off
      // (the proxy still verifies it under SSL Full (strict))
      allowInsecure: origins.some((o) => o.kind === "ip" && !o.publiclyTrusted),
      // the ALB's certificate names edge.domain, not the ALB's own DNS name
      header: { Host: [edge.domain] },
    }, child);

    const pools: Record<string, cloudflare.LoadBalancerPool> = {};
    for (const origin of origins) {
      pools[origin.site] = new cloudflare.LoadBalancerPool(`${name}-${origin.site}`, {
        accountId: cf.accountId,
        name: `${topology.project}-${topology.environment}-${origin.site}`,
        description: `${origin.site} site (${origin.region})`,
        monitor: monitor.id,
        minimumOrigins: 1,
        origins: [{
          name: `${origin.site}-lb`,
          address: origin.kind === "alb" ? origin.dnsName : origin.ip,
          port: 0,
          enabled: true,
          weight: 1,
          header: { hosts: [edge.domain] },
        }],
      }, child);
    }
    const ids = (order: readonly SiteKey[]) => order.map((site) => pools[site].id);

    const steering = steeringPlan(topology);
    const lb = new cloudflare.LoadBalancer(`${name}-api`, {
      zoneId: edge.zoneId,
      name: edge.domain,
      description: `${topology.project} ${topology.environment} API`,
      proxied: true,
      steeringPolicy: steering.steeringPolicy,
      sessionAffinity: "none",
      defaultPools: ids(steering.defaultOrder),
      // the writer's pool, never a fenced site's: Cloudflare sends everyone here when all pools fail
      fallbackPool: pools[steering.defaultOrder[0]].id,
      ...(steering.steeringPolicy === "geo" ? {
        regionPools: Object.fromEntries(Object.entries(steering.regionOrder).map(([r, order]) => [r, ids(order)])),
        countryPools: Object.fromEntries(Object.entries(steering.countryOrder).map(([c, order]) => [c, ids(order)])),
      } : {}),
    }, child);

    tlsSettings(name, topology, child);
    cloudflareRulesets(name, topology, child);

    this.monitorId = monitor.id;
    this.poolIds = Object.fromEntries(Object.entries(pools).map(([site, p]) => [site, p.id]));
    this.loadBalancerId = lb.id;
    this.registerOutputs({ monitorId: this.monitorId, poolIds: this.poolIds, loadBalancerId: this.loadBalancerId });
  }
}

/**
 * Visitor TLS for edge.domain. "hostname": a per-hostname minimum TLS version (Cloudflare refuses
 * it without Advanced Certificate Manager). "zone": zone-wide settings, which every other hostname
 * of the zone gets too, so only on explicit opt-in. "unmanaged": nothing.
 */
function tlsSettings(name: string, topology: Topology, opts: pulumi.CustomResourceOptions): void {
  const edge = topology.edge;
  const zoneId = edge.zoneId!;
  switch (edge.cloudflare!.tls) {
    case "unmanaged":
      return;
    case "hostname":
      new cloudflare.HostnameTlsSetting(`${name}-min-tls`, { zoneId, hostname: edge.domain, settingId: "min_tls_version", value: "1.2" }, opts);
      return;
    case "zone": {
      // strict validates the origin certificate: an ALB's ACM certificate, or the DigitalOcean load
      // balancer's (Cloudflare's proxy trusts its own Origin CA)
      const httpsOrigins = topology.sites.every((s) => s.cloud === "digitalocean" || s.certificateArn !== undefined);
      new cloudflare.ZoneSetting(`${name}-ssl`, { zoneId, settingId: "ssl", value: httpsOrigins ? "strict" : "flexible" }, opts);
      new cloudflare.ZoneSetting(`${name}-min-tls`, { zoneId, settingId: "min_tls_version", value: "1.2" }, opts);
      new cloudflare.ZoneSetting(`${name}-always-https`, { zoneId, settingId: "always_use_https", value: "on" }, opts);
      return;
    }
  }
}
