import * as fs from "node:fs";
import * as path from "node:path";
import { DbInstance } from "./db-instance";
import { dumpTo } from "./replication";
import { readState, type Backup } from "./state";

// Scheduled logical backups of whichever instance is the writer (mariadb-dump, consistent with
// --single-transaction, GTID position recorded). The backup-restore mode restores the standby
// site from the latest one, so its RPO is bounded by the interval.

export const backupDir = (dir: string) => path.join(dir, "backups");
const KEEP = 5;

/** Backups on disk, oldest first. File names carry the time and the GTID position. */
export function listBackups(dir: string): Backup[] {
  const d = backupDir(dir);
  if (!fs.existsSync(d)) return [];
  return fs
    .readdirSync(d)
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .map((f) => {
      const [at, gtid] = f.replace(/\.sql$/, "").split("__");
      return { file: path.join(d, f), at: at.replace(/_/g, ":"), gtid: (gtid ?? "").replace(/_/g, ",") };
    });
}

export async function takeBackup(dir: string): Promise<Backup | undefined> {
  const st = readState(dir);
  const w = st && Object.values(st.dbs).find((d) => d.role === "writer");
  if (!st || !w) return undefined;
  const db = new DbInstance(w, dir);
  if (!(await db.answers())) return undefined;
  fs.mkdirSync(backupDir(dir), { recursive: true });
  const tmp = path.join(backupDir(dir), `.current-${process.pid}.dump`);
  const gtid = await dumpTo(db, st.cred, tmp);
  const at = new Date().toISOString();
  const file = path.join(backupDir(dir), `${at.replace(/:/g, "_")}__${gtid.replace(/,/g, "_")}.sql`);
  fs.renameSync(tmp, file);
  for (const old of listBackups(dir).slice(0, -KEEP)) fs.rmSync(old.file, { force: true });
  return { file, at, gtid };
}

/** Runs takeBackup every intervalSeconds; a failed run is logged and the schedule goes on. */
export function scheduleBackups(dir: string, intervalSeconds: number, log: (l: string) => void): () => void {
  let running = false;
  const t = setInterval(() => {
    if (running) return;
    running = true;
    takeBackup(dir)
      .catch((e) => log(`backup failed: ${(e as Error).message}`))
      .finally(() => (running = false));
  }, intervalSeconds * 1000);
  return () => clearInterval(t);
}
