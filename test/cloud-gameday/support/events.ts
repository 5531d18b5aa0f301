import type { EngineEvent } from "@pulumi/pulumi/automation";

// Engine events in the shape `pulumi preview/up --event-log` writes them (one JSON object a line:
// sequence, timestamp, resourcePreEvent / resOutputsEvent / summaryEvent with step metadata),
// for a two-site stack reduced to the resources the checks read: the AWS provider, each site's
// database, the Route 53 failover set and its health checks, a bucket.

export const PRIMARY = "ap-northeast-2";
export const SECONDARY = "ap-northeast-1";
const PROVIDER = "urn:pulumi:prod::resilient-feed::pulumi:providers:aws::aws";
const urn = (type: string, name: string) => `urn:pulumi:prod::resilient-feed::resilient-feed:index:Deployment$${type}::${name}`;

export interface Res {
  readonly type: string;
  readonly name: string;
  readonly id: string;
  readonly inputs: Record<string, unknown>;
  readonly retainOnDelete?: boolean;
}

export type Op = "same" | "create" | "update" | "delete" | "replace";

export interface Step {
  readonly op: Op;
  readonly old?: Res;
  readonly new?: Res;
  readonly diffs?: readonly string[];
}

const state = (r: Res, providerId: string) => ({
  type: r.type, urn: r.type.startsWith("pulumi:providers:") ? PROVIDER : urn(r.type, r.name), custom: true, id: r.id, parent: "urn:pulumi:prod::resilient-feed::resilient-feed:index:Deployment::resilient-feed-prod",
  inputs: r.inputs, outputs: { ...r.inputs, id: r.id }, provider: r.type.startsWith("pulumi:providers:") ? "" : `${PROVIDER}::${providerId}`, ...(r.retainOnDelete ? { retainOnDelete: true } : {}),
});

/** The events of a preview (pre-events only) or an up (pre-events and outputs), then the summary. */
export function engineEvents(steps: readonly Step[], kind: "preview" | "up"): EngineEvent[] {
  let seq = 0;
  const ev = (e: Omit<EngineEvent, "sequence" | "timestamp">): EngineEvent => ({ sequence: seq++, timestamp: 1764778500 + seq, ...e });
  const out: EngineEvent[] = [ev({ preludeEvent: { config: {} } })];
  const counts: Record<string, number> = {};
  for (const s of steps) {
    const r = (s.new ?? s.old)!;
    const metadata = {
      op: s.op, urn: r.type.startsWith("pulumi:providers:") ? PROVIDER : urn(r.type, r.name), type: r.type, provider: `${PROVIDER}::prov-1`,
      ...(s.old ? { old: state(s.old, "prov-1") } : {}), ...(s.new ? { new: state(s.new, "prov-1") } : {}), ...(s.diffs ? { diffs: [...s.diffs] } : {}),
      ...(s.op === "replace" ? { keys: [...(s.diffs ?? [])] } : {}),
    };
    out.push(ev({ resourcePreEvent: { metadata, planning: kind === "preview" } }));
    if (kind === "up") out.push(ev({ resOutputsEvent: { metadata } }));
    counts[s.op] = (counts[s.op] ?? 0) + 1;
  }
  out.push(ev({ summaryEvent: { maybeCorrupt: false, durationSeconds: 1, resourceChanges: counts, policyPacks: {} } }));
  return out;
}

export const provider = (region: string): Res => ({ type: "pulumi:providers:aws", name: "aws", id: "prov-1", inputs: { region } });
export const db = (site: string, region: string, extra: Record<string, unknown> = {}): Res => ({
  type: "aws:rds/instance:Instance", name: `${site}-db`, id: `${site}-db-real`, inputs: { region, instanceClass: "db.r6g.large", deletionProtection: true, skipFinalSnapshot: false, finalSnapshotIdentifier: `${site}-final`, ...extra },
});
export const healthCheck = (site: string): Res => ({ type: "aws:route53/healthCheck:HealthCheck", name: `edge-${site}-readyz`, id: `hc-${site}-0001`, inputs: { fqdn: `${site}.alb.example`, type: "HTTPS", resourcePath: "/readyz" } });
export const failoverRecord = (role: "PRIMARY" | "SECONDARY", site: string): Res => ({
  type: "aws:route53/record:Record", name: `edge-failover-${role.toLowerCase()}`, id: `Z1_failover.feed.example.com_A_${role}`,
  inputs: { zoneId: "Z1", name: "failover.feed.example.com", type: "A", setIdentifier: role.toLowerCase(), failoverRoutingPolicies: [{ type: role }], aliases: [{ name: `${site}.alb.example`, zoneId: "ZALB", evaluateTargetHealth: true }], healthCheckId: `hc-${site}-0001` },
});
export const bucket = (name: string, region: string, forceDestroy: boolean): Res => ({ type: "aws:s3/bucket:Bucket", name, id: `${name}-real`, inputs: { region, forceDestroy } });
export const launchTemplate = (site: string, region: string, imageId: string): Res => ({ type: "aws:ec2/launchTemplate:LaunchTemplate", name: `${site}-api-lt`, id: `lt-${site}`, inputs: { region, imageId } });

