import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import { AppDatabaseUserSecret } from "./aws/app-db-user";
import { DatabaseMasterSecret } from "./aws/database-secret";
import { Cdn } from "./aws/cdn";
import { cloudFrontFront, type CloudFrontFront } from "./aws/front-door";
import { sessionSecretFor } from "./aws/session-secret";
import { AwsSite } from "./aws/site";
import { pinHints } from "./aws/pin-hints";
import { awsProviderFor } from "./aws/provider";
import { StaticReplication } from "./aws/static-replication";
import { SitePeering } from "./aws/site-peering";
import { DoDumpBucket } from "./digitalocean/dump-bucket";
import { DoSite } from "./digitalocean/site";
import { realizeEdge, type SiteOrigin } from "./edge";
import { Route53Edge } from "./edge/route53";
import type { SiteTopology, Topology } from "./topology/types";

/** What changes with a failover or a mode switch, per site: never in regional tags (contract C3). */
export function siteStates(topology: Topology): Record<string, { role: string; servesTraffic: boolean; database: string }> {
  return Object.fromEntries(topology.sites.map((s) => [s.key, { role: s.role, servesTraffic: s.servesTraffic, database: s.database.role }]));
}

/**
 * The names each AWS site's load-balancer certificate covers. ACM certificates are not resources
 * of this stack, so the policy pack reads them here to check that CloudFront's custom origins are
 * names the certificates behind them cover (aws-cloudfront-origin-tls).
 */
export function originCertificates(topology: Topology): { site: string; certificateArn: string; domains: readonly string[] }[] {
  return topology.sites.flatMap((s) => (s.cloud === "aws" && s.certificateArn ? [{ site: s.key, certificateArn: s.certificateArn, domains: s.certificateDomains ?? [] }] : []));
}

/**
 * Stack-level marker carrying the DR state (mode, active site, each site's role), so reviews
 * (policy pack, plan diffs) can read it without the stack config. Every site is its child. A
 * component: changing its inputs calls no cloud API, so the state that flips with a failover
 * lives here and in the stack outputs instead of in the tags of regional resources.
 */
export class Deployment extends pulumi.ComponentResource {
  constructor(name: string, topology: Topology, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:index:Deployment", name, {
      environment: topology.environment,
      mode: topology.mode,
      activeSite: topology.activeSite,
      writerSite: topology.writerSite,
      fencedSite: topology.fencedSite,
      sites: siteStates(topology),
      rtoSeconds: topology.objectives.rtoSeconds,
      rpoSeconds: topology.objectives.rpoSeconds,
      originCertificates: originCertificates(topology),
      // how users reach the load balancers (the pack's aws-alb-only-from-edge reads it)
      edgeFront: topology.edge.front,
    }, opts);
    this.registerOutputs({});
  }
}

export interface SiteOutputs {
  cloud: string;
  region: string;
  role: string;
  vpcId: pulumi.Output<string>;
  [key: string]: unknown;
}

/** The peering between the two AWS sites when the Topology asks for it (Topology.peering). */
export function peerAwsSites(topology: Topology, awsSites: ReadonlyMap<string, AwsSite>, opts?: pulumi.ComponentResourceOptions): SitePeering | undefined {
  if (!topology.peering) return undefined;
  const peered = (key: string) => {
    const s = awsSites.get(key);
    const site = topology.sites.find((x) => x.key === key);
    if (!s || !site) throw new Error(`peering: site ${key} is not an AWS site of this stack`);
    return { site, vpcId: s.network.vpcId, privateRouteTableIds: s.network.privateRouteTableIds };
  };
  return new SitePeering("sites-peering", { topology, requester: peered(topology.peering.requester), accepter: peered(topology.peering.accepter) }, opts);
}

/**
 * The global CDN over the sites' static buckets, and the S3 replication between them. Built
 * after both sites and independent of `dr.activeSite` and `dr.mode`: a failover or a mode switch
 * creates, replaces or updates none of it.
 */
