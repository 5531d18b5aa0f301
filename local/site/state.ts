import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../infra/config/stack-file";
import type { DrMode, SiteKey } from "../../infra/topology/types";
import type { DbInstanceRecord } from "./db-instance";
import type { DbCredentials } from "./replication";

// The state folder the local site owns (.local-site/, git-ignored; LOCAL_SITE_DIR overrides it):
// state.json records every port, every process id and every role, so `npm stop`, `npm run gameday`
// and a second `npm start` act on exactly what was started.

export type DbRole = "writer" | "standby" | "reader" | "replica" | "stopped";

export interface DbState extends DbInstanceRecord {
  site: SiteKey;
  role: DbRole;
  /** the instance it replicates from */
  source?: string;
}

export interface SiteRuntime {
  lbPort: number;
  dbWriterPort: number;
  dbReaderPort: number;
  redisPort: number;
  apiPorts: number[];
  proxyPid?: number;
  redisPid?: number;
  workerPid?: number;
  /** slot index → pid (undefined: slot empty) */
  apiPids: Array<number | undefined>;
  /** the DB_PRIMARY_REMOTE each running API was started with */
  apiRemote: Array<boolean | undefined>;
  fenced: boolean;
}

export interface Backup {
  file: string;
  at: string;
  gtid: string;
}

export interface LocalSiteState {
  version: 1;
  stack: string;
  mode: DrMode;
  activeSite: SiteKey;
  /**
   * healthy only while the edge answered /readyz when it was written; a drill sets "drill" while
   * it runs and, after it, "healthy" or "degraded" by what /readyz answers then
   */
  status: "starting" | "healthy" | "drill" | "degraded" | "stopping";
  /** the game day that runs a drill now (status "drill") */
  drill?: { pid: number; scenario: string; since: string };
  supervisorPid: number;
  edgePort: number;
  edgePid?: number;
  sessionSecret: string;
  cred: DbCredentials;
  dbs: Record<string, DbState>;
  sites: Record<SiteKey, SiteRuntime>;
  backups: Backup[];
  backupIntervalSeconds: number;
  /** measured at start: seconds from spawning an API process to its /healthz answering */
  apiBootSeconds?: number;
  seeded?: { password: string; handles: string[] };
}

/** A state being acted on: every process started is saved into it at once (save), before any wait. */
export interface StateHandle {
  readonly dir: string;
  readonly st: LocalSiteState;
  save(): void;
}

export function stateDir(): string {
  return path.resolve(process.env.LOCAL_SITE_DIR ?? path.join(PROJECT_ROOT, ".local-site"));
}

export const stateFile = (dir: string) => path.join(dir, "state.json");

export function readState(dir: string): LocalSiteState | undefined {
  try {
    return JSON.parse(fs.readFileSync(stateFile(dir), "utf8")) as LocalSiteState;
  } catch {
    return undefined;
  }
}

/** Written atomically (rename), so a reader never sees half a file. */
export function writeState(dir: string, s: LocalSiteState): void {
  const tmp = `${stateFile(dir)}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(s, null, 2));
  fs.renameSync(tmp, stateFile(dir));
}

export const secret = (bytes = 18) => crypto.randomBytes(bytes).toString("base64url");

/** Every process id recorded in a state (supervisor first). */
export function recordedPids(s: LocalSiteState): number[] {
  const pids = [s.supervisorPid, s.edgePid];
  for (const db of Object.values(s.dbs)) pids.push(db.pid);
  for (const site of Object.values(s.sites)) pids.push(site.proxyPid, site.redisPid, site.workerPid, ...site.apiPids);
  return pids.filter((p): p is number => typeof p === "number" && p > 0);
}
