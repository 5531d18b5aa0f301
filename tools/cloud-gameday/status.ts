import * as fs from "node:fs";
import * as path from "node:path";
import { replicaLagLine, type MetricsClient } from "./aws-lookups";
import { getPath, projectConfig } from "./config-paths";
import { fencedOf } from "./runner";
import type { GamedayWorkspace, StateResource } from "./workspace";

// `status`: the stack's DR state from its outputs (what the last `up` applied) beside its config
// (what the next `up` applies), the newest game-day report, and the standby replica's lag from
// CloudWatch when credentials allow (else one line saying why not). The replica's identifier is
// in the stack's state (no output names it): the `<site>-db[-gN]` RDS instance that replicates.

export interface LagSource {
  /** CloudWatch in a region; undefined: `why` says what is missing */
  readonly client?: (region: string) => MetricsClient;
  readonly why?: string;
  readonly now?: Date;
}

export async function printStatus(ws: GamedayWorkspace, reportDir: string, print: (line: string) => void, lag: LagSource = {}): Promise<number> {
  const out = await ws.outputs();
  const cfg = projectConfig(await ws.getAllConfig());
  const objectives = out.recoveryObjectives as { rtoSeconds?: number; rpoSeconds?: number } | undefined;
  print(`stack ${ws.stackName}`);
  print(`  deployed: mode ${String(out.drMode ?? "?")}, active ${String(out.activeSite ?? "?")}${out.fencedSite ? `, ${String(out.fencedSite)} fenced` : ""}; designed RTO ${objectives?.rtoSeconds ?? "?"} s, RPO ${objectives?.rpoSeconds ?? "?"} s`);
  const fenced = fencedOf(cfg);
  print(`  config:   mode ${String(getPath(cfg, "dr.mode") ?? "backup-restore")}, active ${String(getPath(cfg, "dr.activeSite") ?? "primary")}${fenced ? `, ${fenced} fenced` : ""}${getPath(cfg, "dr.releaseProtection") ? `, protection released on ${String(getPath(cfg, "dr.releaseProtection"))}` : ""}`);
  const reports = fs.existsSync(reportDir) ? fs.readdirSync(reportDir).filter((f) => /^gameday-cloud-.*\.md$/.test(f)).sort((a, b) => fs.statSync(path.join(reportDir, b)).mtimeMs - fs.statSync(path.join(reportDir, a)).mtimeMs) : [];
  print(`  last game day: ${reports[0] ? path.join(reportDir, reports[0]) : "none in " + reportDir}`);
  const standby = ["primary", "secondary"].find((s) => s !== String(out.activeSite ?? "primary") && s !== out.fencedSite);
  const region = standby ? getPath(out, `sites.${standby}.region`) ?? getPath(cfg, `sites.${standby}.region`) : undefined;
  if (!standby || typeof region !== "string") {
    print("  replica lag: no standby site");
    return 0;
  }
  let identifier: string | undefined;
  let stateWhy: string | undefined;
  try {
    identifier = ws.resources ? standbyReplica(await ws.resources(), standby) : undefined;
    if (!ws.resources) stateWhy = "the stack's state cannot be read here";
  } catch (e) {
    stateWhy = `the stack's state could not be read (${String((e as Error).message ?? e).split("\n")[0]})`;
  }
  print(stateWhy
    ? `  replica lag of the ${standby} (${region}): not read: ${stateWhy}`
    : await replicaLagLine(lag.client?.(region), standby, region, identifier, lag.why ?? "no AWS client", lag.now));
  return 0;
}

/** The standby's replica in the state: site.ts names it `<site>-db` (`-g<N>` from generation 1); it has a replication source. */
export function standbyReplica(resources: readonly StateResource[], site: string): string | undefined {
  const name = new RegExp(`::${site}-db(-g\\d+)?$`);
  const replicas = resources.filter((r) => r.type === "aws:rds/instance:Instance" && name.test(r.urn) && r.outputs?.replicateSourceDb && typeof r.outputs.identifier === "string");
  return replicas.length ? String(replicas[replicas.length - 1].outputs!.identifier) : undefined;
}
