import { DR_MODES, type DrMode } from "./vocabulary";

// The DR-mode matrix (docs/architecture.md), in one place: what the standby site runs in each
// mode. A leaf fact, because the config rules need it (which modes replicate) as much as the
// topology does; the capacities and objectives built from it stay in infra/topology/dr-matrix.ts.

export interface StandbyShape {
  /** ALB + launch template exist in the standby */
  readonly apiProvisioned: boolean;
  /** "full": the configured size; "warm": min 1 desired 1; "zero": 0 instances */
  readonly apiSize: "full" | "warm" | "zero";
  readonly database: "replica" | "none";
  readonly cache: "full" | "single-node" | "none";
  readonly servesTraffic: boolean;
}

export const STANDBY_SHAPE: Readonly<Record<DrMode, StandbyShape>> = {
  "backup-restore": { apiProvisioned: false, apiSize: "zero", database: "none", cache: "none", servesTraffic: false },
  "pilot-light": { apiProvisioned: true, apiSize: "zero", database: "replica", cache: "none", servesTraffic: false },
  "warm-standby": { apiProvisioned: true, apiSize: "warm", database: "replica", cache: "single-node", servesTraffic: false },
  "active-active": { apiProvisioned: true, apiSize: "full", database: "replica", cache: "full", servesTraffic: true },
};

/** Modes that keep a live copy of the data in the standby site (they need a replication path). */
export const REPLICATING_MODES: readonly DrMode[] = DR_MODES.filter((m) => STANDBY_SHAPE[m].database === "replica");
