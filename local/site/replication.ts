import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import { promisify } from "node:util";
import type { DbInstance } from "./db-instance";
import { sleep, waitFor } from "./proc";

// MariaDB replication of the local site: accounts, GTID replicas (async, or the semi-sync in-site
// standby), promotion that first applies the relay log, re-pointing with GTID auto-positioning,
// re-seeding from a logical dump, and the dumps themselves (scheduled backups).

export interface DbCredentials {
  database: string;
  appUser: string;
  appPassword: string;
  replPassword: string;
}

const run = promisify(execFile);

/** Replication account, application database and account. binlog=false keeps them out of the binary log. */
export async function createAccounts(db: DbInstance, cred: DbCredentials, binlog: boolean): Promise<void> {
  const c = await db.conn();
  try {
    if (!binlog) await c.query(`SET SESSION sql_log_bin = 0`);
    await c.query(`CREATE USER IF NOT EXISTS 'repl'@'127.0.0.1' IDENTIFIED BY ?`, [cred.replPassword]);
    await c.query(`GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1'`);
    await c.query(`CREATE DATABASE IF NOT EXISTS \`${cred.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await c.query(`CREATE USER IF NOT EXISTS ?@'127.0.0.1' IDENTIFIED BY ?`, [cred.appUser, cred.appPassword]);
    await c.query(`GRANT ALL PRIVILEGES ON \`${cred.database}\`.* TO ?@'127.0.0.1'`, [cred.appUser]);
    // the app's replica lag check (SHOW SLAVE STATUS)
    await c.query(`GRANT SLAVE MONITOR, BINLOG MONITOR ON *.* TO ?@'127.0.0.1'`, [cred.appUser]);
  } finally {
    await c.end();
  }
}

/**
 * Makes `replica` replicate from `source` with GTID auto-positioning (from its gtid_slave_pos).
 * semiSync: it acknowledges the writer's commits (AFTER_SYNC), and the writer waits for it.
 */
export async function attachReplica(replica: DbInstance, source: DbInstance, cred: DbCredentials, opts: { semiSync: boolean }): Promise<void> {
  await replica.query(`STOP SLAVE`);
  await replica.query(`SET GLOBAL rpl_semi_sync_slave_enabled = ${opts.semiSync ? "ON" : "OFF"}`);
  // a demoted writer (failback) still waits for a standby's ack on every commit it binlogs, its
  // applied events included: with its standby gone its SQL thread would block for the 1 h timeout
  await replica.query(`SET GLOBAL rpl_semi_sync_master_enabled = OFF`);
  await replica.query(`SET GLOBAL read_only = ON`);
  await replica.query(
    `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${source.port}, MASTER_USER='repl', MASTER_PASSWORD=?, MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1, MASTER_HEARTBEAT_PERIOD=1`,
    [cred.replPassword],
  );
  await replica.query(`START SLAVE`);
  if (opts.semiSync) {
    await source.query(`SET GLOBAL rpl_semi_sync_master_enabled = ON`);
    await waitSemiSyncOn(source, 30_000);
  }
}

/** Rpl_semi_sync_master_status=ON with a connected semi-sync client: acknowledged means on the standby too. */
export async function semiSyncOn(writer: DbInstance): Promise<boolean> {
  try {
    return (await writer.status("Rpl_semi_sync_master_status")) === "ON" && Number(await writer.status("Rpl_semi_sync_master_clients")) >= 1;
  } catch {
    return false;
  }
}

export const waitSemiSyncOn = (writer: DbInstance, timeoutMs: number) => waitFor(`semi-sync on ${writer.name}`, () => semiSyncOn(writer), timeoutMs, 100);

/** Waits until the replica has applied everything the source has written so far. */
export async function waitCaughtUp(replica: DbInstance, source: DbInstance, timeoutMs = 30_000): Promise<void> {
  const pos = await source.variable("gtid_binlog_pos");
  const [r] = await replica.query<{ r: number }>(`SELECT MASTER_GTID_WAIT(?, ?) AS r`, [pos, timeoutMs / 1000]);
  if (Number(r.r) !== 0) throw new Error(`${replica.name} did not reach ${source.name}'s GTID ${pos} within ${timeoutMs / 1000} s`);
}

export interface Promotion {
  /** the GTID set the replica had received when promoted (all of it applied) */
  received: string;
  applyWaitMs: number;
}

/**
 * Promotes a replica to a writer, still read-only (the caller opens it once the other replicas are
 * re-pointed). Waits until the relay log is applied first: promoting at once drops acknowledged
 * writes that were received but not yet applied, even with semi-sync.
 */
