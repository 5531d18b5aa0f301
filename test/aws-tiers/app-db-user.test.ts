import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as mysql from "mysql2/promise";
import { migrate } from "../../app/src/db/migrate";
import { provisionAppUser, type ProvisionEvent } from "../../infra/aws/app-db-user-lambda";
import { APP_DB_USERNAME, appUserStatements } from "../../infra/aws/app-db-user-sql";
import { startMariaDb, type MariaDbService } from "../../local/services";

// The SQL the provisioning Lambda runs as the master user, run here against a real, TLS-only
// MariaDB; then the app connects as its own user and does exactly what it needs, and no more.

const APP_PASSWORD = "AppPassw0rd0123456789abcdefghijklmnopqrst";

describe("the app's own database user (the provisioning Lambda's SQL on MariaDB)", function () {
  this.timeout(120_000);
  let tmp: string;
  let db: MariaDbService;
  let ca: string;
  const appConnection = (password = APP_PASSWORD) =>
    mysql.createConnection({ host: "127.0.0.1", port: db.port, user: APP_DB_USERNAME, password, database: "feed", ssl: { ca }, multipleStatements: false });
  const event = (password: string): ProvisionEvent => ({ host: "127.0.0.1", port: db.port, database: "feed", master: { username: "root", password: "" }, app: { username: APP_DB_USERNAME, password } });

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rf-appuser-"));
    const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: tmp, stdio: "ignore" });
    ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=resilient-feed test CA");
    ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
    fs.writeFileSync(path.join(tmp, "san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    ssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "san.ext");
    ca = fs.readFileSync(path.join(tmp, "ca.pem"), "utf8");
    db = await startMariaDb({ args: [`--ssl-ca=${path.join(tmp, "ca.pem")}`, `--ssl-cert=${path.join(tmp, "server.pem")}`, `--ssl-key=${path.join(tmp, "server.key")}`] });
    const root = await db.rootConnection();
    try {
      await root.query("CREATE DATABASE feed");
      await root.query("CREATE DATABASE other");
      await root.query("CREATE TABLE other.secrets (id INT PRIMARY KEY)");
    } finally {
      await root.end();
    }
  });
  after(async () => {
    await db?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("the statements: create, set password and TLS, reset, then exactly the grants", () => {
    assert.deepEqual(appUserStatements("feed", "feedapp", "x".repeat(12)).map((s) => s.sql), [
      "CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ? REQUIRE SSL",
      "ALTER USER ?@? IDENTIFIED BY ? REQUIRE SSL",
      "REVOKE ALL PRIVILEGES, GRANT OPTION FROM ?@?",
      "GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, REFERENCES ON `feed`.* TO ?@?",
      "GRANT REPLICATION CLIENT ON *.* TO ?@?",
    ]);
    assert.throws(() => appUserStatements("feed`; DROP", "feedapp", "x".repeat(12)), /not a plain identifier/);
    assert.throws(() => appUserStatements("feed", "feedapp", "short"), /shorter than 8/);
  });

  it("runs as the master user, twice (idempotent), and leaves exactly the grants", async () => {
    const root = await db.rootConnection();
    try {
      assert.equal(await provisionAppUser(root, event(APP_PASSWORD)), 5);
      assert.equal(await provisionAppUser(root, event(APP_PASSWORD)), 5);
      const [grants] = await root.query(`SHOW GRANTS FOR '${APP_DB_USERNAME}'@'%'`);
      const lines = (grants as Record<string, string>[]).map((r) => Object.values(r)[0].replace(/ IDENTIFIED BY PASSWORD '[^']+'/, ""));
      assert.deepEqual(lines.sort(), [
        // MariaDB shows REPLICATION CLIENT under its 10.5+ name, BINLOG MONITOR
        `GRANT BINLOG MONITOR ON *.* TO \`${APP_DB_USERNAME}\`@\`%\` REQUIRE SSL`,
        `GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, REFERENCES, INDEX, ALTER ON \`feed\`.* TO \`${APP_DB_USERNAME}\`@\`%\``,
      ]);
    } finally {
      await root.end();
    }
  });

  it("the app user migrates the schema (as the app does at boot) and reads and writes rows, over TLS only", async () => {
    const url = `mysql://${APP_DB_USERNAME}:${APP_PASSWORD}@127.0.0.1:${db.port}/feed`;
    const applied = await migrate(url, { tls: { ca } });
    assert.ok(applied.includes("001"), `applied: ${applied.join(", ")}`);
    const conn = await appConnection();
    try {
      await conn.query("INSERT INTO users (id, handle, display_name, password_hash, created_at, updated_at) VALUES (1, 'a', 'A', 'h', NOW(3), NOW(3))");
      await conn.query("UPDATE users SET bio = 'b' WHERE id = 1");
      assert.deepEqual(((await conn.query("SELECT bio FROM users WHERE id = 1"))[0] as Array<{ bio: string }>)[0].bio, "b");
      await conn.query("DELETE FROM users WHERE id = 1");
    } finally {
      await conn.end();
    }
    await assert.rejects(mysql.createConnection({ host: "127.0.0.1", port: db.port, user: APP_DB_USERNAME, password: APP_PASSWORD, database: "feed" }), /Access denied/);
  });

  it("and nothing more: no DROP, no other schema, no user management", async () => {
    const conn = await appConnection();
    try {
      await assert.rejects(conn.query("DROP TABLE users"), /DROP command denied/);
      await assert.rejects(conn.query("SELECT * FROM other.secrets"), /SELECT command denied|Access denied/);
      await assert.rejects(conn.query("CREATE USER 'x'@'%' IDENTIFIED BY 'yyyyyyyyyy'"), /Access denied|CREATE USER/);
      await assert.rejects(conn.query("GRANT SELECT ON feed.* TO 'feedapp'@'%'"), /Access denied|GRANT/i);
    } finally {
      await conn.end();
    }
  });

  it("a new password in the event replaces the old one (the Lambda re-runs when its inputs change)", async () => {
    const root = await db.rootConnection();
    try {
      await provisionAppUser(root, event(`${APP_PASSWORD}-2`));
    } finally {
      await root.end();
    }
    await assert.rejects(appConnection(), /Access denied/);
    const conn = await appConnection(`${APP_PASSWORD}-2`);
    await conn.end();
    const back = await db.rootConnection();
    await provisionAppUser(back, event(APP_PASSWORD)).finally(() => back.end());
  });

  it("MariaDB differs: REPLICATION CLIENT (MySQL's privilege for SHOW REPLICA STATUS) is BINLOG MONITOR there, which does not cover it", async () => {
    const conn = await appConnection();
    try {
      await assert.rejects(conn.query("SHOW REPLICA STATUS"), /REPLICA MONITOR|SUPER|denied/i);
    } finally {
      await conn.end();
    }
  });
});
