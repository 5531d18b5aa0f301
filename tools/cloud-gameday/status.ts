import * as fs from "node:fs";
import * as path from "node:path";
import { getPath, projectConfig } from "./config-paths";
import { fencedOf } from "./runner";
import type { GamedayWorkspace } from "./workspace";

// `status`: the stack's DR state from its outputs (what the last `up` applied) beside its config
// (what the next `up` applies), and the newest game-day report. The standby's replica lag is not
// read here (no AWS SDK in this project): the line says how to read it.

export async function printStatus(ws: GamedayWorkspace, reportDir: string, print: (line: string) => void): Promise<number> {
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
  const region = standby ? getPath(cfg, `sites.${standby}.region`) : undefined;
  print(standby && region
    ? `  replica lag of the ${standby}: not read by this runner; aws cloudwatch get-metric-statistics --region ${String(region)} --namespace AWS/RDS --metric-name ReplicaLag --dimensions Name=DBInstanceIdentifier,Value=<the ${standby}'s replica> --statistics Maximum --period 60 --start-time <5 min ago> --end-time <now>`
    : "  replica lag: no standby site");
  return 0;
}
