import * as crypto from "node:crypto";
import * as os from "node:os";
import type { DrMode } from "../../infra/topology/types";
import { listBackups } from "../site/backups";
import { designedObjectives, localParameters } from "../site/objectives";
import { sleep } from "../site/proc";
import { LocalSite } from "../site/site";
import { readState } from "../site/state";
import { clearState, healthyState, startDetached, stopRecorded } from "../site/supervisor";
import { ALL_CHAIN, runDrill, type DrillResult, type Scenario } from "./drills";
import { Load } from "./load";
import { writeReport, type GamedayReport } from "./report";

// A game day against the local site (one is started, and stopped afterwards, when none runs).

export interface GamedayOptions {
  dir: string;
  scenario: Scenario | "all";
  mode?: DrMode;
  switchTo?: DrMode;
  tailSeconds: number;
  reportDir: string;
  clients?: number;
  ratePerClient?: number;
  backupIntervalSeconds?: number;
  progress: (line: string) => void;
}

export async function runGameday(o: GamedayOptions): Promise<{ report: GamedayReport; files: { json: string; md: string } }> {
  let started = false;
  if (!(await healthyState(o.dir))) {
    await stopRecorded(o.dir);
    clearState(o.dir);
    o.progress(`no local site runs: starting one (mode ${o.mode ?? "from the stack"})`);
    await startDetached(o.dir, { stack: "prod", mode: o.mode, backupIntervalSeconds: o.backupIntervalSeconds ?? 30 }, () => undefined);
    started = true;
  }
  try {
    const site = new LocalSite(o.dir, readState(o.dir)!, o.progress);
    if (o.mode && site.st.mode !== o.mode) throw new Error(`the running local site is in mode ${site.st.mode}, not ${o.mode}: npm stop first, or npm run gameday -- switch-mode --to ${o.mode}`);
    const designed = designedObjectives(site.plan, site.st);
    const runId = crypto.randomBytes(3).toString("hex");
    const load = new Load({
      base: `http://127.0.0.1:${site.st.edgePort}`, runId, users: site.st.seeded!.handles, password: site.st.seeded!.password,
      clients: o.clients ?? 6, ratePerClient: o.ratePerClient ?? 10, writeShare: 0.3,
    });
    const startedAt = new Date().toISOString();
    load.start();
    const drills: DrillResult[] = [];
    const lostBefore = new Set<string>();
    const chain: Scenario[] = o.scenario === "all" ? ALL_CHAIN : [o.scenario];
    try {
      for (const scenario of chain) {
        if (scenario === "lose-site" && site.plan.sites.every((s) => s.key === site.st.activeSite || s.database !== "replica")) {
          // backup-restore: the restore needs a scheduled backup to exist
          const until = Date.now() + (site.st.backupIntervalSeconds + 20) * 1000;
          while (listBackups(o.dir).length === 0 && Date.now() < until) await sleep(500);
        }
        o.progress(`▶ ${scenario}`);
        const d = await runDrill(scenario, { site, load, runId, progress: (l) => o.progress(`  ${l}`), tailSeconds: o.tailSeconds, lostBefore, switchTo: o.switchTo });
        drills.push(d);
        o.progress(
          `  ${scenario}: detect ${d.detectSeconds ?? "–"} s, RTO first success ${d.measure.rtoFirstSuccessSeconds} s, error-free ${d.measure.rtoErrorFreeSeconds} s, ` +
            `${d.measure.errors} errors of ${d.measure.requests} requests, acknowledged writes lost ${d.lostWrites}`,
        );
      }
    } finally {
      await load.stop();
    }
    const report: GamedayReport = {
      runId, startedAt, finishedAt: new Date().toISOString(), stack: site.st.stack,
      host: { cpus: os.cpus().length, loadAverage: os.loadavg(), note: "Measured on a machine shared with other work: timings include CPU contention." },
      load: { clients: load.opts.clients, ratePerClient: load.opts.ratePerClient, writeShare: load.opts.writeShare, requests: load.samples.length },
      designed, localParameters: localParameters(site.st), drills,
    };
    return { report, files: writeReport(o.reportDir, report) };
  } finally {
    if (started) {
      await stopRecorded(o.dir);
      clearState(o.dir);
    }
  }
}
