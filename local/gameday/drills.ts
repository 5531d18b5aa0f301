import type { DrMode, SiteKey } from "../../infra/topology/types";
import { serverStats } from "../services/haproxy";
import { portOpen } from "../services/ports";
import * as C from "../site/components";
import * as F from "../site/failover";
import { sleep, stopGroup } from "../site/proc";
import { semiSyncOn } from "../site/replication";
import type { LocalSite } from "../site/site";
import type { Load } from "./load";
import { failed, lostWindow, lostWrites, measureWindow, type WindowMeasure } from "./measure";

// The drills: inject a fault under load, detect it as the platform would (health checks, a
// database monitor), run the recovery the architecture prescribes, and measure what users saw.

export const SCENARIOS = ["kill-api-instance", "kill-db-primary", "lose-cache", "lose-site", "switch-mode", "failback"] as const;
export type Scenario = (typeof SCENARIOS)[number];
export const ALL_CHAIN: Scenario[] = ["kill-api-instance", "lose-cache", "kill-db-primary", "lose-site", "failback"];

export interface DrillContext {
  site: LocalSite;
  load: Load;
  runId: string;
  progress: (line: string) => void;
  /** what the drill waits for now: repeated every few seconds while nothing else is printed */
  phase: (what: string | (() => string)) => void;
  /** seconds of load observed after recovery */
  tailSeconds: number;
  /** markers found missing by earlier drills of this run */
  lostBefore: Set<string>;
  switchTo?: DrMode;
}

export interface DrillResult {
  scenario: Scenario;
  mode: DrMode;
  writerSiteBefore: SiteKey;
  writerSiteAfter: SiteKey;
  startedAt: string;
  semiSyncBeforeFault: boolean | null;
  /** null for planned changes (switch-mode, failback): nothing to detect */
  detectSeconds: number | null;
  recoveryActionsSeconds: number;
  /** two seconds of error-free answers were seen after the recovery actions */
  recovered: boolean;
  measure: WindowMeasure;
  writesAcknowledgedSoFar: number;
  lostWrites: number;
  lostMarkers: string[];
  /** age at the fault of the oldest lost acknowledged write (0: none lost before the fault) */
  rpoSeconds: number;
  /** lost writes acknowledged after the fault */
  lostAfterFault: number;
  /** events the re-pointed replicas had that the new writer never got (never acknowledged) */
  onlyOnReplicas?: number;
  /** answers from a fenced site after it was fenced (must be 0) */
  fencedAnswers: number;
  notes: string[];
}

const edgeDown = (ctx: DrillContext, key: SiteKey) => async () => {
  const stats = await serverStats(C.edgeSocket(ctx.site.dir)).catch(() => []);
  const s = stats.find((x) => x.backend === "sites" && x.server === key);
  return !s || s.status.startsWith("DOWN") || s.status.startsWith("MAINT");
};

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await sleep(everyMs);
  }
  return false;
}

/** Recovered: two seconds of answers, every one a success (or the timeout). */
async function settled(ctx: DrillContext, timeoutMs = 60_000): Promise<boolean> {
  const recent = () => ctx.load.samples.filter((s) => s.t0 >= ctx.load.now() - 2000);
  ctx.phase(() => {
    const r = recent();
    return `waiting for 2 s of error-free answers (last 2 s: ${r.filter(failed).length} errors of ${r.length} requests; gives up after ${timeoutMs / 1000} s)`;
  });
  return waitUntil(async () => {
    const r = recent();
    return r.length >= 4 && !r.some(failed);
  }, timeoutMs, 250);
}

async function markersOnWriter(ctx: DrillContext): Promise<Set<string>> {
  const rows = await ctx.site.writer().query<{ text: string }>(`SELECT text FROM \`${ctx.site.st.cred.database}\`.posts WHERE text LIKE ?`, [`gd-${ctx.runId}-%`]);
  return new Set(rows.map((r) => r.text.split(" ")[0]));
}

