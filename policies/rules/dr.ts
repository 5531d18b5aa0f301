import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { arnRegion, asArray, asRecord, deploymentMarker, isArn, label, refersTo, regionOf, requireMode, tagValue } from "./common";
import { isHealthChecked, siteOfRecord } from "./dns";
import { roleOf } from "./site-role";
import { AWS, CLOUDFLARE, DEPLOYMENT, type DrMode } from "./types";

// DR-mode invariants (docs/architecture.md, "The DR-mode matrix"), checked over the whole stack. The mode comes
// from the stack's resilient-feed:index:Deployment marker. They hold in every environment: a dev
// stack running a game day in warm-standby needs a real replica as much as prod does.

const REPLICA_MODES: readonly DrMode[] = ["pilot-light", "warm-standby", "active-active"];

/** An old writer is fenced: failed over (or switched back) and not yet re-seeded. */
function isFailedOver(resources: readonly PolicyResource[]): boolean {
  return deploymentMarker(resources)?.fencedSite !== undefined;
}

/** RDS instances that take writes (no replicateSourceDb). */
function writers(resources: readonly PolicyResource[]): PolicyResource[] {
  return resources.filter((r) => r.type === AWS.rdsInstance && (r.props.replicateSourceDb === undefined || r.props.replicateSourceDb === null || r.props.replicateSourceDb === ""));
}

/** arn:aws:rds:<region>:<account>:db:<identifier> names `db` when region and identifier agree. */
function arnNames(arn: string, db: PolicyResource): boolean {
  const m = /^arn:[^:]+:rds:([^:]+):[^:]*:db:(.+)$/.exec(arn);
  if (!m) return false;
  const identifier = typeof db.props.identifier === "string" ? db.props.identifier : db.name;
  return m[1] === regionOf(db) && m[2] === identifier;
}

/** The region of the KMS key a replica names: from the ARN, else from the key resource it references. */
function kmsRegion(replica: PolicyResource, keys: readonly PolicyResource[]): string | undefined {
  const id = replica.props.kmsKeyId;
  if (isArn(id)) return arnRegion(id);
  const key = keys.find((k) => refersTo(replica, "kmsKeyId", k, ["arn", "id", "keyId"]));
  return key ? regionOf(key) : undefined;
}

export const drCrossRegionReplica: StackValidationPolicy = {
  name: "dr-cross-region-replica",
  description: "pilot-light, warm-standby and active-active run an RDS cross-region read replica of the primary DB (source = its ARN), encrypted with a KMS key in the replica's region.",
  enforcementLevel: "mandatory",
  severity: "critical",
  tags: ["reliability", "dr"],
  validateStack: (args, reportViolation) => {
    const mode = requireMode(args, "dr-cross-region-replica");
    if (!REPLICA_MODES.includes(mode)) args.notApplicable(`mode ${mode} keeps no replica in the standby site`);
    if (isFailedOver(args.resources)) args.notApplicable("failed over: the promoted writer has no replica until fail-back re-seeds one (and failover must never be blocked)");
    const primaries = writers(args.resources);
    if (primaries.length === 0) args.notApplicable("no RDS primary in the stack");
    const primaryRegions = new Set(primaries.map(regionOf));
    const keys = args.resources.filter((r) => r.type === AWS.kmsKey);
    const candidates = args.resources.filter((r) => r.type === AWS.rdsInstance && !primaries.includes(r) && !primaryRegions.has(regionOf(r)));
    const marker = args.resources.find((r) => r.type === DEPLOYMENT)?.urn;
    if (candidates.length === 0) {
      reportViolation(
        `DR mode ${mode} needs a cross-region read replica of ${primaries.map(label).join(", ")} (${[...primaryRegions].join(", ")}) in the standby site's region, and the stack has none. ` +
        `Add an aws.rds.Instance in the standby region with replicateSourceDb: <primary>.arn, kmsKeyId: a KMS key created in that region, storageEncrypted: true; or switch dr.mode to backup-restore.`,
        marker,
      );
      return;
    }
    for (const replica of candidates) {
      const source = replica.props.replicateSourceDb;
      const primary = primaries.find((p) => refersTo(replica, "replicateSourceDb", p, ["arn"]) || (typeof source === "string" && arnNames(source, p)));
      if (!isArn(source) || !primary) {
        reportViolation(
          `${label(replica)} in ${regionOf(replica) ?? "(unknown region)"} replicates from ${JSON.stringify(source ?? null)}, which is not the ARN of the primary DB (${primaries.map(label).join(", ")}). ` +
          `A cross-region replica must name its source by ARN: set replicateSourceDb: <primary>.arn.`,
          replica.urn,
        );
      }
      const region = regionOf(replica);
      const keyRegion = kmsRegion(replica, keys);
      if (keyRegion === undefined || keyRegion !== region) {
        reportViolation(
          `${label(replica)} in ${region ?? "(unknown region)"} is encrypted with ${replica.props.kmsKeyId === undefined ? "no kmsKeyId" : `a KMS key in ${keyRegion ?? "an unknown region"} (${String(replica.props.kmsKeyId)})`}; ` +
          `an encrypted cross-region replica needs a key in its own region. Create an aws.kms.Key with region: "${region ?? "<replica region>"}" and set kmsKeyId: key.arn.`,
          replica.urn,
        );
      }
    }
  },
};

