import type { DrMode } from "../facts/vocabulary";

// Recovery objectives derived from named parameters instead of fixed constants per mode: every
// term of an RTO or RPO says how many seconds it contributes and which assumption gives it. Pure
// (no Pulumi): the cloud program, the offline plan and the local site all call deriveObjectives.

/** Every figure a recovery objective depends on; seconds unless the name says otherwise. */
export interface RecoveryParameters {
  /** how often each edge health checker probes the site-readiness endpoint */
  healthCheckIntervalSeconds: number;
  /** consecutive failed probes before the edge marks a site unhealthy */
  healthCheckFailureThreshold: number;
  /** how long resolvers may keep the answer that still names the failed site */
  dnsTtlSeconds: number;
  /** turning the standby's read replica into a writer */
  replicaPromotionSeconds: number;
  /** a new API instance from launch to passing the load balancer's health check (boot + start) */
  apiBootSeconds: number;
  /** time between two backups of the writer */
  backupIntervalSeconds: number;
  /** taking one backup plus copying it to the standby region */
  backupCopySeconds: number;
  /** the replica lag the stack alarms on: the data an async replica may not have yet */
  replicaLagBoundSeconds: number;
  /** restoring a database from a snapshot, per GB of configured storage */
  restoreSecondsPerGb: number;
  /** the configured database size the restore term is computed for */
  databaseSizeGb: number;
  /**
   * A DigitalOcean writer's backup-restore: its data leaves the region as scheduled logical dumps
   * (the ops runner), and a failover loads one into a new cluster. Absent: AWS Backup's terms.
   */
  dumps?: DumpRecoveryParameters;
}

/** The DigitalOcean terms: dump interval and dump time (RPO), cluster creation and load time (RTO). */
export interface DumpRecoveryParameters {
  /** time between two dumps of the writer (digitalocean.dumps.intervalMinutes) */
  dumpIntervalSeconds: number;
  /** taking one dump and uploading it to the bucket in the other region */
  dumpSeconds: number;
  /** creating the new managed MySQL cluster the dump is loaded into */
  clusterCreateSeconds: number;
  /** loading a logical dump, per GB of data */
  dumpLoadSecondsPerGb: number;
  /** the data's size (digitalocean.dumps.datasetGb) */
  datasetGb: number;
}

export interface ObjectiveTerm {
  readonly name: string;
  readonly seconds: number;
  readonly assumption: string;
}

export interface DerivedObjectives {
  readonly rtoSeconds: number;
  readonly rpoSeconds: number;
  readonly rto: readonly ObjectiveTerm[];
  readonly rpo: readonly ObjectiveTerm[];
}

/**
 * Cloud figures that are not stack config. Each is a planning assumption to replace with what a
 * game day measures; the text of every term repeats it so nobody mistakes it for a measurement.
 */
export const CLOUD_ASSUMPTIONS = {
  /** RDS promotes a read replica "in a few minutes" (RDS User Guide, promoting a read replica) */
  replicaPromotionSeconds: 300,
  /** EC2 launch + AL2023 boot + user data (bundle download) + app start + 2 healthy ALB checks at 10 s */
  apiBootSeconds: 180,
  /** the backup plan runs hourly */
  backupIntervalSeconds: 3600,
  /** an incremental RDS snapshot plus its AWS Backup cross-region copy job */
  backupCopySeconds: 1800,
  /** the replica-lag alarm threshold (observability) */
  replicaLagBoundSeconds: 60,
  /** RDS restore from snapshot, about 2 GB a minute until the instance is available */
  restoreSecondsPerGb: 30,
} as const;

/**
 * DigitalOcean figures that are not stack config: planning assumptions (unverified, none is a
 * DigitalOcean figure), to replace with what a game day measures.
 */