export async function runDrill(scenario: Scenario, ctx: DrillContext): Promise<DrillResult> {
  const { site, load, progress, phase } = ctx;
  const st = site.st;
  const writerSiteBefore = st.activeSite;
  const notes: string[] = [];
  const startedAt = new Date().toISOString();
  phase("2 s of baseline load before the fault");
  await sleep(2000); // baseline load before the fault
  const sb = site.standby();
  const semiSyncBeforeFault = sb ? await semiSyncOn(site.writer()) : null;
  if (sb && !semiSyncBeforeFault) notes.push("semi-sync was NOT on before the fault");
  const fault = load.now();
  let detectAt: number | null = null;
  let onlyOnReplicas: number | undefined;
  let fencedSite: SiteKey | undefined;
  let fencedAt = 0;
  const detected = () => (detectAt = load.now());
  const active = st.activeSite;
  const rt = st.sites[active];

  switch (scenario) {
    case "kill-api-instance": {
      progress(`fault: SIGKILL API ${active}#1 (pid ${rt.apiPids[0]})`);
      await C.stopApi(site, active, 0, "SIGKILL");
      phase(`waiting for the ${active} load balancer to mark API #1 DOWN`);
      await waitUntil(async () => ((await serverStats(C.proxySocket(site.dir, active)).catch(() => [])).find((s) => s.server === "api1")?.status ?? "").startsWith("DOWN"), 30_000);
      detected();
      progress("detected: the site load balancer marked it DOWN; replacing the instance");
      phase(`waiting for the replacement API ${active}#1 to answer /healthz`);
      await C.startApi(site, active, site.siteId(active), 0);
      break;
    }
    case "lose-cache": {
      progress(`fault: SIGKILL Redis ${active} (pid ${rt.redisPid})`);
      await stopGroup(rt.redisPid!, 0, "SIGKILL");
      rt.redisPid = undefined;
      site.save();
      phase(`waiting for Redis ${active} to refuse connections`);
      await waitUntil(async () => !(await portOpen(rt.redisPort, 300)), 10_000);
      detected();
      progress("detected: Redis unreachable; starting a replacement node (empty)");
      await C.startRedis(site, active);
      break;
    }
    case "kill-db-primary": {
      const w = site.writer();
      progress(`fault: SIGKILL MariaDB writer ${w.name} (pid ${st.dbs[w.name].pid})`);
      await w.kill();
      phase(`probing the writer ${w.name} (2 failed probes = down)`);
      let misses = 0;
      await waitUntil(async () => ((await w.answers(300)) ? (misses = 0) : ++misses) >= 2, 30_000, 200);
      detected();
      progress("detected: the writer does not answer; promoting the in-site semi-sync standby");
      phase("promoting the standby and re-pointing the replicas");
      const r = await F.inSiteFailover(site);
      onlyOnReplicas = r.onlyOnReplicas;
      notes.push(`promotion waited ${r.promotion.applyWaitMs} ms for the relay log (received ${r.promotion.received})`);
      break;
    }
    case "lose-site": {
      progress(`fault: every process of site ${active} killed`);
      await F.killSite(site, active);
      phase(`waiting for the edge to mark ${active} DOWN`);
      await waitUntil(edgeDown(ctx, active), 30_000);
      detected();
      progress(`detected: the edge marked ${active} DOWN; failing over (fence, promote, scale, route)`);
      fencedSite = active;
      fencedAt = load.now();
      phase(`failing over to ${active === "primary" ? "secondary" : "primary"}`);
      const r = await F.siteFailover(site, active);
      if (r.restoredFrom) notes.push(`restored from ${r.restoredFrom.split("/").pop()} (backups every ${st.backupIntervalSeconds} s)`);
      if (r.promotion) notes.push(`promotion waited ${r.promotion.applyWaitMs} ms for the relay log`);
      break;
    }
    case "switch-mode": {
      const to = ctx.switchTo;
      if (!to) throw new Error("switch-mode needs --to <mode>");
      progress(`switching mode ${st.mode} → ${to} under load`);
      phase(`switching to ${to}`);
      await F.switchMode(site, to);
      break;
    }
    case "failback": {
      progress(`failback: re-seeding ${active === "primary" ? "secondary" : "primary"} from ${site.writer().name}, then switching back`);
      phase("failing back (re-seed, catch up, switch over)");
      const r = await F.failback(site);
      notes.push(`writes frozen for ${r.writeFreezeMs} ms during the switchover`);
      break;
    }
  }
  const recoveryActionsSeconds = (load.now() - fault) / 1000;
  const recovered = await settled(ctx);
  if (!recovered) {
    notes.push("NOT recovered: errors went on for 60 s after the recovery actions");
    progress(`✘ NOT recovered: errors went on for 60 s after the recovery actions`);
  }
  phase(`observing ${ctx.tailSeconds} s more of load`);
  await sleep(ctx.tailSeconds * 1000);
  phase("checking the acknowledged writes against the writer");
  const end = load.now();
  // a drill that did not recover may have no writer to ask: its report still gets written
  const present = await markersOnWriter(ctx).catch((e: Error) => {
    notes.push(`acknowledged writes not checked: the writer did not answer (${e.message})`);
    return undefined;
  });
  const ackedSoFar = new Map([...load.acked].filter(([, id]) => id));
  const lost = present ? lostWrites(ackedSoFar, present).filter((m) => !ctx.lostBefore.has(m)) : [];
  lost.forEach((m) => ctx.lostBefore.add(m));
  const window = lostWindow(load.samples, lost, fault);
  const fencedAnswers = fencedSite ? load.samples.filter((s) => s.t0 > fencedAt && s.site === fencedSite).length : 0;
  // redundancy back for the next drill (not part of the measured window)
  if (recovered && (scenario === "kill-db-primary" || scenario === "lose-site")) {
    phase("restoring redundancy (re-seeding the standby and the read replica)");
    await F.restoreRedundancy(site);
  }
  return {
    scenario, mode: st.mode, writerSiteBefore, writerSiteAfter: st.activeSite, startedAt, semiSyncBeforeFault,
    detectSeconds: detectAt === null ? null : Math.round((detectAt - fault) / 10) / 100,
    recovered,
    recoveryActionsSeconds: Math.round(recoveryActionsSeconds * 100) / 100,
    measure: measureWindow(load.samples, fault, end, detectAt === null ? "first failure" : "fault"),
    writesAcknowledgedSoFar: ackedSoFar.size, lostWrites: lost.length, lostMarkers: lost.slice(0, 20), rpoSeconds: window.rpoSeconds, lostAfterFault: window.lostAfterFault,
    onlyOnReplicas, fencedAnswers, notes,
  };
}
