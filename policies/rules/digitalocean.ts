import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { asArray, asRecord, isWorld, label, refersTo } from "./common";
import { DO } from "./types";

// DigitalOcean: the droplets' firewall closed to the world, the managed databases (clusters and
// replicas) behind firewalls that trust resources (never addresses), and the release bucket
// private. Facts and their sources: docs/cloud-constraints.md.

export const doFirewallNotOpen: ResourceValidationPolicy = {
  name: "digitalocean-firewall-not-open",
  description: "DigitalOcean droplet firewalls admit no inbound traffic from 0.0.0.0/0 or ::/0; the load balancer is the public entry.",
  enforcementLevel: "mandatory",
  severity: "critical",
  tags: ["security", "network"],
  validateResource: (args, reportViolation) => {
    if (args.type !== DO.firewall) return;
    asArray(args.props.inboundRules).forEach((raw, i) => {
      const rule = asRecord(raw);
      const world = asArray(rule.sourceAddresses).filter(isWorld);
      if (world.length === 0) return;
      reportViolation(
        `${label(args)} inboundRules[${i}] admits ${String(rule.protocol ?? "")} ${String(rule.portRange ?? "all ports")} from ${world.join(" and ")}. ` +
        `Admit only the load balancer (sourceLoadBalancerUids) or VPC-internal sources (sourceTags / the VPC CIDR); the DigitalOcean load balancer is the public entry.`,
      );
    });
  },
};

/**
 * Trusted-source types that name a DigitalOcean resource (the API's firewall rule types besides
 * `ip_addr`): a tag (the API droplets'), a droplet (a runner), a Kubernetes cluster, an App
 * Platform app. An address outlives whatever held it, so no rule trusts one.
 */
export const DATABASE_FIREWALL_RESOURCE_TYPES: readonly string[] = ["tag", "droplet", "k8s", "app"];

export const doDatabaseFirewallNoAddress: ResourceValidationPolicy = {
  name: "digitalocean-database-firewall-no-address",
  description: "DigitalOcean database firewalls have rules, and every rule trusts a resource (tag, droplet, k8s, app), never an address (ip_addr).",
  enforcementLevel: "mandatory",
  severity: "critical",
  tags: ["security", "data"],
  validateResource: (args, reportViolation) => {
    if (args.type !== DO.databaseFirewall) return;
    const rules = asArray(args.props.rules).map(asRecord);
    if (rules.length === 0) {
      reportViolation(`${label(args)} has no rules; a managed database without trusted sources accepts connections from anywhere. Add rules: [{ type: "tag", value: <API droplet tag> }].`);
    }
    rules.forEach((r, i) => {
      if (typeof r.type === "string" && DATABASE_FIREWALL_RESOURCE_TYPES.includes(r.type)) return;
      const world = isWorld(r.value) || r.value === "0.0.0.0" ? ", i.e. the whole internet" : "";
      reportViolation(
        `${label(args)} rules[${i}] trusts ${JSON.stringify(r.type ?? null)} ${JSON.stringify(r.value ?? null)}${world}: an address, not a resource. ` +
        `Trust the API droplets' tag (type "tag"), or a droplet, k8s or app by id (allowed types: ${DATABASE_FIREWALL_RESOURCE_TYPES.join(", ")}).`,
      );
    });
  },
};

export const doDatabaseHasFirewall: StackValidationPolicy = {
  name: "digitalocean-database-has-firewall",
  description: "Every DigitalOcean managed database cluster has a database firewall (trusted sources).",
  enforcementLevel: "mandatory",
  severity: "critical",
  tags: ["security", "data"],
  validateStack: (args, reportViolation) => {
    const clusters = args.resources.filter((r) => r.type === DO.databaseCluster);
    if (clusters.length === 0) args.notApplicable("no DigitalOcean database clusters in the stack");
    const firewalls = args.resources.filter((r) => r.type === DO.databaseFirewall);
    for (const c of clusters) {
      if (!firewalls.some((f) => refersTo(f, "clusterId", c))) {
        reportViolation(`${label(c)} has no digitalocean.DatabaseFirewall, so it accepts connections from any address. Add one with clusterId: ${c.name}.id and rules trusting only the API droplets' tag.`, c.urn);
      }
    }
  },
};

/**
 * Whether a database firewall is keyed by the replica's `uuid`: both values known and equal;
 * otherwise not the cluster's id (the replica's `clusterId`, the easy mistake), and taken from
 * the replica (the engine's property dependency: the uuid is unknown until the replica exists).
 */
export function keyedByReplica(firewall: PolicyResource, replica: PolicyResource): boolean {
  const key = firewall.props.clusterId;
  const uuid = replica.props.uuid;
  if (typeof key === "string" && typeof uuid === "string") return key === uuid;
  if (typeof key === "string" && key === replica.props.clusterId) return false;
  return firewall.propertyDependencies?.clusterId?.some((d) => d.urn === replica.urn) ?? false;
}