export function deployStatic(topology: Topology, awsSites: ReadonlyMap<string, AwsSite>, opts?: pulumi.ComponentResourceOptions, front?: CloudFrontFront): Cdn | undefined {
  const primary = awsSites.get("primary")?.staticSite;
  if (!primary) return undefined;
  const standby = awsSites.get("secondary")?.staticSite;
  if (standby) new StaticReplication("static-replication", { topology, source: primary, destination: standby }, opts);
  // the API origin is the edge's public name, which the ALBs' certificates cover
  const https = topology.sites.filter((s) => s.cloud === "aws").every((s) => s.certificateArn !== undefined);
  return new Cdn("cdn", {
    topology,
    primary,
    standby,
    // behind CloudFront, /api/* calls the load balancers as the API distribution does (front.api)
    api: front?.api ?? { domainName: topology.edge.domain, protocol: https ? "https" : "http" },
    webAclArn: front?.webAclArn,
    responseHeadersPolicyId: front?.responseHeadersPolicyId,
    apiOriginRecords: front?.originRecords,
    certificate: topology.cdn.certificateArn ? { arn: topology.cdn.certificateArn, aliases: [topology.cdn.domain] } : undefined,
  }, opts);
}

/** The stack's database master credentials, when an AWS site holds a database in this state. */
export function masterSecretFor(topology: Topology, opts?: pulumi.ComponentResourceOptions): DatabaseMasterSecret | undefined {
  const needed = topology.sites.some((s) => s.cloud === "aws" && s.database.role !== "none");
  return needed ? new DatabaseMasterSecret("db-master", { topology }, opts) : undefined;
}

/** The sites in the order they are built: the writer first (the others' replicas need its ARN). */
export function writerFirst(topology: Topology): SiteTopology[] {
  return [...topology.sites].sort((a, b) => Number(b.key === topology.writerSite) - Number(a.key === topology.writerSite));
}

/** The app's own database user's credentials, wherever the master credentials exist. */
export function appUserSecretFor(topology: Topology, opts?: pulumi.ComponentResourceOptions): AppDatabaseUserSecret | undefined {
  const needed = topology.sites.some((s) => s.cloud === "aws" && s.database.role !== "none");
  return needed ? new AppDatabaseUserSecret("db-app-user", { topology }, opts) : undefined;
}

