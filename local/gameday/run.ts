import * as crypto from "node:crypto";
import * as os from "node:os";
import type { DrMode } from "../../infra/topology/types";
import { listBackups } from "../site/backups";
import { designedObjectives, localParameters } from "../site/objectives";
import { alive, sleep } from "../site/proc";
import { drillInProgress, Refusal, reuseConflict } from "../site/reuse";
import { LocalSite } from "../site/site";
import { readState } from "../site/state";
import { clearState, healthyState, startDetached, stopRecorded } from "../site/supervisor";
import { ALL_CHAIN, runDrill, type DrillResult, type Scenario } from "./drills";
import { heartbeat } from "./heartbeat";
import { Load } from "./load";
import { drillRefusal, siteFacts } from "./preconditions";
import { writeReport, type GamedayReport } from "./report";

// A game day against the local site (one is started, and stopped afterwards, when none runs).
// A drill that does not apply to the site's state is refused before anything happens; a drill
// that does not recover ends the chain. While a drill runs the state says "drill"; after it,
// "healthy" only when the edge answers /readyz.

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
  /** seconds of silence before a "… still waiting" line (default 5) */
  heartbeatSeconds?: number;
}

export async function runGameday(o: GamedayOptions): Promise<{ report: GamedayReport; files: { json: string; md: string } }> {
  const beat = heartbeat(o.progress, (o.heartbeatSeconds ?? 5) * 1000);
  try {
    return await gameday(o, beat);
  } finally {
    beat.stop();
  }
}

async function gameday(o: GamedayOptions, beat: ReturnType<typeof heartbeat>): Promise<{ report: GamedayReport; files: { json: string; md: string } }> {
  const progress = beat.progress;
  const running = readState(o.dir);
  const busy = running && alive(running.supervisorPid) ? drillInProgress(running) : undefined;
  if (busy) throw new Refusal(busy);
  let started = false;
  if (!(await healthyState(o.dir))) {
    // a site that never failed over has nothing to fail back
    if (o.scenario === "failback") throw new Refusal("failback: no healthy local site runs, and a fresh one has no lost site to fail back to: run lose-site first");
    if (running) progress(`the local site in ${o.dir} is not healthy (status ${running.status}): replacing it`);
    await stopRecorded(o.dir);
    clearState(o.dir);
    progress(`no local site runs: starting one (mode ${o.mode ?? "from the stack"})`);
    beat.phase("starting the local site");
    started = true;
    await startDetached(o.dir, { stack: "prod", mode: o.mode, backupIntervalSeconds: o.backupIntervalSeconds ?? 30 }, (l) => progress(`  ${l}`));
  }
  try {
    const site = new LocalSite(o.dir, readState(o.dir)!, progress);
    const conflict = reuseConflict(site.st, { mode: o.mode });
    if (conflict) throw new Refusal(conflict);
    const refused = drillRefusal(o.scenario, siteFacts(site), o.switchTo);
    if (refused) throw new Refusal(refused);
    return await drive(o, site, beat);
  } finally {
    if (started) {
      await stopRecorded(o.dir);
      clearState(o.dir);
    }
  }
}

async function drive(o: GamedayOptions, site: LocalSite, beat: ReturnType<typeof heartbeat>): Promise<{ report: GamedayReport; files: { json: string; md: string } }> {
  const progress = beat.progress;
  const designed = designedObjectives(site.plan, site.st);
  // markers in the posts: unique per run, whatever the report is called
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
  let notRun: Scenario[] = [];
  try {
    for (const [i, scenario] of chain.entries()) {
      const refused = drillRefusal(scenario, siteFacts(site), o.switchTo);
      if (refused) {
        progress(`✘ ${refused}`);
        notRun = chain.slice(i);
        break;
      }
      if (scenario === "lose-site" && site.plan.sites.every((s) => s.key === site.st.activeSite || s.database !== "replica")) {
        // backup-restore: the restore needs a scheduled backup to exist
        beat.phase("waiting for the first scheduled backup");
        const until = Date.now() + (site.st.backupIntervalSeconds + 20) * 1000;
        while (listBackups(o.dir).length === 0 && Date.now() < until) await sleep(500);
      }
      progress(`▶ ${scenario}`);
      const d = await drill(scenario, site, { load, runId, lostBefore, o, beat });
      drills.push(d);
      progress(`  ${scenario}: ${drillLine(d)}`);
      if (!d.recovered) {
        notRun = chain.slice(i + 1);
        if (notRun.length) progress(`✘ ${scenario} did not recover: ${notRun.join(", ")} not run`);
        break;
      }
    }
  } finally {
    await load.stop();
  }
  const report: GamedayReport = {
    runId, scenario: o.scenario, startedAt, finishedAt: new Date().toISOString(), stack: site.st.stack,
    host: { cpus: os.cpus().length, loadAverage: os.loadavg(), note: "Measured on a machine shared with other work: timings include CPU contention." },
    load: { clients: load.opts.clients, ratePerClient: load.opts.ratePerClient, writeShare: load.opts.writeShare, requests: load.samples.length },
    designed, localParameters: localParameters(site.st), drills, notRun,
  };
  return { report, files: writeReport(o.reportDir, report) };
}

/** One drill with the state saying so while it runs, and saying what /readyz answers after it. */
async function drill(scenario: Scenario, site: LocalSite, c: { load: Load; runId: string; lostBefore: Set<string>; o: GamedayOptions; beat: ReturnType<typeof heartbeat> }): Promise<DrillResult> {
  site.st.status = "drill";
  site.st.drill = { pid: process.pid, scenario, since: new Date().toISOString() };
  site.save();
  let recovered = false;
  try {
    const d = await runDrill(scenario, {
      site, load: c.load, runId: c.runId, progress: (l) => c.beat.progress(`  ${l}`), phase: c.beat.phase,
      tailSeconds: c.o.tailSeconds, lostBefore: c.lostBefore, switchTo: c.o.switchTo,
    });
    recovered = d.recovered;
    return d;
  } finally {
    // /readyz of a standby-routed edge does not check the writer: a drill that failed or did not
    // recover leaves the site degraded whatever the edge answers
    site.st.status = recovered && (await site.edgeReady()) ? "healthy" : "degraded";
    site.st.drill = undefined;
    site.save();
  }
}

const fmt = (n: number | null) => (n === null ? "–" : `${n.toFixed(2)} s`);

/** The progress line after a drill. */
export function drillLine(d: DrillResult): string {
  const m = d.measure;
  return (
    `${d.recovered ? "recovered" : "NOT recovered"}; detect ${fmt(d.detectSeconds)}, RTO first success ${fmt(m.rtoFirstSuccessSeconds)}, error-free ${fmt(m.rtoErrorFreeSeconds)}` +
    `${m.failedOperations.length ? ` (on ${m.failedOperations.join(", ")})` : ""}, ${m.errors} errors of ${m.requests} requests, acknowledged writes lost ${d.lostWrites}`
  );
}
