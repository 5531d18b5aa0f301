import * as fs from "node:fs";
import * as path from "node:path";
import * as mysql from "mysql2/promise";
import { installDataDir, MARIADBD, mariadbdArgs } from "../services/mariadb";
import { alive, spawnGroup, stopGroup, waitFor } from "./proc";
import { portOpen } from "../services/ports";

// One MariaDB instance of the local site: its data lives under the state folder, it runs in its
// own process group, and it is reached as root over its unix socket for administration.

export interface DbInstanceRecord {
  name: string;
  port: number;
  serverId: number;
  pid?: number;
}

/** Settings every instance gets; semi-sync is switched on per role with SET GLOBAL. */
const COMMON_ARGS = [
  "--relay-log=relay-bin", "--skip-slave-start", "--read-only=ON",
  "--rpl-semi-sync-master-wait-point=AFTER_SYNC",
  // High enough that the writer never silently falls back to async while a drill runs: a
  // commit waits for the standby's acknowledgement instead (1 h).
  "--rpl-semi-sync-master-timeout=3600000",
];

export class DbInstance {
  /** onSpawn: saves the state the moment the server's id is known (before waiting for it) */
  constructor(readonly rec: DbInstanceRecord, readonly stateDir: string, private readonly onSpawn: () => void = () => undefined) {}

  get name(): string {
    return this.rec.name;
  }
  get port(): number {
    return this.rec.port;
  }
  get dir(): string {
    return path.join(this.stateDir, "db", this.rec.name);
  }
  get socket(): string {
    return path.join(this.dir, "mysqld.sock");
  }
  get running(): boolean {
    return alive(this.rec.pid);
  }

  /** A system database shared by every fresh instance (mariadb-install-db runs once). */
  static template(stateDir: string): string {
    const dir = path.join(stateDir, "db", "template");
    if (!fs.existsSync(path.join(dir, "mysql"))) {
      fs.rmSync(dir, { recursive: true, force: true });
      installDataDir(dir);
    }
    return dir;
  }

  /** Starts it; fresh = wipe the data first (a new, empty server). */
  async start(opts: { fresh?: boolean } = {}): Promise<void> {
    const datadir = path.join(this.dir, "data");
    if (opts.fresh) fs.rmSync(this.dir, { recursive: true, force: true });
    if (!fs.existsSync(datadir)) {
      fs.mkdirSync(this.dir, { recursive: true });
      fs.cpSync(DbInstance.template(this.stateDir), datadir, { recursive: true });
    }
    const errLog = path.join(this.dir, "mariadbd.err");
    const args = mariadbdArgs({ dir: this.dir, datadir, socket: this.socket, port: this.port, serverId: this.rec.serverId, errLog, bufferPoolMb: 32, extra: COMMON_ARGS });
    const p = spawnGroup(MARIADBD, args, { siteDir: this.stateDir, logFile: path.join(this.dir, "stdout.log") });
    this.rec.pid = p.pid;
    this.onSpawn();
    let exited = false;
    void p.exited.then(() => (exited = true));
    await waitFor(`MariaDB ${this.name}`, async () => {
      if (exited) throw new Error(`MariaDB ${this.name} exited:\n${tail(errLog)}`);
      // administration goes over the socket, which can appear after the port opens
      return (await portOpen(this.port)) && fs.existsSync(this.socket);
    }, 60_000);
  }

  /** SIGKILL: the crash a drill injects. */
  async kill(): Promise<void> {
    if (this.rec.pid) await stopGroup(this.rec.pid, 0, "SIGKILL");
  }

  async stop(): Promise<void> {
    if (this.rec.pid) await stopGroup(this.rec.pid, 20_000);
  }

  async conn(timeoutMs = 2000): Promise<mysql.Connection> {
    return mysql.createConnection({ socketPath: this.socket, user: "root", password: "", multipleStatements: true, connectTimeout: timeoutMs });
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    const c = await this.conn();
    try {
      const [rows] = await c.query(sql, params);
      return rows as T[];
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  async variable(name: string): Promise<string> {
    const rows = await this.query<{ v: string | null }>(`SELECT @@GLOBAL.${name} AS v`);
    return String(rows[0]?.v ?? "");
  }

  async status(name: string): Promise<string> {
    const rows = await this.query<{ Value: string }>(`SHOW GLOBAL STATUS LIKE ?`, [name]);
    return rows[0]?.Value ?? "";
  }

  async slaveStatus(): Promise<Record<string, unknown> | undefined> {
    return (await this.query(`SHOW SLAVE STATUS`))[0];
  }

  /** Answers a query within timeoutMs. */
  async answers(timeoutMs = 1000): Promise<boolean> {
    if (!this.running) return false;
    try {
      const c = await this.conn(timeoutMs);
      try {
        await Promise.race([c.query("SELECT 1"), new Promise((_, rej) => setTimeout(() => rej(new Error("timeout")), timeoutMs))]);
        return true;
      } finally {
        c.destroy();
      }
    } catch {
      return false;
    }
  }
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, "utf8").slice(-1500);
  } catch {
    return "(no log)";
  }
}
