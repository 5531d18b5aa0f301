import * as path from "node:path";
import type { DrMode, SiteKey } from "../../infra/topology/types";
import { listBackups } from "./backups";
import * as C from "./components";
import type { DbInstance } from "./db-instance";
import { stopGroup } from "./proc";
import * as R from "./replication";
import { timed, type LocalSite } from "./site";

// The recovery mechanisms the drills exercise, as the clouds do them: in-site database failover
// (RDS Multi-AZ), cross-site promotion with fencing (`dr.activeSite: secondary`), restore from the
// latest backup (backup-restore), live mode switches, failback, and restoring redundancy.

const other = (s: SiteKey): SiteKey => (s === "primary" ? "secondary" : "primary");

/** Promotes `next` (relay log applied first), re-points every other live replica, opens it, re-points the endpoints. */
export async function promoteAndRepoint(site: LocalSite, next: DbInstance): Promise<{ promotion: R.Promotion; onlyOnReplicas: number }> {
  const { st } = site;
  const promotion = await R.promote(next);
  let onlyOnReplicas = 0;
  for (const d of Object.values(st.dbs)) {
    if (d.name === next.name || (d.role !== "reader" && d.role !== "replica" && d.role !== "standby")) continue;
    const r = site.db(d.name);
    if (!(await r.answers())) continue;
    onlyOnReplicas += (await R.repoint(r, next, st.cred)).onlyOnReplica;
    d.source = next.name;
    if (d.role === "standby") d.role = "reader"; // it acknowledges nothing for the new writer
  }
  await R.openForWrites(next);
  for (const d of Object.values(st.dbs)) if (d.role === "writer") d.role = "stopped";
  st.dbs[next.name].role = "writer";
  st.dbs[next.name].source = undefined;
  await repointEndpoints(site);
  site.save();
  return { promotion, onlyOnReplicas };
}

/** Every live site proxy's writer endpoint → the writer, reader endpoint → the site's reader. */
export async function repointEndpoints(site: LocalSite): Promise<void> {
  for (const key of ["primary", "secondary"] as SiteKey[]) {
    const rt = site.st.sites[key];
    if (rt.fenced || !rt.proxyPid) continue;
    await C.pointEndpoint(site.dir, key, "db_writer", site.writer().port).catch(() => undefined);
    await C.pointEndpoint(site.dir, key, "db_reader", site.readerFor(key).port).catch(() => undefined);
  }
}

/** kill-db-primary's recovery: the in-site semi-sync standby takes over. */
export async function inSiteFailover(site: LocalSite): Promise<{ promotion: R.Promotion; onlyOnReplicas: number }> {
  const standby = site.standby();
  if (!standby) throw new Error("no in-site standby to promote");
  return promoteAndRepoint(site, standby);
}

/** The writer site gets back what its plan asks for: a semi-sync standby and a read replica, seeded from the writer. */
export async function restoreRedundancy(site: LocalSite): Promise<void> {
  const { st, progress } = site;
  const writer = site.writer();
  const w = st.dbs[writer.name].site;
  const plan = site.plan.sites.find((s) => s.key === w)!;
  const dump = (n: string) => path.join(site.dir, `reseed-${n}.sql`);
  if (plan.inSiteStandby && !site.dbsWith("standby", w).length) {
    const name = [`${w}-a`, `${w}-b`].find((n) => n !== writer.name)!;
    await timed(progress, `re-seed ${name} as semi-sync standby of ${writer.name}`, () => R.reseed(site.db(name), writer, st.cred, { semiSync: true, dumpFile: dump(name) }));
    Object.assign(st.dbs[name], { role: "standby", source: writer.name });
  }
  if (plan.readReplica && !site.dbsWith("reader", w).some((r) => r.name === `${w}-r`)) {
    const name = `${w}-r`;
    await timed(progress, `re-seed ${name} as read replica of ${writer.name}`, () => R.reseed(site.db(name), writer, st.cred, { semiSync: false, dumpFile: dump(name) }));
    Object.assign(st.dbs[name], { role: "reader", source: writer.name });
  }
  // a promoted standby that serves reads only while the read replica was missing goes back to standby duty
  for (const r of site.dbsWith("reader", w)) if (r.name !== `${w}-r` && r.running) (await r.stop(), (st.dbs[r.name].role = "stopped"));
  site.save();
  await repointEndpoints(site);
}

/** Everything of a site killed at once (the drill's regional outage); the site is then fenced. */
export async function killSite(site: LocalSite, key: SiteKey): Promise<void> {
  const { st } = site;
  const rt = st.sites[key];
  const pids = [rt.proxyPid, rt.redisPid, rt.workerPid, ...rt.apiPids, ...Object.values(st.dbs).filter((d) => d.site === key).map((d) => d.pid)];
  await Promise.all(pids.filter((p): p is number => !!p).map((p) => stopGroup(p, 0, "SIGKILL")));
  Object.assign(rt, { proxyPid: undefined, redisPid: undefined, workerPid: undefined, apiPids: [undefined, undefined], apiRemote: [undefined, undefined] });
  for (const d of Object.values(st.dbs)) if (d.site === key) Object.assign(d, { role: "stopped", pid: undefined, source: undefined });
  site.save();
}

