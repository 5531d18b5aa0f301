import type { DrMode } from "../../infra/topology/types";
import type { LocalPlan } from "./plan";
import { EDGE_CHECK } from "./proxy-config";
import type { LocalSiteState } from "./state";

// The designed recovery objectives the local site and its drills are compared with, and the local
// figures (health-check timing, promotion, API boot, backup interval) they are computed from.

export interface LocalParameters {
  healthCheckIntervalSeconds: number;
  healthCheckFailureThreshold: number;
  dnsTtlSeconds: number;
  replicaPromotionSeconds: number;
  apiBootSeconds: number;
  backupIntervalSeconds: number;
  backupCopySeconds: number;
  replicaLagBoundSeconds: number;
  restoreSecondsPerGb: number;
  databaseSizeGb: number;
}

export function localParameters(st: LocalSiteState): LocalParameters {
  return {
    healthCheckIntervalSeconds: EDGE_CHECK.intervalMs / 1000,
    healthCheckFailureThreshold: EDGE_CHECK.fall,
    dnsTtlSeconds: 0, // the local edge is a proxy: no resolver caches a record
    replicaPromotionSeconds: 1, // relay log applied, STOP/RESET SLAVE, read_only off, endpoint re-pointed
    apiBootSeconds: Math.ceil(st.apiBootSeconds ?? 5),
    backupIntervalSeconds: st.backupIntervalSeconds,
    backupCopySeconds: 0, // the backups are on the same disk
    replicaLagBoundSeconds: 1,
    restoreSecondsPerGb: 120,
    databaseSizeGb: 0.01,
  };
}

export interface Designed {
  mode: DrMode;
  rtoSeconds: number;
  rpoSeconds: number;
  rto: string;
  rpo: string;
  /** where the figures come from */
  basis: string;
}

/** The Topology's designed objectives for the site's mode (cloud parameters). */
export function designedObjectives(plan: LocalPlan): Designed {
  const o = plan.topology.objectives;
  return { mode: plan.mode, rtoSeconds: o.rtoSeconds, rpoSeconds: o.rpoSeconds, rto: o.rto, rpo: o.rpo, basis: "Topology.objectives (cloud parameters)" };
}