/** Realizes the Topology: the writer site first (replicas need its ARN), then the others. */
export function deploy(topology: Topology, opts?: pulumi.ComponentResourceOptions): Record<string, unknown> {
  // every AWS resource and lookup inherits the stack's one AWS provider from the root (provider.ts)
  const awsProvider = awsProviderFor(topology);
  const root = new Deployment(`${topology.project}-${topology.environment}`, topology, withProvider(opts, awsProvider));
  const ordered = writerFirst(topology);

  let writer: AwsSite | undefined;
  let doProvider: digitalocean.Provider | undefined;
  let dumps: DoDumpBucket | undefined;
  const sites: Record<string, SiteOutputs> = {};
  const awsSites = new Map<string, AwsSite>();
  const origins: SiteOrigin[] = [];
  const masterSecret = masterSecretFor(topology, { parent: root });
  const sessionSecret = sessionSecretFor(topology, { parent: root });
  const appUserSecret = appUserSecretFor(topology, { parent: root });
  // CloudFront in front of the API (edge.front cloudfront): origin header, WAF, headers policy
  const front = cloudFrontFront(topology, { parent: root });
  for (const site of ordered) {
    if (site.cloud === "aws") {
      const aws = new AwsSite(site.key, { topology, site, writer, masterSecret, sessionSecret, appUserSecret, originSecret: front?.originSecret }, { parent: root });
      if (site.key === topology.writerSite) writer = aws;
      awsSites.set(site.key, aws);
      sites[site.key] = awsOutputs(site, aws);
      if (aws.api) origins.push({ site: site.key, kind: "alb", region: site.region, dnsName: aws.api.loadBalancerDnsName, zoneId: aws.api.loadBalancerZoneId, https: aws.api.protocol === "https" });
    } else {
      doProvider ??= digitaloceanProvider(root);
      dumps ??= new DoDumpBucket("dumps", { topology }, { parent: root, providers: { digitalocean: doProvider } });
      const dsite = new DoSite(site.key, { topology, site, provider: doProvider, dumps }, { parent: root });
      const lb = dsite.loadBalancer;
      if (lb) origins.push({ site: site.key, kind: "ip", region: site.region, ip: lb.ip, https: true, publiclyTrusted: topology.digitalocean?.certificate.issuer === "public" });
      sites[site.key] = { cloud: site.cloud, region: site.region, role: site.role, vpcId: dsite.network.vpcId, ...(lb ? { loadBalancerIp: lb.ip } : {}), ...(dsite.pins ? { pins: dsite.pins } : {}) };
    }
  }

  peerAwsSites(topology, awsSites, { parent: root });
  // the API's public name: routes only to sites that may serve (never a fenced one)
  const logBucket = awsSites.get("primary")?.staticSite?.logBucket?.bucketDomainName;
  const edge = realizeEdge(topology, origins, { parent: root }, front && ((origin) => front.door(origin, logBucket)));
  // behind CloudFront: each ALB refuses requests without the origin header once edge.domain points at CloudFront
  if (front && edge instanceof Route53Edge) for (const site of awsSites.values()) site.api?.loadBalancer.refuseOthers?.([edge.apexRecord]);
  const cdn = deployStatic(topology, awsSites, { parent: root }, front);

  return {
    environment: topology.environment,
    drMode: topology.mode,
    activeSite: topology.activeSite,
    fencedSite: topology.fencedSite,
    recoveryObjectives: topology.objectives,
    warnings: pinHints(topology, awsSites).apply((hints) => [...topology.warnings, ...hints]),
    sites,
    cdn: cdn && { domainName: cdn.domainName, distributionId: cdn.distributionId, hostedZoneId: cdn.hostedZoneId },
  };
}

/**
 * The DigitalOcean provider: the API token, and the Spaces key pair the bucket resources need
 * (digitalocean:spacesAccessId, secret digitalocean:spacesSecretKey).
 */
function digitaloceanProvider(root: pulumi.Resource): digitalocean.Provider {
  const cfg = new pulumi.Config("digitalocean");
  return new digitalocean.Provider("digitalocean", { token: cfg.getSecret("token"), spacesAccessId: cfg.get("spacesAccessId"), spacesSecretKey: cfg.getSecret("spacesSecretKey") }, { parent: root });
}

/** The root's options with the AWS provider added, so every AWS child and lookup inherits it. */
function withProvider(opts: pulumi.ComponentResourceOptions | undefined, provider: pulumi.ProviderResource | undefined): pulumi.ComponentResourceOptions | undefined {
  if (!provider) return opts;
  const given = opts?.providers;
  const providers = given === undefined ? [provider] : Array.isArray(given) ? [...given, provider] : { ...given, aws: provider };
  return { ...opts, providers };
}

function awsOutputs(site: SiteTopology, s: AwsSite): SiteOutputs {
  return {
    cloud: site.cloud,
    region: site.region,
    role: site.role,
    vpcId: s.network.vpcId,
    // what `dr.fencedRelease` pins when this site is fenced
    release: s.release,
    // what sites.<site>.amiId / availabilityZones pin (required while this site is fenced)
    pins: { amiId: s.api?.fleet.amiId, availabilityZones: s.network.availabilityZones, ...(s.security.prefixListIds.cloudfront ? { prefixLists: s.security.prefixListIds } : {}) },
    publicSubnetIds: s.network.publicSubnetIds,
    appSubnetIds: s.network.appSubnetIds,
    dataSubnetIds: s.network.dataSubnetIds,
    securityGroups: {
      loadBalancer: s.security.loadBalancerSecurityGroupId,
      app: s.security.appSecurityGroupId,
      database: s.security.databaseSecurityGroupId,
      cache: s.security.cacheSecurityGroupId,
    },
  };
}
