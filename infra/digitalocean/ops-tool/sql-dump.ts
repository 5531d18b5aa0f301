import * as readline from "node:readline";
import type { Readable, Writable } from "node:stream";
import type { Connection as CallbackConnection } from "mysql2";
import * as mysql from "mysql2/promise";

// A logical dump of one schema as plain SQL, one statement per line (so the ops runner can load it
// statement by statement, and so can the `mysql` client: the AWS runbook loads it into RDS that
// way). Run by the ops runner as doadmin; tested against a real MariaDB. Base tables only: the
// app's schema has no views, triggers or routines, and the dump refuses a schema that has any
// rather than leave them out silently.

/** The last line of a complete dump: a restore refuses a file without it (cut short). */
export const DUMP_END = "-- resilient-feed dump complete";
const HEADER = ["SET NAMES utf8mb4;", "SET FOREIGN_KEY_CHECKS=0;", "SET UNIQUE_CHECKS=0;"];
const FOOTER = ["SET UNIQUE_CHECKS=1;", "SET FOREIGN_KEY_CHECKS=1;", DUMP_END];
/** rows per INSERT, and the size at which an INSERT is cut earlier */
const BATCH_ROWS = 500;
const BATCH_BYTES = 1 << 20;

/**
 * Connection options a dump reads values with: JSON as its text (not a parsed object), dates as
 * written, big integers as strings: every value escapes back to what the server holds.
 */
export const DUMP_CONNECTION_OPTIONS: Partial<mysql.ConnectionOptions> = {
  dateStrings: true,
  supportBigNumbers: true,
  bigNumberStrings: true,
  typeCast: (field, next) => (field.type === "JSON" ? field.string("utf8") : next()),
};

const ident = (name: string) => `\`${name.replace(/`/g, "``")}\``;

/** CREATE TABLE on one line: newlines between clauses become spaces; one inside a literal is refused. */
export function oneLine(sql: string): string {
  let out = "";
  let quote: string | undefined;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (quote) {
      if (c === "\n") throw new Error(`dump: a newline inside a quoted literal of ${sql.slice(0, 60)}...`);
      if (c === "\\") { out += c + (sql[++i] ?? ""); continue; }
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"' || c === "`") quote = c;
    out += c === "\n" && !quote ? " " : c;
  }
  return out;
}

async function rows<T>(conn: mysql.Connection, sql: string, params: unknown[] = []): Promise<T[]> {
  const [r] = await conn.query(sql, params);
  return r as T[];
}

/**
 * Writes `database` to `out` from one consistent snapshot (a REPEATABLE READ transaction: InnoDB
 * serves it without locking writers). Returns the tables and rows written.
 */
export async function dumpDatabase(conn: mysql.Connection, database: string, out: Writable): Promise<{ tables: number; rows: number }> {
  const write = (line: string) => new Promise<void>((resolve, reject) => (out.write(`${line}\n`) ? resolve() : out.once("drain", resolve).once("error", reject)));
  const others = await rows<{ kind: string; name: string }>(conn, `SELECT 'view' AS kind, TABLE_NAME AS name FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?
    UNION ALL SELECT 'trigger', TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?
    UNION ALL SELECT 'routine', ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?`, [database, database, database]);
  if (others.length > 0) throw new Error(`dump: ${database} has ${others.map((o) => `${o.kind} ${o.name}`).join(", ")}, which this dump does not carry`);
  await conn.query("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
  await conn.query("START TRANSACTION WITH CONSISTENT SNAPSHOT");
  let total = 0;
  try {
    const tables = (await rows<{ name: string }>(conn, "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME", [database])).map((t) => t.name);
    for (const line of HEADER) await write(line);
    for (const table of tables) {
      const qualified = `${ident(database)}.${ident(table)}`;
      const [create] = await rows<Record<string, string>>(conn, `SHOW CREATE TABLE ${qualified}`);
      await write(`${oneLine(create["Create Table"])};`);
      // generated columns are computed by the server again on insert
      const columns = (await rows<{ name: string; extra: string }>(conn, "SELECT COLUMN_NAME AS name, EXTRA AS extra FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION", [database, table]))
        .filter((c) => !/GENERATED/i.test(c.extra)).map((c) => c.name);
      const insert = `INSERT INTO ${ident(table)} (${columns.map(ident).join(", ")}) VALUES `;
      let batch: string[] = [];
      let bytes = 0;
      const flush = async () => {
        if (batch.length === 0) return;
        await write(`${insert}${batch.join(",")};`);
        batch = [];
        bytes = 0;
      };
      // rows streamed from the callback connection under the promise wrapper (no buffering of a table)
      const stream = (conn as unknown as { connection: CallbackConnection }).connection.query({ sql: `SELECT ${columns.map(ident).join(", ")} FROM ${qualified}`, rowsAsArray: true }).stream();
      for await (const row of stream as AsyncIterable<mysql.SqlValue[]>) {
        const tuple = `(${row.map((v) => mysql.escape(v)).join(",")})`;
        batch.push(tuple);
        bytes += tuple.length;
        total++;
        if (batch.length >= BATCH_ROWS || bytes >= BATCH_BYTES) await flush();
      }
      await flush();
    }
    for (const line of FOOTER) await write(line);
    return { tables: tables.length, rows: total };
  } finally {
    await conn.query("COMMIT");
  }
}

/** A restore refused because the database holds data (already restored, or live). */
export class HoldsDataError extends Error {}

/** Reads the dump through once: true when its last line is DUMP_END (not cut short). */
async function isComplete(input: Readable): Promise<boolean> {
  let last = "";
  for await (const line of readline.createInterface({ input, crlfDelay: Infinity })) if (line.trim() !== "") last = line;
  return last === DUMP_END;
}

/**
 * The app's record of applied migrations (app/src/db/migrate.ts): the API droplets of a new site
 * migrate the new, empty cluster at boot, possibly before the runner restores, so its rows are
 * not data. The dump carries the old writer's copy.
 */
export const MIGRATIONS_TABLE = "schema_migrations";

/**
 * Loads a dump into `database`, which must hold no data: the app's migrations may already have
 * created its tables on the new cluster (empty but for MIGRATIONS_TABLE: dropped and loaded from
 * the dump), but any other table with a row stops the restore before any change, so a restore
 * never overwrites data. `open` is called twice: a first pass refuses a dump cut short (no
 * DUMP_END) before any change.
 */
export async function restoreDatabase(conn: mysql.Connection, database: string, open: () => Readable): Promise<{ statements: number }> {
  if (!(await isComplete(open()))) throw new Error(`restore: the dump does not end with "${DUMP_END}": it was cut short; nothing was changed`);
  const tables = (await rows<{ name: string }>(conn, "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME", [database])).map((t) => t.name);
  for (const table of tables.filter((t) => t !== MIGRATIONS_TABLE)) {
    const [r] = await rows<{ present: number }>(conn, `SELECT EXISTS(SELECT 1 FROM ${ident(database)}.${ident(table)}) AS present`);
    if (Number(r.present) === 1) throw new HoldsDataError(`restore: ${database}.${table} holds data; a restore loads only into an empty database; nothing was changed`);
  }
  await conn.query(`USE ${ident(database)}`);
  await conn.query("SET FOREIGN_KEY_CHECKS=0");
  for (const table of tables) await conn.query(`DROP TABLE ${ident(table)}`);
  let statements = 0;
  for await (const line of readline.createInterface({ input: open(), crlfDelay: Infinity })) {
    if (line.trim() === "" || line === DUMP_END) continue;
    await conn.query(line);
    statements++;
  }
  return { statements };
}