function standbyGroups(resources: readonly PolicyResource[]): PolicyResource[] {
  return resources.filter((r) => r.type === AWS.autoscalingGroup && roleOf(resources, r) === "standby");
}

export const drStandbyCapacity: StackValidationPolicy = {
  name: "dr-standby-capacity",
  description: "warm-standby keeps the standby ASG at min >= 1; pilot-light keeps a standby ASG that exists at 0.",
  enforcementLevel: "mandatory",
  severity: "high",
  tags: ["reliability", "dr"],
  validateStack: (args, reportViolation) => {
    const mode = requireMode(args, "dr-standby-capacity");
    if (mode !== "warm-standby" && mode !== "pilot-light") args.notApplicable(`mode ${mode} has no scaled-down standby`);
    if (isFailedOver(args.resources)) args.notApplicable("failed over: the standby site is the active one and runs at full size");
    const groups = args.resources.filter((r) => r.type === AWS.autoscalingGroup);
    if (groups.length === 0) args.notApplicable("no autoscaling groups in the stack");
    const standby = standbyGroups(args.resources);
    const marker = args.resources.find((r) => r.type === DEPLOYMENT)?.urn;
    if (standby.length === 0) {
      reportViolation(
        `DR mode ${mode} needs an autoscaling group in the standby site (its site tag naming a site the Deployment calls standby) ${mode === "warm-standby" ? "with minSize >= 1" : "at 0 instances with its launch template ready"}, and the stack has none ` +
        `(groups: ${groups.map((g) => `"${g.name}" site=${tagValue(g.props.tags, "site") ?? "(none)"} role=${roleOf(args.resources, g) ?? "(unknown)"}`).join(", ")}). Provision the standby API tier or change dr.mode.`,
        marker,
      );
      return;
    }
    for (const g of standby) {
      const min = typeof g.props.minSize === "number" ? g.props.minSize : 0;
      const desired = typeof g.props.desiredCapacity === "number" ? g.props.desiredCapacity : undefined;
      if (mode === "warm-standby" && min < 1) {
        reportViolation(`${label(g)} is the warm standby but has minSize ${min}; warm-standby keeps at least one instance serving health checks. Set minSize >= 1 (desiredCapacity >= 1), or use pilot-light.`, g.urn);
      }
      if (mode === "pilot-light" && (min !== 0 || (desired !== undefined && desired !== 0))) {
        reportViolation(`${label(g)} is the pilot-light standby but runs minSize ${min}, desiredCapacity ${desired ?? "(unset)"}; pilot-light keeps the group at 0 until failover. Set minSize: 0 and desiredCapacity: 0, or use warm-standby.`, g.urn);
      }
    }
  },
};

/** Sites named by the `site` tag of the stack's resources. */
/** The sites that serve traffic, as the Deployment marker lists them (undefined without the list). */
function servingSitesOf(resources: readonly PolicyResource[]): string[] | undefined {
  const states = resources.find((r) => r.type === DEPLOYMENT)?.props.sites;
  if (states === null || typeof states !== "object") return undefined;
  return Object.entries(states as Record<string, unknown>).filter(([, v]) => asRecord(v).servesTraffic === true).map(([k]) => k).sort();
}

function sitesOf(resources: readonly PolicyResource[]): string[] {
  const out = new Set<string>();
  for (const r of resources) {
    const s = tagValue(r.props.tags, "site");
    if (s) out.add(s);
  }
  return [...out].sort();
}

