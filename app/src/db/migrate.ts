import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as mysql from "mysql2/promise";
import type { Logger } from "../logger";
import { connectionOptions } from "./pool";

export const MIGRATIONS_DIR = path.resolve(__dirname, "../../migrations");
const LOCK_NAME = "feed_api_migrations";

export interface Migration {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

// The deployable bundle (infra/aws/app-bundle.ts) embeds the migration files at build time, so a
// release is one self-contained file; from source (tsx, tests) they are read from MIGRATIONS_DIR.
declare const __RESILIENT_FEED_MIGRATIONS__: Record<string, string> | undefined;

function migrationFiles(dir: string | undefined): Record<string, string> {
  if (dir === undefined && typeof __RESILIENT_FEED_MIGRATIONS__ !== "undefined") return __RESILIENT_FEED_MIGRATIONS__;
  const from = dir ?? MIGRATIONS_DIR;
  return Object.fromEntries(fs.readdirSync(from).map((f) => [f, fs.readFileSync(path.join(from, f), "utf8")]));
}

/** `NNN_name.sql` files in version order (from `dir`, else embedded in the bundle, else MIGRATIONS_DIR). */
export function loadMigrations(dir?: string): Migration[] {
  const files = migrationFiles(dir);
  return Object.keys(files)
    .filter((f) => /^\d+_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => {
      const sql = files[f];
      const [version, ...rest] = f.replace(/\.sql$/, "").split("_");
      return { version, name: rest.join("_"), sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

/**
 * Applies the pending migrations on the primary, in order, each recorded in `schema_migrations`.
 * Idempotent. Instances starting at once serialize on GET_LOCK: the second waits, then finds
 * everything applied. An applied file whose content changed is an error (never edit a migration).
 */
export async function migrate(primaryUrl: string, opts: { dir?: string; logger?: Logger; lockTimeoutSeconds?: number; tls?: { ca?: string } | null } = {}): Promise<string[]> {
  const migrations = loadMigrations(opts.dir);
  const conn = await mysql.createConnection({
    ...connectionOptions(primaryUrl, opts.tls ?? null),
    multipleStatements: true,
    connectTimeout: 5000,
  });
  const applied: string[] = [];
  try {
    const [lockRows] = await conn.query("SELECT GET_LOCK(?, ?) AS got", [LOCK_NAME, opts.lockTimeoutSeconds ?? 60]);
    if ((lockRows as Array<{ got: number | null }>)[0].got !== 1) throw new Error(`migrations: could not get lock ${LOCK_NAME}`);
    try {
      await conn.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version VARCHAR(32) NOT NULL PRIMARY KEY,
        name VARCHAR(200) NOT NULL,
        checksum CHAR(64) NOT NULL,
        applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
      ) ENGINE=InnoDB`);
      const [rows] = await conn.query("SELECT version, checksum FROM schema_migrations");
      const done = new Map((rows as Array<{ version: string; checksum: string }>).map((r) => [r.version, r.checksum]));
      for (const m of migrations) {
        const prev = done.get(m.version);
        if (prev !== undefined) {
          if (prev !== m.checksum) throw new Error(`migration ${m.version}_${m.name} was changed after it was applied (checksum mismatch)`);
          continue;
        }
        opts.logger?.info({ version: m.version, name: m.name }, "applying migration");
        await conn.query(m.sql);
        await conn.query("INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)", [m.version, m.name, m.checksum]);
        applied.push(m.version);
      }
    } finally {
      await conn.query("SELECT RELEASE_LOCK(?)", [LOCK_NAME]).catch(() => undefined);
    }
  } finally {
    await conn.end().catch(() => undefined);
  }
  return applied;
}
