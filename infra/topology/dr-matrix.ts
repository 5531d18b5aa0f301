import type { ResolvedConfig } from "../config/resolved";
import type { StandbyShape } from "../facts/standby-shape";
import { CLOUD_ASSUMPTIONS, cloudRecoveryParameters, deriveObjectives, describeTerms, formatDuration } from "./objectives";
import type { ApiCapacity, CacheCapacity, DatabaseCapacity, DrMode, RecoveryObjectives } from "./types";

// What the DR-mode matrix (infra/facts/standby-shape.ts: what the standby site runs in each mode)
// means for each tier's capacity, and the recovery objectives each mode is designed for.

/** The replica-lag alarm threshold: the RPO bound of the modes with an async replica. */
export const REPLICA_LAG_BOUND_SECONDS = CLOUD_ASSUMPTIONS.replicaLagBoundSeconds;

/** The mode's RTO/RPO, derived from the edge settings, the database size and named assumptions. */
export function objectivesFor(mode: DrMode, cfg: ResolvedConfig): RecoveryObjectives {
  const d = deriveObjectives(mode, cloudRecoveryParameters(cfg));
  return {
    rto: `≤ ${formatDuration(d.rtoSeconds)} (${describeTerms(d.rto)})`,
    rpo: `≤ ${formatDuration(d.rpoSeconds)} (${describeTerms(d.rpo)})`,
    rtoSeconds: d.rtoSeconds,
    rpoSeconds: d.rpoSeconds,
    breakdown: { rto: d.rto, rpo: d.rpo },
  };
}

/** The full-size tiers the configuration asks for (the active writer site). */
export function fullApi(cfg: ResolvedConfig): ApiCapacity {
  return { provisioned: true, min: cfg.api.minSize, max: cfg.api.maxSize, desired: cfg.api.desiredSize, instanceType: cfg.api.instanceType, arch: cfg.api.arch };
}

export function standbyApi(cfg: ResolvedConfig, shape: StandbyShape): ApiCapacity {
  const full = fullApi(cfg);
  if (!shape.apiProvisioned) return { ...full, provisioned: false, min: 0, max: 0, desired: 0 };
  if (shape.apiSize === "full") return full;
  // max stays at full size so scaling out on failover needs no new launch configuration
  return shape.apiSize === "warm" ? { ...full, min: 1, desired: 1 } : { ...full, min: 0, desired: 0 };
}

export function writerDatabase(cfg: ResolvedConfig, role: "writer" | "fenced"): DatabaseCapacity {
  const db = cfg.database;
  return {
    role,
    instanceClass: db.instanceClass,
    multiAz: db.multiAz,
    readReplicas: db.readReplicas,
    allocatedStorageGb: db.allocatedStorageGb,
    maxAllocatedStorageGb: db.maxAllocatedStorageGb,
    backupRetentionDays: db.backupRetentionDays,
    deletionProtection: cfg.environment === "prod",
    generation: 0,
    origin: "created",
  };
}

export function standbyDatabase(cfg: ResolvedConfig, shape: StandbyShape): DatabaseCapacity {
  const writer = writerDatabase(cfg, "writer");
  if (shape.database === "none") return { ...writer, role: "none", readReplicas: 0, multiAz: false };
  // Multi-AZ as the writer is: this replica may be promoted to the writer.
  return { ...writer, role: "replica", readReplicas: 0 };
}

export function fullCache(cfg: ResolvedConfig): CacheCapacity {
  return { enabled: true, nodeType: cfg.cache.nodeType, replicas: cfg.cache.replicas, snapshotRetentionDays: cfg.cache.snapshotRetentionDays };
}

export function standbyCache(cfg: ResolvedConfig, shape: StandbyShape): CacheCapacity {
  const full = fullCache(cfg);
  if (shape.cache === "none") return { ...full, enabled: false, replicas: 0 };
  return shape.cache === "single-node" ? { ...full, replicas: 0 } : full;
}
