import { projectConfigFrom } from "../../infra/config/load";
import { parseProjectConfig } from "../../infra/config/parse";
import { readStackConfig } from "../../infra/config/stack-file";
import { buildTopology } from "../../infra/topology/build";
import { todayUtc } from "../../infra/clock";
import type { DatabaseRole, DrMode, SiteKey, Topology } from "../../infra/topology/types";

// What the local site runs, read off the same Topology the clouds use: roles, capacity and
// replication come from it; the only local decision is scaling API counts down to fit a laptop.

/** At most this many API processes per site (a 2-core laptop runs both sites). */
export const MAX_LOCAL_APIS = 2;

export interface LocalSitePlan {
  key: SiteKey;
  siteId: number;
  database: DatabaseRole;
  /** writer with Multi-AZ: an in-site semi-sync standby */
  inSiteStandby: boolean;
  /** writer with in-region read replicas: one local read replica */
  readReplica: boolean;
  /** load balancer provisioned (even at 0 instances: pilot-light) */
  lb: boolean;
  apis: number;
  redis: boolean;
  worker: boolean;
  /** how the global edge treats this site: active, backup (failover), none (not routed / fenced) */
  edge: "active" | "backup" | "none";
}

export interface LocalPlan {
  stack: string;
  mode: DrMode;
  writerSite: SiteKey;
  sites: LocalSitePlan[];
  topology: Topology;
}

export function loadTopology(stack: string, overrides: { mode?: string; activeSite?: string } = {}): Topology {
  const raw = projectConfigFrom(readStackConfig(stack));
  const dr = { ...((raw.dr as Record<string, unknown> | undefined) ?? {}) };
  if (overrides.mode !== undefined) dr.mode = overrides.mode;
  if (overrides.activeSite !== undefined) dr.activeSite = overrides.activeSite;
  // backup-restore failed over: the cloud restores the RDS snapshot dr.restoreFromSnapshot names;
  // the local site restores its own newest backup (failover.ts), so when the stack names no
  // snapshot, the key gets a stand-in ARN that says so (the local site never reads it)
  const secondaryRegion = (raw.sites as { secondary?: { region?: unknown } } | undefined)?.secondary?.region;
  if (dr.mode === "backup-restore" && dr.activeSite === "secondary" && dr.restoreFromSnapshot === undefined && typeof secondaryRegion === "string") {
    dr.restoreFromSnapshot = localRecoveryPoint(secondaryRegion);
  }
  return buildTopology(parseProjectConfig({ ...raw, dr }), todayUtc());
}

/** The stand-in for dr.restoreFromSnapshot on the local site: its newest local backup. */
export function localRecoveryPoint(region: string): string {
  return `arn:aws:rds:${region}:000000000000:snapshot:local-site-newest-backup`;
}

export function localPlan(stack: string, topology: Topology): LocalPlan {
  const routing = topology.edge.routing;
  const sites = topology.sites.map((s): LocalSitePlan => {
    const writer = s.database.role === "writer";
    const fenced = s.database.role === "fenced";
    const apis = fenced || !s.api.provisioned ? 0 : Math.min(Math.max(s.api.desired, writer ? 1 : 0), MAX_LOCAL_APIS);
    let edge: LocalSitePlan["edge"] = "none";
    if (!fenced && s.api.provisioned) {
      if (writer || routing === "latency" || routing === "geo") edge = "active";
      else if (routing === "failover") edge = "backup";
    }
    return {
      key: s.key,
      siteId: s.siteId,
      database: s.database.role,
      inSiteStandby: writer && s.database.multiAz,
      readReplica: writer && s.database.readReplicas > 0,
      lb: !fenced && s.api.provisioned,
      apis,
      redis: !fenced && s.cache.enabled,
      worker: apis > 0 && s.cache.enabled,
      edge,
    };
  });
  return { stack, mode: topology.mode, writerSite: topology.writerSite, sites, topology };
}
