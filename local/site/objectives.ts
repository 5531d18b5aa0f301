import { deriveObjectives, describeTerms, type ObjectiveTerm, type RecoveryParameters } from "../../infra/topology/objectives";
import type { DrMode } from "../../infra/topology/types";
import type { LocalPlan } from "./plan";
import { EDGE_CHECK } from "./proxy-config";
import type { LocalSiteState } from "./state";

// The recovery objectives the local site and its drills are compared with: the Topology's own
// derivation (deriveObjectives) fed with the local figures (health-check timing, promotion, API
// boot, backup interval) instead of the cloud's, and the cloud figures beside them for reference.

export function localParameters(st: LocalSiteState): RecoveryParameters {
  return {
    healthCheckIntervalSeconds: EDGE_CHECK.intervalMs / 1000,
    healthCheckFailureThreshold: EDGE_CHECK.fall,
    dnsTtlSeconds: 0, // the local edge is a proxy: no resolver caches an answer
    replicaPromotionSeconds: 1, // relay log applied, STOP/RESET SLAVE, read_only off, endpoint re-pointed
    apiBootSeconds: Math.ceil(st.apiBootSeconds ?? 5), // measured at start: spawn → /healthz 200
    backupIntervalSeconds: st.backupIntervalSeconds,
    backupCopySeconds: 1, // the dump lands on the same disk
    replicaLagBoundSeconds: 1, // loopback replication; the app's lag check is 5 s
    restoreSecondsPerGb: 600, // mariadb client loading a logical dump
    databaseSizeGb: 0.01,
  };
}

export interface Designed {
  mode: DrMode;
  rtoSeconds: number;
  rpoSeconds: number;
  rto: string;
  rpo: string;
  terms: { rto: readonly ObjectiveTerm[]; rpo: readonly ObjectiveTerm[] };
  /** the Topology's figures with the cloud's parameters */
  cloud: { rtoSeconds: number; rpoSeconds: number };
  basis: string;
}

export function designedObjectives(plan: LocalPlan, st: LocalSiteState): Designed {
  const d = deriveObjectives(plan.mode, localParameters(st));
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    mode: plan.mode,
    rtoSeconds: round(d.rtoSeconds),
    rpoSeconds: round(d.rpoSeconds),
    rto: describeTerms(d.rto),
    rpo: describeTerms(d.rpo),
    terms: { rto: d.rto, rpo: d.rpo },
    cloud: { rtoSeconds: plan.topology.objectives.rtoSeconds, rpoSeconds: plan.topology.objectives.rpoSeconds },
    basis: "deriveObjectives with the local parameters",
  };
}
