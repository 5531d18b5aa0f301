import type { DrMode, SiteKey } from "../../infra/topology/types";
import { serverStats } from "../services/haproxy";
import { portOpen } from "../services/ports";
import * as C from "../site/components";
import * as F from "../site/failover";
import { sleep, stopGroup } from "../site/proc";
import { semiSyncOn } from "../site/replication";
import type { LocalSite } from "../site/site";
import type { Load } from "./load";
import { failed, lostWrites, measureWindow, type WindowMeasure } from "./measure";

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
  return waitUntil(async () => {
    const now = ctx.load.now();
    const recent = ctx.load.samples.filter((s) => s.t0 >= now - 2000);
    return recent.length >= 4 && !recent.some(failed);
  }, timeoutMs, 250);
}

async function markersOnWriter(ctx: DrillContext): Promise<Set<string>> {
  const rows = await ctx.site.writer().query<{ text: string }>(`SELECT text FROM \`${ctx.site.st.cred.database}\`.posts WHERE text LIKE ?`, [`gd-${ctx.runId}-%`]);
  return new Set(rows.map((r) => r.text.split(" ")[0]));
}

export async function runDrill(scenario: Scenario, ctx: DrillContext): Promise<DrillResult> {
  const { site, load, progress } = ctx;
  const st = site.st;
  const writerSiteBefore = st.activeSite;
  const notes: string[] = [];
  const startedAt = new Date().toISOString();
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
      await C.stopApi(st, active, 0, "SIGKILL");
      site.save();
      await waitUntil(async () => ((await serverStats(C.proxySocket(site.dir, active)).catch(() => [])).find((s) => s.server === "api1")?.status ?? "").startsWith("DOWN"), 30_000);
      detected();
      progress("detected: the site load balancer marked it DOWN; replacing the instance");
      await C.startApi(site.dir, st, active, site.siteId(active), 0);
      break;
    }
    case "lose-cache": {
      progress(`fault: SIGKILL Redis ${active} (pid ${rt.redisPid})`);
      await stopGroup(rt.redisPid!, 0, "SIGKILL");
      rt.redisPid = undefined;
      site.save();
      await waitUntil(async () => !(await portOpen(rt.redisPort, 300)), 10_000);
      detected();
      progress("detected: Redis unreachable; starting a replacement node (empty)");
      await C.startRedis(site.dir, st, active);
      break;
    }
    case "kill-db-primary": {
      const w = site.writer();
      progress(`fault: SIGKILL MariaDB writer ${w.name} (pid ${st.dbs[w.name].pid})`);
      await w.kill();
      let misses = 0;
      await waitUntil(async () => ((await w.answers(300)) ? (misses = 0) : ++misses) >= 2, 30_000, 200);
      detected();
      progress("detected: the writer does not answer; promoting the in-site semi-sync standby");
      const r = await F.inSiteFailover(site);
      onlyOnReplicas = r.onlyOnReplicas;
      notes.push(`promotion waited ${r.promotion.applyWaitMs} ms for the relay log (received ${r.promotion.received})`);
      break;
    }
    case "lose-site": {
      progress(`fault: every process of site ${active} killed`);
      await F.killSite(site, active);
      await waitUntil(edgeDown(ctx, active), 30_000);
      detected();
      progress(`detected: the edge marked ${active} DOWN; failing over (fence, promote, scale, route)`);
      fencedSite = active;
      fencedAt = load.now();
      const r = await F.siteFailover(site, active);
      if (r.restoredFrom) notes.push(`restored from ${r.restoredFrom.split("/").pop()} (backups every ${st.backupIntervalSeconds} s)`);
      if (r.promotion) notes.push(`promotion waited ${r.promotion.applyWaitMs} ms for the relay log`);
      break;
    }
    case "switch-mode": {
      const to = ctx.switchTo;
      if (!to) throw new Error("switch-mode needs --to <mode>");
      progress(`switching mode ${st.mode} → ${to} under load`);
      await F.switchMode(site, to);
      break;
    }
    case "failback": {
      progress(`failback: re-seeding ${active === "primary" ? "secondary" : "primary"} from ${site.writer().name}, then switching back`);
      const r = await F.failback(site);
      notes.push(`writes frozen for ${r.writeFreezeMs} ms during the switchover`);
      break;
    }
  }
  const recoveryActionsSeconds = (load.now() - fault) / 1000;
  const recovered = await settled(ctx);
  if (!recovered) notes.push("NOT recovered: errors went on for 60 s after the recovery actions");
  await sleep(ctx.tailSeconds * 1000);
  const end = load.now();
  const present = await markersOnWriter(ctx);
  const ackedSoFar = new Map([...load.acked].filter(([, id]) => id));
  const lost = lostWrites(ackedSoFar, present).filter((m) => !ctx.lostBefore.has(m));
  lost.forEach((m) => ctx.lostBefore.add(m));
  const fencedAnswers = fencedSite ? load.samples.filter((s) => s.t0 > fencedAt && s.site === fencedSite).length : 0;
  // redundancy back for the next drill (not part of the measured window)
  if (scenario === "kill-db-primary" || scenario === "lose-site") await F.restoreRedundancy(site);
  return {
    scenario, mode: st.mode, writerSiteBefore, writerSiteAfter: st.activeSite, startedAt, semiSyncBeforeFault,
    detectSeconds: detectAt === null ? null : Math.round((detectAt - fault) / 10) / 100,
    recovered,
    recoveryActionsSeconds: Math.round(recoveryActionsSeconds * 100) / 100,
    measure: measureWindow(load.samples, fault, end),
    writesAcknowledgedSoFar: ackedSoFar.size, lostWrites: lost.length, lostMarkers: lost.slice(0, 20), onlyOnReplicas, fencedAnswers, notes,
  };
}