/** The failover in warm-standby: the secondary's replica promoted, the PRIMARY record answering with it, the old SECONDARY record and the primary's check deleted. */
export function failoverSteps(opts: { touchFailedSite?: boolean } = {}): Step[] {
  const replica = db("secondary", SECONDARY, { replicateSourceDb: "arn:aws:rds:ap-northeast-2:123456789012:db:primary-db", deletionProtection: true, skipFinalSnapshot: true });
  const promoted = db("secondary", SECONDARY, { deletionProtection: true });
  return [
    { op: "update", old: provider(PRIMARY), new: provider(SECONDARY), diffs: ["region"] },
    { op: "same", old: db("primary", PRIMARY), new: db("primary", PRIMARY) },
    { op: "update", old: replica, new: promoted, diffs: ["replicateSourceDb", "skipFinalSnapshot"] },
    { op: "same", old: healthCheck("secondary"), new: healthCheck("secondary") },
    { op: "update", old: failoverRecord("PRIMARY", "primary"), new: failoverRecord("PRIMARY", "secondary"), diffs: ["aliases", "healthCheckId"] },
    { op: "delete", old: failoverRecord("SECONDARY", "secondary") },
    { op: "delete", old: healthCheck("primary") },
    ...(opts.touchFailedSite ? [{ op: "update" as const, old: launchTemplate("primary", PRIMARY, "ami-0123456789abcdef0"), new: launchTemplate("primary", PRIMARY, "ami-0fedcba9876543210"), diffs: ["imageId"] }] : []),
  ];
}

/** The program's graph: each record depends on the health check it names. */
export const DEPENDENCIES: ReadonlyMap<string, readonly string[]> = new Map([
  ["aws:route53/record:Record::edge-failover-secondary", ["aws:route53/healthCheck:HealthCheck::edge-secondary-readyz"]],
  ["aws:route53/record:Record::edge-failover-primary", ["aws:route53/healthCheck:HealthCheck::edge-primary-readyz", "aws:route53/healthCheck:HealthCheck::edge-secondary-readyz"]],
]);

/** Failback stage 2's deletes: the SECONDARY record and the health check it names (the record must go first). */
export function recordAndCheckDeleted(): Step[] {
  return [
    { op: "same", old: provider(PRIMARY), new: provider(PRIMARY) },
    { op: "same", old: failoverRecord("PRIMARY", "primary"), new: failoverRecord("PRIMARY", "primary") },
    { op: "same", old: healthCheck("primary"), new: healthCheck("primary") },
    { op: "delete", old: failoverRecord("SECONDARY", "secondary") },
    { op: "delete", old: healthCheck("secondary") },
  ];
}

/** Stage 2 of warm-standby → backup-restore: the standby's replica and buckets deleted (protection released). */
export function switchDownSteps(): Step[] {
  return [
    { op: "same", old: provider(PRIMARY), new: provider(PRIMARY) },
    { op: "delete", old: db("secondary", SECONDARY, { replicateSourceDb: "arn:aws:rds:ap-northeast-2:123456789012:db:primary-db", deletionProtection: false, skipFinalSnapshot: true }) },
    { op: "delete", old: bucket("secondary-alb-logs", SECONDARY, true) },
  ];
}

/** Stage 1 of warm-standby → backup-restore: updates in place only. */
export function releaseSteps(): Step[] {
  return [
    { op: "update", old: db("secondary", SECONDARY, { replicateSourceDb: "x", skipFinalSnapshot: true }), new: db("secondary", SECONDARY, { replicateSourceDb: "x", skipFinalSnapshot: true, deletionProtection: false }), diffs: ["deletionProtection"] },
    { op: "update", old: bucket("secondary-alb-logs", SECONDARY, false), new: bucket("secondary-alb-logs", SECONDARY, true), diffs: ["forceDestroy"] },
  ];
}

/** A stage the writer database would be replaced in (a mode switch that should never do that). */
export function writerReplacedSteps(): Step[] {
  return [{ op: "replace", old: db("primary", PRIMARY), new: db("primary", PRIMARY, { engineVersion: "8.4" }), diffs: ["engineVersion"] }];
}