export const drActiveActiveRouting: StackValidationPolicy = {
  name: "dr-active-active-routing",
  description: "active-active routes users to both sites with health-checked DNS (Route 53 latency/geolocation/weighted records, or a Cloudflare load balancer with monitored pools).",
  enforcementLevel: "mandatory",
  severity: "critical",
  tags: ["reliability", "dr", "dns"],
  validateStack: (args, reportViolation) => {
    const mode = requireMode(args, "dr-active-active-routing");
    if (mode !== "active-active") args.notApplicable(`mode ${mode} sends traffic to one site`);
    // after a failover the old writer is fenced: only the sites that serve must be routed to
    const sites = servingSitesOf(args.resources) ?? sitesOf(args.resources);
    const healthChecks = args.resources.filter((r) => r.type === AWS.route53HealthCheck);
    const steering = ["latencyRoutingPolicies", "geolocationRoutingPolicies", "weightedRoutingPolicies", "failoverRoutingPolicies"];
    const routed = new Set<string>();
    for (const r of args.resources) {
      if (r.type !== AWS.route53Record || !isHealthChecked(r.props)) continue;
      if (!steering.some((k) => asArray(r.props[k]).length > 0)) continue;
      const site = siteOfRecord(r, healthChecks, sites);
      if (site) routed.add(site);
    }
    // Cloudflare: a load balancer with a monitored default pool for every serving site
    const pools = args.resources.filter((r) => r.type === CLOUDFLARE.loadBalancerPool);
    const cloudflareBalanced = args.resources.some((lb) => lb.type === CLOUDFLARE.loadBalancer &&
      pools.filter((p) => refersTo(lb, "defaultPools", p) && p.props.monitor !== undefined && p.props.monitor !== "").length >= Math.max(1, sites.length));
    const fenced = [...routed].filter((s) => !sites.includes(s));
    if (fenced.length > 0) {
      reportViolation(
        `DR mode active-active routes users to ${fenced.join(", ")}, which does not serve traffic (fenced after a failover: its API still writes to its old database). ` +
        `Remove every record that answers with it: two writers would split the data.`,
        args.resources.find((r) => r.type === DEPLOYMENT)?.urn,
      );
    }
    if (cloudflareBalanced) return;
    const missing = sites.filter((s) => !routed.has(s));
    if (sites.length < 1 || missing.length > 0) {
      const marker = args.resources.find((r) => r.type === DEPLOYMENT)?.urn;
      reportViolation(
        `DR mode active-active needs health-checked DNS routing to every site (${sites.join(", ") || "no sites found"}), but ${missing.length > 0 ? missing.join(", ") : "no site"} ` +
        `${missing.length === 1 ? "has" : "have"} none. Add, per site, a Route 53 latency or geolocation record (with a default) whose healthCheckId is a health check tagged with the site, ` +
        `or a Cloudflare load balancer with one monitored pool per site.`,
        marker,
      );
    }
  },
};

export const drBackupCrossRegionCopy: StackValidationPolicy = {
  name: "dr-backup-cross-region-copy",
  description: "backup-restore has an AWS Backup plan that copies recovery points to a vault in another region.",
  enforcementLevel: "mandatory",
  severity: "critical",
  tags: ["reliability", "dr"],
  validateStack: (args, reportViolation) => {
    const mode = requireMode(args, "dr-backup-cross-region-copy");
    if (mode !== "backup-restore") args.notApplicable(`mode ${mode} recovers from a replica, not from backups`);
    const dbs = writers(args.resources);
    if (dbs.length === 0) args.notApplicable("no RDS database in the stack (nothing for AWS Backup to copy)");
    const plans = args.resources.filter((r) => r.type === AWS.backupPlan);
    const copies = plans.some((p) => asArray(p.props.rules).some((rule) =>
      asArray(asRecord(rule).copyActions).some((c) => {
        const dest = asRecord(c).destinationVaultArn;
        const destRegion = arnRegion(dest);
        return destRegion !== undefined && destRegion !== regionOf(p);
      })));
    if (!copies) {
      const marker = args.resources.find((r) => r.type === DEPLOYMENT)?.urn;
      reportViolation(
        `DR mode backup-restore restores ${dbs.map(label).join(", ")} from backups, but ${plans.length === 0 ? "the stack has no aws.backup.Plan" : `no aws.backup.Plan (${plans.map((p) => `"${p.name}"`).join(", ")}) copies to another region`}. ` +
        `Add a plan whose rule has copyActions: [{ destinationVaultArn: <vault in the standby region> }] and a selection covering the database.`,
        marker,
      );
    }
  },
};

export const drRules = [drCrossRegionReplica, drStandbyCapacity, drActiveActiveRouting, drBackupCrossRegionCopy];
