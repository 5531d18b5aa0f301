import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import type * as mysql from "mysql2/promise";
import { migrate } from "../../app/src/db/migrate";
import { APP_DB_USERNAME } from "../../infra/aws/app-db-user-sql";
import { opsBundle } from "../../infra/digitalocean/ops-bundle";
import { DUMP_END } from "../../infra/digitalocean/ops-tool/sql-dump";
import { startMariaDb, type MariaDbService } from "../../local/services";
import { makeServerCert } from "../support/test-ca";

// The ops runner's tool as it ships (the esbuild bundle, run with node) against a real MariaDB
// over verified TLS: a dump of the app's schema loads into an empty database with every table's
// checksum equal; a restore refuses a database with data and a dump cut short; the grants are the
// AWS app-user SQL run as the admin.

const APP_PASSWORD = "AppPassw0rd0123456789abcdefghijklmnopqrst";

describe("digitalocean: the ops runner's tool (dump, restore, grants) on MariaDB", function () {
  this.timeout(180_000);
  let tmp: string;
  let db: MariaDbService;
  let root: mysql.Connection;
  let ops: string;
  let caFile: string;

  /** runs ops.js as the runner's units do: environment only, the admin over TLS */
  const runOps = (database: string, ...args: string[]) => {
    const r = spawnSync(process.execPath, [ops, ...args], {
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", OPS_DB_HOST: "127.0.0.1", OPS_DB_PORT: String(db.port), OPS_DB_ADMIN_USER: "opsadmin", OPS_DB_ADMIN_PASSWORD: "AdminPassw0rd-0123456789", OPS_DB_CA_FILE: caFile, OPS_DB_NAME: database, OPS_APP_USER: APP_DB_USERNAME, OPS_APP_PASSWORD: APP_PASSWORD },
    });
    return { status: r.status, out: r.stdout.trim() ? JSON.parse(r.stdout) : undefined, err: r.stderr.trim() ? JSON.parse(r.stderr) : undefined };
  };
  const checksums = async (database: string) => {
    const [tables] = await root.query("SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME", [database]);
    const out: Record<string, string> = {};
    for (const { t } of tables as { t: string }[]) {
      const [[c]] = (await root.query(`CHECKSUM TABLE \`${database}\`.\`${t}\``)) as unknown as [{ Checksum: string }[]];
      out[t] = String(c.Checksum);
    }
    return out;
  };

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rf-ops-tool-"));
    const cert = makeServerCert(tmp);
    caFile = cert.caFile;
    db = await startMariaDb({ args: [`--ssl-ca=${cert.caFile}`, `--ssl-cert=${cert.certFile}`, `--ssl-key=${cert.keyFile}`] });
    root = await db.rootConnection();
    // the admin as DigitalOcean's doadmin: every privilege, with grant option, TLS required
    await root.query("CREATE USER opsadmin@'%' IDENTIFIED BY 'AdminPassw0rd-0123456789' REQUIRE SSL; GRANT ALL ON *.* TO opsadmin@'%' WITH GRANT OPTION");
    await root.query("CREATE DATABASE feed; CREATE DATABASE feed_new");
    await migrate(`mysql://root@127.0.0.1:${db.port}/feed`);
    ops = path.join(tmp, "ops.js");
    fs.writeFileSync(ops, opsBundle().code);
  });

  after(async () => {
    await root?.end();
    await db?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("dumps the app's schema from a snapshot and loads it into an empty database: same tables, same checksums", async () => {
    // values that break naive dumps: quotes, backslashes, newlines, emoji, NULL, 64-bit ids, ms times
    await root.query(`INSERT INTO feed.users (id, handle, display_name, bio, password_hash, created_at, updated_at) VALUES
      (18446744073709551615, 'max', 'It''s \\\\ "quoted"', 'line one\\nline two 🚀', 'h1', '2026-12-03 18:00:00.123', '2026-12-03 18:00:00.456'),
      (1, 'one', 'One', '', 'h2', '1970-01-01 00:00:01.000', '2038-01-19 03:14:07.999')`);
    await root.query("INSERT INTO feed.posts (id, author_id, text, media_key, created_at) VALUES (7, 1, 'hello\\tworld', NULL, '2026-12-03 18:00:01.000'), (8, 18446744073709551615, 'ünïcödé ✓', 'k/1.png', '2026-12-03 18:00:02.000')");
    const file = path.join(tmp, "feed.sql.gz");
    const dumped = runOps("feed", "dump", file);
    assert.equal(dumped.status, 0, JSON.stringify(dumped.err));
    assert.equal(dumped.out.rows, await countRows(root, "feed"));
    const text = zlib.gunzipSync(fs.readFileSync(file)).toString("utf8");
    assert.equal(text.trimEnd().split("\n").pop(), DUMP_END);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);

    // the new cluster: the app's migrations may have run first (empty tables): loaded over them
    await migrate(`mysql://root@127.0.0.1:${db.port}/feed_new`);
    const restored = runOps("feed_new", "restore", file);
    assert.equal(restored.status, 0, JSON.stringify(restored.err));
    assert.deepEqual(await checksums("feed_new"), await checksums("feed"));
    const [[max]] = (await root.query("SELECT CAST(id AS CHAR) AS id, display_name, bio FROM feed_new.users WHERE handle = 'max'")) as unknown as [Record<string, string>[]];
    assert.deepEqual(max, { id: "18446744073709551615", display_name: `It's \\ "quoted"`, bio: "line one\nline two 🚀" });
  });

  it("a restore refuses a database holding data (exit 3) and a dump cut short (exit 1), before any change", async () => {
    const file = path.join(tmp, "feed.sql.gz");
    const before = await checksums("feed_new");
    const busy = runOps("feed_new", "restore", file);
    // exit 3: the runner's boot unit takes it as "restored before"
    assert.equal(busy.status, 3);
    assert.equal(busy.err.error, "restore: feed_new.posts holds data; a restore loads only into an empty database; nothing was changed");
    const lines = zlib.gunzipSync(fs.readFileSync(file)).toString("utf8").split("\n");
    const cut = path.join(tmp, "cut.sql.gz");
    fs.writeFileSync(cut, zlib.gzipSync(lines.slice(0, lines.length - 4).join("\n")));
    await root.query("CREATE DATABASE feed_empty");
    const short = runOps("feed_empty", "restore", cut);
    assert.equal(short.status, 1);
    assert.equal(short.err.error, `restore: the dump does not end with "${DUMP_END}": it was cut short; nothing was changed`);
    assert.deepEqual(await checksums("feed_empty"), {});
    assert.deepEqual(await checksums("feed_new"), before);
  });

  it("grants: the AWS app-user SQL as the admin, idempotent: exactly the app's grants on its schema, TLS required", async () => {
    for (let i = 0; i < 2; i++) {
      const r = runOps("feed", "grants");
      assert.equal(r.status, 0, JSON.stringify(r.err));
      assert.deepEqual(r.out, { ok: true, command: "grants", user: APP_DB_USERNAME, statements: 5 });
    }
    const [grants] = await root.query(`SHOW GRANTS FOR ${APP_DB_USERNAME}@'%'`);
    // as MariaDB prints them: REPLICATION CLIENT is BINLOG MONITOR there
    assert.deepEqual((grants as Record<string, string>[]).map((g) => Object.values(g)[0].replace(/ IDENTIFIED BY PASSWORD '[^']*'/, "")), [
      `GRANT BINLOG MONITOR ON *.* TO \`${APP_DB_USERNAME}\`@\`%\` REQUIRE SSL`,
      `GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, REFERENCES, INDEX, ALTER ON \`feed\`.* TO \`${APP_DB_USERNAME}\`@\`%\``,
    ]);
  });

  it("usage and a missing environment key: exit 2, naming what is missing", () => {
    const r = spawnSync(process.execPath, [ops, "dump"], { encoding: "utf8", env: { PATH: process.env.PATH ?? "" } });
    assert.equal(r.status, 2);
    assert.deepEqual(JSON.parse(r.stderr), { ok: false, error: "OPS_DB_NAME is not set" });
    const u = runOps("feed", "vacuum");
    assert.deepEqual([u.status, u.err], [2, { ok: false, error: "usage: ops.js grants | dump <file.sql.gz> | restore <file.sql.gz>" }]);
  });
});

async function countRows(conn: mysql.Connection, database: string): Promise<number> {
  const [tables] = await conn.query("SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?", [database]);
  let n = 0;
  for (const { t } of tables as { t: string }[]) {
    const [[r]] = (await conn.query(`SELECT COUNT(*) AS n FROM \`${database}\`.\`${t}\``)) as unknown as [{ n: number }[]];
    n += Number(r.n);
  }
  return n;
}