/**
 * lose-site's recovery, the steps `dr.activeSite: <other>` makes: fence the lost site (the edge
 * drops it), promote the other site's replica, or restore it from the latest backup in
 * backup-restore, bring its tiers to full size, and route the edge to it.
 */
export async function siteFailover(site: LocalSite, lost: SiteKey): Promise<{ restoredFrom?: string; promotion?: R.Promotion }> {
  const { st, progress } = site;
  const target = other(lost);
  st.sites[lost].fenced = true;
  site.save();
  await site.applyEdge(); // fence first: nothing may route to the lost site any more
  const db = site.db(`${target}-a`);
  let out: { restoredFrom?: string; promotion?: R.Promotion } = {};
  if (st.dbs[db.name].role === "replica") {
    const promotion = await timed(progress, `promote ${db.name} (relay log applied first)`, () => R.promote(db));
    await R.openForWrites(db);
    out = { promotion };
  } else {
    const latest = listBackups(site.dir).at(-1);
    if (!latest) throw new Error("no backup to restore from");
    await timed(progress, `restore ${db.name} from ${path.basename(latest.file)}`, async () => {
      await db.stop();
      await db.start({ fresh: true });
      site.save(); // its process id, before anything else can fail
      await R.createAccounts(db, st.cred, false);
      await R.loadDump(db, latest.file, latest.gtid, true);
      await R.openForWrites(db);
    });
    out = { restoredFrom: latest.file };
  }
  for (const d of Object.values(st.dbs)) if (d.role === "writer") d.role = "stopped";
  Object.assign(st.dbs[db.name], { role: "writer", source: undefined });
  site.setPlan(st.mode, target);
  site.save();
  await repointEndpoints(site);
  await site.reconcile();
  return out;
}

/** Live switch to another DR mode: the standby site's replica and tiers follow the new plan. */
export async function switchMode(site: LocalSite, to: DrMode): Promise<void> {
  const { st, progress } = site;
  site.setPlan(to, st.activeSite);
  const standbyPlan = site.plan.sites.find((s) => s.key !== st.activeSite)!;
  const replicaName = `${standbyPlan.key}-a`;
  if (standbyPlan.database === "replica" && st.dbs[replicaName].role !== "replica") {
    await timed(progress, `seed ${replicaName} as cross-site replica`, () => R.reseed(site.db(replicaName), site.writer(), st.cred, { semiSync: false, dumpFile: path.join(site.dir, `reseed-${replicaName}.sql`) }));
    Object.assign(st.dbs[replicaName], { role: "replica", source: site.writer().name });
  }
  if (standbyPlan.database === "none") {
    for (const d of Object.values(st.dbs)) if (d.site === standbyPlan.key && d.role !== "stopped") (await site.db(d.name).stop(), Object.assign(d, { role: "stopped", source: undefined }));
  }
  site.save();
  await site.reconcile();
  await repointEndpoints(site);
}

/**
 * failback: the fenced site is re-seeded as a replica of the current writer, catches up, and takes
 * the writes back in a planned switchover (the current writer goes read-only first, so nothing
 * acknowledged is left behind); then the old writer becomes its cross-site replica.
 */
export async function failback(site: LocalSite): Promise<{ writeFreezeMs: number }> {
  const { st, progress } = site;
  const current = site.writer();
  const back = st.dbs[current.name].site === "primary" ? "secondary" : "primary";
  const fresh = site.db(`${back}-a`);
  st.sites[back].fenced = false;
  await timed(progress, `re-seed ${fresh.name} as replica of ${current.name}`, () => R.reseed(fresh, current, st.cred, { semiSync: false, dumpFile: path.join(site.dir, `reseed-${fresh.name}.sql`) }));
  Object.assign(st.dbs[fresh.name], { role: "replica", source: current.name });
  site.save();
  await R.waitCaughtUp(fresh, current);
  const t0 = Date.now();
  await current.query(`SET GLOBAL read_only = ON`);
  await R.waitCaughtUp(fresh, current, 10_000);
  const pos = await current.variable("gtid_binlog_pos");
  await R.promote(fresh);
  await R.openForWrites(fresh);
  Object.assign(st.dbs[fresh.name], { role: "writer", source: undefined });
  Object.assign(st.dbs[current.name], { role: "replica", source: fresh.name });
  for (const d of Object.values(st.dbs)) if (d.site !== back && d.name !== current.name && d.role !== "stopped") (await site.db(d.name).stop(), Object.assign(d, { role: "stopped", source: undefined }));
  await repointEndpoints(site);
  const writeFreezeMs = Date.now() - t0;
  await current.query(`SET GLOBAL gtid_slave_pos = ?`, [pos]);
  await R.attachReplica(current, fresh, st.cred, { semiSync: false });
  site.setPlan(st.mode, back);
  site.save();
  await site.reconcile();
  await restoreRedundancy(site);
  return { writeFreezeMs };
}