export async function promote(db: DbInstance, timeoutMs = 30_000): Promise<Promotion> {
  const t0 = Date.now();
  await db.query(`STOP SLAVE IO_THREAD`);
  const st = (await db.slaveStatus()) ?? {};
  const received = String(st.Gtid_IO_Pos ?? "");
  if (received !== "") {
    const [r] = await db.query<{ r: number }>(`SELECT MASTER_GTID_WAIT(?, ?) AS r`, [received, timeoutMs / 1000]);
    if (Number(r.r) !== 0) throw new Error(`${db.name}: relay log not applied within ${timeoutMs / 1000} s (received ${received})`);
  }
  await db.query(`STOP SLAVE`);
  await db.query(`RESET SLAVE ALL`);
  await db.query(`SET GLOBAL rpl_semi_sync_slave_enabled = OFF`);
  return { received, applyWaitMs: Date.now() - t0 };
}

export async function openForWrites(db: DbInstance): Promise<void> {
  await db.query(`SET GLOBAL read_only = OFF`);
}

/**
 * Re-points a replica at a new writer with GTID auto-positioning. When the replica has events the
 * new writer never got (sent by the dead writer before the standby had them: never acknowledged),
 * it continues from the writer's position instead of failing; those events are counted.
 */
export async function repoint(replica: DbInstance, writer: DbInstance, cred: DbCredentials): Promise<{ onlyOnReplica: number }> {
  await replica.query(`STOP SLAVE`);
  const mine = parseGtids(await replica.variable("gtid_slave_pos"));
  const theirs = parseGtids(await writer.variable("gtid_binlog_pos"));
  let onlyOnReplica = 0;
  for (const [domain, seq] of mine) onlyOnReplica += Math.max(0, seq - (theirs.get(domain) ?? 0));
  if (onlyOnReplica > 0) await replica.query(`SET GLOBAL gtid_slave_pos = ?`, [await writer.variable("gtid_binlog_pos")]);
  await attachReplica(replica, writer, cred, { semiSync: false });
  return { onlyOnReplica };
}

/** domain → highest seq_no, from a GTID list like "0-11-42,1-21-7". */
export function parseGtids(list: string): Map<number, number> {
  const m = new Map<number, number>();
  for (const g of list.split(",").map((s) => s.trim()).filter(Boolean)) {
    const [d, , seq] = g.split("-").map(Number);
    m.set(d, Math.max(m.get(d) ?? 0, seq));
  }
  return m;
}

/** A consistent logical dump of the application database; returns the GTID position it is at. */
export async function dumpTo(writer: DbInstance, cred: DbCredentials, file: string): Promise<string> {
  const tmp = `${file}.partial`;
  await run("mariadb-dump", [`--socket=${writer.socket}`, "-uroot", "--single-transaction", "--gtid", "--master-data=2", `--result-file=${tmp}`, "--databases", cred.database], { maxBuffer: 1 << 20 });
  // the position is printed at the end of the dump (deferred)
  const gtid = /^-- SET GLOBAL gtid_slave_pos='([^']*)'/m.exec(fs.readFileSync(tmp, "utf8"))?.[1];
  if (gtid === undefined) throw new Error(`no GTID position in the dump of ${writer.name}`);
  fs.renameSync(tmp, file);
  return gtid;
}

/** Loads a dump into an instance without binary-logging it, and records the dump's GTID position. */
export async function loadDump(db: DbInstance, file: string, gtid: string, asWriter: boolean): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const p = spawn("mariadb", [`--socket=${db.socket}`, "-uroot", "--init-command=SET SESSION sql_log_bin=0"], { stdio: ["pipe", "ignore", "pipe"] });
    let err = "";
    p.stderr.on("data", (d) => (err += d));
    p.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`loading ${file} into ${db.name}: ${err.trim()}`))));
    fs.createReadStream(file).pipe(p.stdin);
  });
  await db.query(`RESET MASTER`);
  if (asWriter) {
    // its own writes continue the sequence after the dump's position
    if (gtid) await db.query(`SET GLOBAL gtid_binlog_state = ?`, [gtid]);
  } else {
    await db.query(`SET GLOBAL gtid_slave_pos = ?`, [gtid]);
  }
}

/** A fresh instance seeded from a dump of `writer`, then replicating from it. */
export async function reseed(db: DbInstance, writer: DbInstance, cred: DbCredentials, opts: { semiSync: boolean; dumpFile: string }): Promise<void> {
  await db.stop();
  await db.start({ fresh: true });
  await createAccounts(db, cred, false);
  const gtid = await dumpTo(writer, cred, opts.dumpFile);
  try {
    await loadDump(db, opts.dumpFile, gtid, false);
  } finally {
    fs.rmSync(opts.dumpFile, { force: true });
  }
  await attachReplica(db, writer, cred, opts);
  await sleep(0);
}
