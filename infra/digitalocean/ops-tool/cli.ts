import * as fs from "node:fs";
import { pipeline } from "node:stream/promises";
import * as zlib from "node:zlib";
import * as mysql from "mysql2/promise";
import { provisionAppUser } from "../../aws/app-db-user-lambda";
import { RESTORE_ALREADY_DONE } from "../ops-user-data";
import { DUMP_CONNECTION_OPTIONS, dumpDatabase, HoldsDataError, restoreDatabase } from "./sql-dump";

// The ops runner's tool (bundled by esbuild into ops.js, run by the droplet's systemd units as
// root): `grants` applies the app user's grants (the AWS app-user SQL) as doadmin, `dump <file>`
// writes a gzipped logical dump, `restore <file>` loads one into an empty database. Everything
// comes from the environment file the runner's cloud-init writes (OPS_*); TLS is verified
// against the cluster's CA. Exit codes: 0 done, 1 failed, 2 usage or environment, 3 a restore
// refused because the database holds data (the boot unit counts that as done: restored before).

export const OPS_ENV_KEYS = ["OPS_DB_HOST", "OPS_DB_PORT", "OPS_DB_ADMIN_USER", "OPS_DB_ADMIN_PASSWORD", "OPS_DB_CA_FILE", "OPS_DB_NAME"] as const;

class UsageError extends Error {}

function env(name: string): string {
  const v = process.env[name];
  if (v === undefined || v === "") throw new UsageError(`${name} is not set`);
  return v;
}

async function connect(options: Partial<mysql.ConnectionOptions> = {}): Promise<mysql.Connection> {
  for (const k of OPS_ENV_KEYS) env(k);
  return mysql.createConnection({
    host: env("OPS_DB_HOST"),
    port: Number(env("OPS_DB_PORT")),
    user: env("OPS_DB_ADMIN_USER"),
    password: env("OPS_DB_ADMIN_PASSWORD"),
    ssl: { ca: fs.readFileSync(env("OPS_DB_CA_FILE"), "utf8"), rejectUnauthorized: true },
    connectTimeout: 10_000,
    ...options,
  });
}

async function run(command: string | undefined, file: string | undefined): Promise<Record<string, unknown>> {
  const database = env("OPS_DB_NAME");
  if (command === "grants") {
    const app = { username: env("OPS_APP_USER"), password: env("OPS_APP_PASSWORD") };
    const conn = await connect();
    try {
      // provisionAppUser reads only the database and the app user from its event
      const statements = await provisionAppUser(conn, { host: "", port: 0, database, master: { username: "", password: "" }, app });
      return { command, user: app.username, statements };
    } finally {
      await conn.end();
    }
  }
  if ((command === "dump" || command === "restore") && file) {
    const conn = await connect(command === "dump" ? DUMP_CONNECTION_OPTIONS : {});
    try {
      if (command === "dump") {
        const gzip = zlib.createGzip();
        const done = pipeline(gzip, fs.createWriteStream(file, { mode: 0o600 }));
        const counts = await dumpDatabase(conn, database, gzip);
        gzip.end();
        await done;
        return { command, file, ...counts, bytes: fs.statSync(file).size };
      }
      const result = await restoreDatabase(conn, database, () => fs.createReadStream(file).pipe(zlib.createGunzip()));
      return { command, file, ...result };
    } finally {
      await conn.end();
    }
  }
  throw new UsageError("usage: ops.js grants | dump <file.sql.gz> | restore <file.sql.gz>");
}

if (require.main === module) {
  run(process.argv[2], process.argv[3]).then(
    (result) => console.log(JSON.stringify({ ok: true, ...result })),
    (e: Error) => {
      console.error(JSON.stringify({ ok: false, error: e.message }));
      process.exitCode = e instanceof UsageError ? 2 : e instanceof HoldsDataError ? RESTORE_ALREADY_DONE : 1;
    },
  );
}
