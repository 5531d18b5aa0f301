import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as mysql from "mysql2/promise";
import { freePort } from "./ports";
import { managed, type RunningService } from "./processes";

// Real MariaDB from the Debian packages, started on a free loopback port in a temp dir (tests,
// benchmarks). Nothing is mocked; everything is torn down by stop().
//
//   stop()     kill the process and remove its temp dir (teardown)
//   halt()     kill the process but keep the data dir and port (simulate an outage)
//   restart()  start it again after halt(), same port, same data

export interface MariaDbService extends RunningService {
  readonly socket: string;
  /** Root connection over the unix socket (no password). Caller ends it. */
  rootConnection(): Promise<mysql.Connection>;
}

export const MARIADBD = ["/usr/sbin/mariadbd", "/usr/bin/mariadbd"].find((p) => fs.existsSync(p)) ?? "mariadbd";
const INSTALL_DB = ["/usr/bin/mariadb-install-db", "/usr/sbin/mariadb-install-db", "/usr/bin/mysql_install_db"].find((p) => fs.existsSync(p)) ?? "mariadb-install-db";

/** A fresh system database (root without password) in datadir. */
export function installDataDir(datadir: string): void {
  try {
    execFileSync(INSTALL_DB, ["--no-defaults", `--datadir=${datadir}`, "--user=root", "--auth-root-authentication-method=normal", "--skip-test-db"], { stdio: "ignore" });
  } catch (e) {
    throw new Error(`mariadb-install-db failed (is mariadb-server installed? scripts/install-system-deps.sh): ${(e as Error).message}`);
  }
}

/** mariadbd arguments: no option files, loopback only, binary log with GTIDs (strict), row format. */
export function mariadbdArgs(o: { dir: string; datadir: string; socket: string; port: number; serverId: number; errLog: string; bufferPoolMb?: number; extra?: string[] }): string[] {
  return [
    "--no-defaults", `--datadir=${o.datadir}`, `--socket=${o.socket}`, `--pid-file=${path.join(o.dir, "mysqld.pid")}`,
    `--port=${o.port}`, "--bind-address=127.0.0.1", "--user=root", "--skip-name-resolve", `--server-id=${o.serverId}`,
    "--log-bin=mysql-bin", "--binlog-format=ROW", "--gtid-strict-mode=ON", "--log-slave-updates=ON",
    `--innodb-buffer-pool-size=${o.bufferPoolMb ?? 64}M`, "--innodb-flush-log-at-trx-commit=2", "--sync-binlog=0",
    "--max-connections=500", "--character-set-server=utf8mb4", "--collation-server=utf8mb4_unicode_ci",
    "--performance-schema=OFF", "--skip-log-error", `--log-error=${o.errLog}`,
    ...(o.extra ?? []),
  ];
}

export interface MariaDbOptions {
  serverId?: number;
  /** Extra mariadbd arguments. */
  args?: string[];
  bufferPoolMb?: number;
}

/** A MariaDB server (binary log + GTID on), root without password on 127.0.0.1 and the socket only. */
export async function startMariaDb(opts: MariaDbOptions = {}): Promise<MariaDbService> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rf-mariadb-"));
  const datadir = path.join(dir, "data");
  const socket = path.join(dir, "mysqld.sock");
  const errLog = path.join(dir, "mariadbd.err");
  try {
    installDataDir(datadir);
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const port = await freePort();
  const args = mariadbdArgs({ dir, datadir, socket, port, serverId: opts.serverId ?? 1, errLog, bufferPoolMb: opts.bufferPoolMb, extra: opts.args });
  const { svc, start } = managed("mariadbd", port, dir, () => spawn(MARIADBD, args, { stdio: "ignore" }), errLog);
  try {
    await start();
  } catch (e) {
    await svc.stop();
    throw e;
  }
  const db: MariaDbService = Object.assign(svc, {
    socket,
    rootConnection: () => mysql.createConnection({ socketPath: socket, user: "root", password: "", multipleStatements: true }),
  });
  return db;
}

