import * as fs from "node:fs";
import { SITE_READINESS_PATH } from "../../infra/topology/health";
import type { SiteKey } from "../../infra/topology/types";
import { freePort } from "../services/ports";
import * as C from "./components";
import { DbInstance } from "./db-instance";
import { loadTopology, localPlan, type LocalPlan } from "./plan";
import { alive, httpStatus, stopGroup } from "./proc";
import { attachReplica, createAccounts, openForWrites } from "./replication";
import { seedDemo } from "./seed";
import { recordedPids, secret, writeState, type DbState, type LocalSiteState, type StateHandle } from "./state";

// The running local site: brings the Topology's processes up, keeps them matching a plan
// (reconcile), and tears everything down. Failover steps live in failover.ts.

export type Progress = (line: string) => void;

export const SERVER_IDS: Record<string, number> = { "primary-a": 11, "primary-b": 12, "primary-r": 13, "secondary-a": 21, "secondary-b": 22, "secondary-r": 23 };

export async function timed<T>(progress: Progress, what: string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  const r = await fn();
  progress(`  ✔ ${what.padEnd(46)} ${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s`);
  return r;
}

export class LocalSite implements StateHandle {
  plan: LocalPlan;
  constructor(readonly dir: string, public st: LocalSiteState, readonly progress: Progress) {
    this.plan = localPlan(st.stack, loadTopology(st.stack, { mode: st.mode, activeSite: st.activeSite }));
  }

  save(): void {
    writeState(this.dir, this.st);
  }

  db(name: string): DbInstance {
    return new DbInstance(this.st.dbs[name], this.dir, () => this.save());
  }
  dbsWith(role: DbState["role"], site?: SiteKey): DbInstance[] {
    return Object.values(this.st.dbs).filter((d) => d.role === role && (!site || d.site === site)).map((d) => this.db(d.name));
  }
  writer(): DbInstance {
    const w = this.dbsWith("writer")[0];
    if (!w) throw new Error("no writer database");
    return w;
  }
  standby(): DbInstance | undefined {
    return this.dbsWith("standby")[0];
  }
  /** Where a site's read endpoint points: its read replica, else its cross-site replica, else the writer. */
  readerFor(site: SiteKey): DbInstance {
    return this.dbsWith("reader", site)[0] ?? this.dbsWith("replica", site)[0] ?? this.dbsWith("writer", site)[0] ?? this.writer();
  }
  siteId(site: SiteKey): number {
    return this.plan.topology.sites.find((s) => s.key === site)?.siteId ?? (site === "primary" ? 1 : 2);
  }
  setPlan(mode: LocalSiteState["mode"], activeSite: SiteKey): void {
    this.plan = localPlan(this.st.stack, loadTopology(this.st.stack, { mode, activeSite }));
    this.st.mode = mode;
    this.st.activeSite = activeSite;
  }

  /** A new site: ports, databases and replication, processes, edge, demo data. */
  static async create(dir: string, opts: { stack: string; mode?: string; activeSite?: string; backupIntervalSeconds: number }, progress: Progress): Promise<LocalSite> {
    const topology = loadTopology(opts.stack, { mode: opts.mode, activeSite: opts.activeSite });
    const ports = async (n: number) => {
      const out: number[] = [];
      while (out.length < n) {
        const p = await freePort();
        if (!out.includes(p)) out.push(p);
      }
      return out;
    };
    const all = await ports(1 + 6 * 2 + 6);
    const dbPorts = all.slice(13);
    const dbs: Record<string, DbState> = {};
    Object.keys(SERVER_IDS).forEach((name, i) => {
      dbs[name] = { name, site: name.startsWith("primary") ? "primary" : "secondary", port: dbPorts[i], serverId: SERVER_IDS[name], role: "stopped" };
    });
    const st: LocalSiteState = {
      version: 1, stack: opts.stack, mode: topology.mode, activeSite: topology.writerSite, status: "starting", supervisorPid: process.pid,
      edgePort: all[0], sessionSecret: secret(24),
      cred: { database: "feed", appUser: "feed_app", appPassword: secret(), replPassword: secret() },
      dbs, sites: { primary: C.siteRuntime(all.slice(1, 7)), secondary: C.siteRuntime(all.slice(7, 13)) },
      backups: [], backupIntervalSeconds: opts.backupIntervalSeconds,
    };
    fs.mkdirSync(dir, { recursive: true });
    const site = new LocalSite(dir, st, progress);
    site.save();
    await site.bringUp();
    return site;
  }

  private async bringUp(): Promise<void> {
    const { st, progress } = this;
    const w = this.plan.writerSite;
    await timed(progress, "MariaDB system tables (once)", async () => DbInstance.template(this.dir));
    const roles: Array<[string, DbState["role"]]> = [[`${w}-a`, "writer"]];
    for (const s of this.plan.sites) {
      if (s.inSiteStandby) roles.push([`${s.key}-b`, "standby"]);
      if (s.readReplica) roles.push([`${s.key}-r`, "reader"]);
      if (s.database === "replica") roles.push([`${s.key}-a`, "replica"]);
    }
    await Promise.all(roles.map(([name, role]) => timed(progress, `MariaDB ${name} (${role}) :${st.dbs[name].port}`, () => this.db(name).start({ fresh: true }))));
    const writer = this.db(`${w}-a`);
    await createAccounts(writer, st.cred, true);
    await openForWrites(writer);
    st.dbs[writer.name].role = "writer";
    for (const [name, role] of roles.slice(1)) {
      const label = role === "standby" ? "semi-sync standby (AFTER_SYNC)" : role === "reader" ? "read replica" : "cross-site async GTID replica";
      await timed(progress, `replication ${name} ← ${writer.name}: ${label}`, async () => {
        await this.db(name).query(`SET GLOBAL gtid_slave_pos = ''`);
        await attachReplica(this.db(name), writer, st.cred, { semiSync: role === "standby" });
        st.dbs[name].role = role;
        st.dbs[name].source = writer.name;
      });
    }
    this.save();
    await this.reconcile();
    const base = `http://127.0.0.1:${st.edgePort}`;
    st.seeded = await timed(progress, "demo data (12 users, follows, posts)", () => seedDemo(base));
    st.status = "healthy";
    this.save();
  }