export const DO_DUMP_ASSUMPTIONS = {
  /** a single-transaction logical dump of a few GB, gzipped and uploaded to another region */
  dumpSeconds: 600,
  /** a new managed MySQL cluster from the API call to online */
  clusterCreateSeconds: 600,
  /** a logical load runs single-threaded: about 0.5 GB a minute */
  dumpLoadSecondsPerGb: 120,
} as const;

/** What cloudRecoveryParameters reads from the resolved config. */
export interface RecoveryConfig {
  readonly edge: { readonly ttl: number; readonly healthCheckIntervalSeconds: number; readonly healthCheckFailureThreshold: number };
  readonly database: { readonly allocatedStorageGb: number };
  /** with these, a DigitalOcean writer gets the dump terms */
  readonly sites?: { readonly primary: { readonly cloud: string }; readonly secondary?: { readonly cloud: string } };
  readonly dr?: { readonly activeSite: "primary" | "secondary" };
  readonly digitalocean?: { readonly dumps: { readonly intervalMinutes: number; readonly datasetGb: number } };
}

/**
 * The cloud stack's parameters: edge figures and database size from config, the rest assumed. A
 * DigitalOcean writer adds the dump terms (interval and dataset from config).
 */
export function cloudRecoveryParameters(cfg: RecoveryConfig): RecoveryParameters {
  const writerCloud = cfg.sites && cfg.dr ? cfg.sites[cfg.dr.activeSite]?.cloud : undefined;
  const dumps = writerCloud === "digitalocean" && cfg.digitalocean
    ? { dumpIntervalSeconds: cfg.digitalocean.dumps.intervalMinutes * 60, datasetGb: cfg.digitalocean.dumps.datasetGb, ...DO_DUMP_ASSUMPTIONS }
    : undefined;
  return {
    healthCheckIntervalSeconds: cfg.edge.healthCheckIntervalSeconds,
    healthCheckFailureThreshold: cfg.edge.healthCheckFailureThreshold,
    dnsTtlSeconds: cfg.edge.ttl,
    databaseSizeGb: cfg.database.allocatedStorageGb,
    ...CLOUD_ASSUMPTIONS,
    ...(dumps ? { dumps } : {}),
  };
}

/**
 * RTO and RPO of a regional outage of the writer's site in `mode`, as the sum of named terms.
 * RTO terms are counted one after the other: an upper bound (a failover `pulumi up` runs the
 * promotion and the scale-out in parallel). The time an operator takes to decide is not counted.
 */
export function deriveObjectives(mode: DrMode, p: RecoveryParameters): DerivedObjectives {
  validate(p);
  const detection = term(
    "detection",
    p.healthCheckIntervalSeconds * p.healthCheckFailureThreshold,
    `${p.healthCheckFailureThreshold} failed checks × ${p.healthCheckIntervalSeconds} s interval before the edge marks the site unhealthy and its alarm fires`,
  );
  const dns = term("dns-ttl", p.dnsTtlSeconds, `resolvers keep the old answer up to the ${p.dnsTtlSeconds} s TTL (alias answers carry the load balancer's own TTL)`);
  const promotion = term("replica-promotion", p.replicaPromotionSeconds, `promoting the standby's read replica to writer takes ${p.replicaPromotionSeconds} s (assumed; writes fail until then)`);
  const bootFromZero = term("api-from-zero", p.apiBootSeconds, `the standby runs 0 API instances: nothing serves until new ones boot and pass the health check (${p.apiBootSeconds} s boot + start, assumed)`);
  const replicaLag = term("replica-lag", p.replicaLagBoundSeconds, `asynchronous replica: writes not yet replicated are lost, bounded by the ${p.replicaLagBoundSeconds} s replica-lag alarm`);

  let rto: ObjectiveTerm[];
  let rpo: ObjectiveTerm[];
  switch (mode) {
    case "backup-restore": {
      if (p.dumps) {
        ({ rto, rpo } = dumpTerms(p.dumps, detection, bootFromZero, dns));
        break;
      }
      const restore = term(
        "restore-from-snapshot",
        p.restoreSecondsPerGb * p.databaseSizeGb,
        `restoring the ${p.databaseSizeGb} GB database from the latest copied snapshot at ${p.restoreSecondsPerGb} s/GB (assumed)`,
      );
      rto = [detection, restore, bootFromZero, dns];
      rpo = [
        term("backup-interval", p.backupIntervalSeconds, `a write just after a backup waits ${p.backupIntervalSeconds} s for the next one`),
        term("snapshot-and-copy", p.backupCopySeconds, `the next backup is only usable in the standby region once taken and copied there (${p.backupCopySeconds} s, assumed)`),
      ];
      break;
    }
    case "pilot-light":
      rto = [detection, promotion, bootFromZero, dns];
      rpo = [replicaLag];
      break;
    case "warm-standby":
      rto = [
        detection,
        promotion,
        term("api-from-min", 0, `the standby's minimum instances serve at once (reduced capacity); the rest reach service ${p.apiBootSeconds} s after the scale-out starts`),
        dns,
      ];
      rpo = [replicaLag];
      break;
    case "active-active":
      rto = [
        detection,
        dns,
        term("writes-after-promotion", p.replicaPromotionSeconds, `reads recover after detection + TTL; writes go to the failed region's writer until the replica is promoted (${p.replicaPromotionSeconds} s, assumed)`),
      ];
      rpo = [replicaLag];
      break;
  }
  return { rtoSeconds: sum(rto), rpoSeconds: sum(rpo), rto, rpo };
}