export interface ReplicatedMariaDb {
  primary: MariaDbService;
  replica: MariaDbService;
  database: string;
  user: string;
  password: string;
  /** mysql://user:password@127.0.0.1:port/database */
  primaryUrl: string;
  replicaUrl: string;
  /** Wait until the replica has applied everything the primary has written so far. */
  waitForReplica(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A primary and a read-only replica with GTID replication (MASTER_USE_GTID=slave_pos) through a
 * dedicated replication user, an application database and an application user (no SUPER, so the
 * replica's read_only applies to it). Both on 127.0.0.1.
 */
export async function startReplicatedMariaDb(opts: { database?: string; user?: string; password?: string; bufferPoolMb?: number } = {}): Promise<ReplicatedMariaDb> {
  const database = opts.database ?? "feed";
  const user = opts.user ?? "feed_app";
  const password = opts.password ?? "feed-app-pw";
  const replPassword = "repl-pw-" + Math.random().toString(36).slice(2);
  const [primary, replica] = await Promise.all([
    startMariaDb({ serverId: 1, bufferPoolMb: opts.bufferPoolMb }),
    startMariaDb({ serverId: 2, bufferPoolMb: opts.bufferPoolMb, args: ["--read-only=ON", "--relay-log=relay-bin"] }),
  ]);
  try {
    const p = await primary.rootConnection();
    try {
      // Everything below is binlogged with GTIDs and reaches the replica from position 0.
      await p.query(`CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY ?`, [replPassword]);
      await p.query(`GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1'`);
      await p.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      await p.query(`CREATE USER ?@'127.0.0.1' IDENTIFIED BY ?`, [user, password]);
      await p.query(`GRANT ALL PRIVILEGES ON \`${database}\`.* TO ?@'127.0.0.1'`, [user]);
      // Lag check (SHOW SLAVE STATUS) on the replica.
      await p.query(`GRANT SLAVE MONITOR, BINLOG MONITOR ON *.* TO ?@'127.0.0.1'`, [user]);
    } finally {
      await p.end();
    }
    const r = await replica.rootConnection();
    try {
      await r.query(`SET GLOBAL gtid_slave_pos = ''`);
      await r.query(
        `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${primary.port}, MASTER_USER='repl', MASTER_PASSWORD=?, MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1`,
        [replPassword],
      );
      await r.query(`START SLAVE`);
    } finally {
      await r.end();
    }
    const waitForReplica = async (timeoutMs = 30_000) => {
      const pc = await primary.rootConnection();
      let pos: string;
      try {
        const [rows] = await pc.query(`SELECT @@GLOBAL.gtid_binlog_pos AS pos`);
        pos = (rows as Array<{ pos: string }>)[0].pos;
      } finally {
        await pc.end();
      }
      const rc = await replica.rootConnection();
      try {
        const [rows] = await rc.query(`SELECT MASTER_GTID_WAIT(?, ?) AS r`, [pos, timeoutMs / 1000]);
        const res = (rows as Array<{ r: number }>)[0].r;
        if (res !== 0) {
          const [st] = await rc.query(`SHOW SLAVE STATUS`);
          const s = (st as Array<Record<string, unknown>>)[0] ?? {};
          throw new Error(`replica did not reach GTID ${pos}: IO=${s.Slave_IO_Running} SQL=${s.Slave_SQL_Running} ${s.Last_IO_Error ?? ""} ${s.Last_SQL_Error ?? ""}`);
        }
      } finally {
        await rc.end();
      }
    };
    await waitForReplica();
    const url = (port: number) => `mysql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
    return {
      primary,
      replica,
      database,
      user,
      password,
      primaryUrl: url(primary.port),
      replicaUrl: url(replica.port),
      waitForReplica,
      stop: async () => {
        await Promise.all([replica.stop(), primary.stop()]);
      },
    };
  } catch (e) {
    await Promise.all([replica.stop(), primary.stop()]);
    throw e;
  }
}