  /** Makes the processes match the plan: proxies, Redis, API slots (rolling), workers, edge. */
  async reconcile(): Promise<void> {
    const { st, progress } = this;
    // the writer site first: its APIs apply the migrations
    const order = [...this.plan.sites].sort((a, b) => (a.key === this.plan.writerSite ? -1 : b.key === this.plan.writerSite ? 1 : 0));
    // first take out of the edge what the new plan stops routing to (or demotes to backup), among
    // the sites that run now, so nothing is routed to an API while it stops (a live mode switch)
    await this.applyEdge((key) => this.st.sites[key].apiPids.some((p) => alive(p)));
    for (const s of order) {
      const rt = st.sites[s.key];
      if (rt.fenced) continue; // static stability: nothing in a fenced site is touched
      const needsProxy = s.lb || s.apis > 0;
      if (needsProxy && !alive(rt.proxyPid)) {
        await timed(progress, `HAProxy ${s.key}: LB :${rt.lbPort}, DB endpoint :${rt.dbWriterPort}/:${rt.dbReaderPort}`, () =>
          C.startSiteProxy(this, s.key, { writer: this.writer().port, reader: this.readerFor(s.key).port }),
        );
      }
      if (s.redis && !alive(rt.redisPid)) await timed(progress, `Redis ${s.key} :${rt.redisPort}`, () => C.startRedis(this, s.key));
      await this.reconcileApis(s.key, s.apis);
      if (s.worker && !alive(rt.workerPid)) await timed(progress, `fan-out worker ${s.key}`, () => C.startWorker(this, s.key, this.siteId(s.key)));
      if (!s.worker && rt.workerPid) (await stopGroup(rt.workerPid), (rt.workerPid = undefined));
      if (!s.redis && rt.redisPid) (await stopGroup(rt.redisPid), (rt.redisPid = undefined));
      if (!needsProxy && rt.proxyPid) (await stopGroup(rt.proxyPid), (rt.proxyPid = undefined));
      this.save();
    }
    await this.applyEdge();
  }

  /**
   * API slots: missing ones start first, then ones started with a stale DB_PRIMARY_REMOTE are
   * replaced one at a time (the others keep serving), then surplus ones stop.
   */
  private async reconcileApis(key: SiteKey, want: number): Promise<void> {
    const { st, progress } = this;
    const rt = st.sites[key];
    const remote = st.activeSite !== key;
    const start = async (slot: number) => {
      const secs = await timed(progress, `API ${key}#${slot + 1} :${rt.apiPorts[slot]}${remote ? " (DB_PRIMARY_REMOTE)" : ""}`, () => C.startApi(this, key, this.siteId(key), slot));
      st.apiBootSeconds = Math.max(st.apiBootSeconds ?? 0, secs);
      this.save();
    };
    for (let slot = 0; slot < want; slot++) if (!alive(rt.apiPids[slot])) await start(slot);
    for (let slot = 0; slot < want; slot++) {
      if (rt.apiRemote[slot] === remote) continue;
      await C.stopApi(this, key, slot);
      await start(slot);
    }
    for (let slot = want; slot < rt.apiPorts.length; slot++) if (rt.apiPids[slot]) await C.stopApi(this, key, slot);
    this.save();
  }

  /** Routes the edge per the plan (never to a fenced site), limited to the sites `only` admits. */
  async applyEdge(only: (key: SiteKey) => boolean = () => true): Promise<void> {
    const sites = this.plan.sites.filter((s) => s.edge !== "none" && !this.st.sites[s.key].fenced && only(s.key)).map((s) => ({ key: s.key, lbPort: this.st.sites[s.key].lbPort, backup: s.edge === "backup" }));
    await timed(this.progress, `edge :${this.st.edgePort} → ${sites.map((s) => `${s.key}${s.backup ? " (backup)" : ""}`).join(", ") || "nothing"}`, () => C.startEdge(this, sites));
    this.save();
  }

  /** The edge answers /readyz (some routed site is ready). */
  async edgeReady(): Promise<boolean> {
    return (await httpStatus(this.st.edgePort, SITE_READINESS_PATH)) === 200;
  }

  /** Stops every recorded process (APIs and edge first, databases last) and keeps the data. */
  async stop(): Promise<void> {
    const st = this.st;
    st.status = "stopping";
    this.save();
    const group = (pids: Array<number | undefined>) => Promise.all(pids.filter((p): p is number => !!p && p !== process.pid).map((p) => stopGroup(p, 15_000)));
    await group([st.edgePid]);
    await group(Object.values(st.sites).flatMap((s) => [...s.apiPids, s.workerPid]));
    await group(Object.values(st.sites).flatMap((s) => [s.proxyPid, s.redisPid]));
    await group(Object.values(st.dbs).map((d) => d.pid));
    const left = recordedPids(st).filter((p) => p !== process.pid && alive(p));
    if (left.length) throw new Error(`processes still running after stop: ${left.join(", ")}`);
  }
}