export const doReplicaHasFirewall: StackValidationPolicy = {
  name: "digitalocean-replica-has-firewall",
  description: "Every DigitalOcean database replica has its own database firewall, keyed by the replica's uuid (its cluster's firewall does not cover it).",
  enforcementLevel: "mandatory",
  severity: "critical",
  tags: ["security", "data"],
  validateStack: (args, reportViolation) => {
    const replicas = args.resources.filter((r) => r.type === DO.databaseReplica);
    if (replicas.length === 0) args.notApplicable("no DigitalOcean database replicas in the stack");
    const firewalls = args.resources.filter((r) => r.type === DO.databaseFirewall);
    for (const r of replicas) {
      if (firewalls.some((f) => keyedByReplica(f, r))) continue;
      reportViolation(
        `${label(r)} has no digitalocean.DatabaseFirewall keyed by its uuid, so the replica accepts connections from any address: a read-only node has its own trusted sources. ` +
        `Add one with clusterId: ${r.name}.uuid (not ${r.name}.clusterId, which is the cluster's) and rules trusting only the API droplets' tag.`,
        r.urn,
      );
    }
  },
};

/** A bucket's domain name as the provider derives it (terraform-provider-digitalocean, BucketDomainName). */
const spacesDomainName = (bucket: PolicyResource) => `${String(bucket.props.name)}.${String(bucket.props.region)}.digitaloceanspaces.com`;

/** Whether a Spaces bucket is the origin of a CDN endpoint in the stack: the static site's, read anonymously by design. */
function servedByCdn(bucket: PolicyResource, cdns: readonly PolicyResource[]): boolean {
  return cdns.some((c) => refersTo(c, "origin", bucket, ["bucketDomainName"]) || c.props.origin === spacesDomainName(bucket));
}

/** `"*"`, `{ AWS: "*" }` or `{ AWS: [..., "*"] }`: a statement's principal that is anyone. */
function isAnyone(principal: unknown): boolean {
  const aws = asRecord(principal).AWS;
  return principal === "*" || aws === "*" || asArray(aws).includes("*");
}

/** Statements of a bucket policy (a JSON string or an object) that allow anyone. */
function publicStatements(policy: unknown): number[] {
  let doc: unknown = policy;
  if (typeof policy === "string") {
    try {
      doc = JSON.parse(policy);
    } catch {
      return [];
    }
  }
  const statements = asRecord(doc).Statement;
  const list = Array.isArray(statements) ? statements : [statements];
  return list.flatMap((s, i) => (asRecord(s).Effect === "Allow" && isAnyone(asRecord(s).Principal) ? [i] : []));
}

const aclOf = (r: PolicyResource): string => (typeof r.props.acl === "string" ? r.props.acl : "private");

/**
 * The release bucket is told apart from the static site's by what it serves, not by its name: a
 * bucket a CDN endpoint fetches from is read anonymously (public-read), every other bucket (the
 * release the droplets boot, read with a Spaces key) stays private, its objects and policy too.
 */
export const doReleaseBucketPrivate: StackValidationPolicy = {
  name: "digitalocean-release-bucket-private",
  description: "Spaces buckets no CDN endpoint serves (the release bucket) are private: bucket ACL, object ACLs and bucket policy; only the static site's bucket, a CDN origin, is public-read.",
  enforcementLevel: "mandatory",
  severity: "critical",
  tags: ["security", "data"],
  validateStack: (args, reportViolation) => {
    const buckets = args.resources.filter((r) => r.type === DO.spacesBucket);
    if (buckets.length === 0) args.notApplicable("no Spaces buckets in the stack");
    const cdns = args.resources.filter((r) => r.type === DO.cdn);
    const objects = args.resources.filter((r) => r.type === DO.spacesBucketObject);
    const policies = args.resources.filter((r) => r.type === DO.spacesBucketPolicy);
    const fix = `Set acl: "private" (the droplets read it with their read-only Spaces key); only a bucket a digitalocean.Cdn serves (the static site's) may be public-read.`;
    for (const b of buckets.filter((x) => !servedByCdn(x, cdns))) {
      const inBucket = (r: PolicyResource) => refersTo(r, "bucket", b, ["name"]);
      if (aclOf(b) !== "private") {
        reportViolation(`${label(b)} is ${aclOf(b)} but no CDN endpoint serves it: it holds private files (the release bundle), which anyone could download. ${fix}`, b.urn);
      }
      for (const o of objects.filter((x) => inBucket(x) && aclOf(x) !== "private")) {
        reportViolation(`${label(o)} in ${label(b)}, a bucket no CDN endpoint serves, is ${aclOf(o)}: anyone could download it. Set the object's acl: "private".`, o.urn);
      }
      for (const p of policies.filter(inBucket)) {
        const open = publicStatements(p.props.policy);
        if (open.length > 0) {
          reportViolation(`${label(p)} on ${label(b)}, a bucket no CDN endpoint serves, allows anyone (Principal "*") in Statement[${open.join(", ")}]. Remove those statements; grant access with a Spaces key instead.`, p.urn);
        }
      }
    }
  },
};

export const digitaloceanRules = [doFirewallNotOpen, doDatabaseFirewallNoAddress, doDatabaseHasFirewall, doReplicaHasFirewall, doReleaseBucketPrivate];