/**
 * Backup-restore of a DigitalOcean writer: the newest dump in the other region is at most one
 * interval plus one dump old; failing over creates a cluster and loads the dump into it.
 */
function dumpTerms(d: DumpRecoveryParameters, detection: ObjectiveTerm, boot: ObjectiveTerm, dns: ObjectiveTerm): { rto: ObjectiveTerm[]; rpo: ObjectiveTerm[] } {
  return {
    rto: [
      detection,
      term("cluster-create", d.clusterCreateSeconds, `creating the new managed MySQL cluster takes ${d.clusterCreateSeconds} s (assumed)`),
      term("dump-load", d.dumpLoadSecondsPerGb * d.datasetGb, `the ops runner loads the ${d.datasetGb} GB dump at ${d.dumpLoadSecondsPerGb} s/GB (assumed)`),
      boot,
      dns,
    ],
    rpo: [
      term("dump-interval", d.dumpIntervalSeconds, `a write just after a dump waits ${d.dumpIntervalSeconds} s for the next one (digitalocean.dumps.intervalMinutes)`),
      term("dump-and-upload", d.dumpSeconds, `the next dump is only usable once taken and uploaded to the other region (${d.dumpSeconds} s, assumed)`),
    ],
  };
}

/** "1 h 5 min", "9 min 30 s", "45 s": how the plan and the objectives text print durations. */
export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const parts = [h > 0 ? `${h} h` : "", m > 0 ? `${m} min` : "", s > 0 || seconds === 0 ? `${s} s` : ""].filter(Boolean);
  return parts.join(" ");
}

/** One line per term: "detection 30 s (3 failed checks × 10 s ...)". */
export function describeTerms(terms: readonly ObjectiveTerm[]): string {
  return terms.map((t) => `${t.name} ${formatDuration(t.seconds)}`).join(" + ");
}

function term(name: string, seconds: number, assumption: string): ObjectiveTerm {
  return { name, seconds, assumption };
}

function sum(terms: readonly ObjectiveTerm[]): number {
  return terms.reduce((acc, t) => acc + t.seconds, 0);
}

function validate(p: RecoveryParameters): void {
  const { dumps, ...flat } = p;
  for (const [name, value] of Object.entries({ ...flat, ...dumps })) {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw new RangeError(`recovery parameter ${name} must be a finite number ≥ 0, got ${String(value)}`);
    }
  }
}
