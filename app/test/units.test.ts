import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as mysql from "mysql2/promise";
import { ConfigError, loadConfig } from "../src/config";
import { migrate, loadMigrations } from "../src/db/migrate";
import { decodeId, ID_EPOCH_MS, IdGenerator, isValidId } from "../src/ids";
import { hashPassword, verifyPassword } from "../src/users/passwords";
import { services } from "./support/services";

describe("app: ids, config, passwords, migrations", function () {
  this.timeout(60_000);

  it("ids are 64-bit, strictly increasing, carry site and node, and survive a clock going back", () => {
    let now = Date.UTC(2026, 0, 1);
    const gen = new IdGenerator(5, 99, { now: () => now });
    const ids: bigint[] = [];
    for (let i = 0; i < 10_000; i++) {
      if (i === 5000) now -= 10_000; // NTP step backwards
      ids.push(gen.nextBigInt());
    }
    for (let i = 1; i < ids.length; i++) assert.ok(ids[i] > ids[i - 1], `id ${i} not increasing`);
    assert.equal(new Set(ids).size, ids.length);
    const d = decodeId(ids[0]);
    assert.deepEqual(d, { timestampMs: Date.UTC(2026, 0, 1), siteId: 5, nodeId: 99, sequence: 0 });
    assert.ok(ids[ids.length - 1] < 1n << 63n);
    assert.ok(d.timestampMs > ID_EPOCH_MS);
    // Two sites in the same millisecond never collide.
    const a = new IdGenerator(0, 1, { now: () => now }).next();
    const b = new IdGenerator(1, 1, { now: () => now }).next();
    assert.notEqual(a, b);
    assert.equal(decodeId(a).timestampMs, decodeId(b).timestampMs);
    assert.ok(isValidId(a) && !isValidId("0") && !isValidId("9223372036854775808") && isValidId("9223372036854775807"));
    assert.throws(() => new IdGenerator(8, 0), /siteId must be 0..7/);
    // 14 node bits: the instance's offset in a /18 app tier (infra/aws/user-data.ts)
    assert.throws(() => new IdGenerator(0, 16384), /nodeId must be 0..16383/);
    assert.deepEqual(decodeId(new IdGenerator(7, 16383, { now: () => now }).nextBigInt()), { timestampMs: now, siteId: 7, nodeId: 16383, sequence: 0 });
    // 32 ids per ms, then the next ms is borrowed: still unique and increasing
    const burst = new IdGenerator(1, 1, { now: () => now });
    const seq = Array.from({ length: 100 }, () => decodeId(burst.nextBigInt()));
    assert.deepEqual([seq[31].timestampMs - now, seq[31].sequence, seq[32].timestampMs - now, seq[32].sequence, seq[99].timestampMs - now], [0, 31, 1, 0, 3]);
  });

  it("config: defaults, and errors that name every bad variable", () => {
    const ok = loadConfig({ DB_PRIMARY_URL: "mysql://u:p@db:3306/feed", REDIS_URL: "redis://cache:6379", SESSION_SECRET: "0123456789abcdef" });
    assert.equal(ok.port, 3000);
    assert.equal(ok.dbReplicaUrl, "mysql://u:p@db:3306/feed", "no replica: reads from the primary");
    assert.equal(ok.profileCacheTtlSeconds, 30);
    assert.equal(ok.maxFollows, 5000);
    assert.throws(
      () => loadConfig({ DB_PRIMARY_URL: "mysql://u:p@db/feed", REDIS_URL: "http://x", SESSION_SECRET: "short", SITE_ID: "9", DRAIN_SECONDS: "-1" }),
      (e: Error) =>
        e instanceof ConfigError &&
        /REDIS_URL=\(redacted\): must be a URL like redis:/.test(e.message) &&
        /SESSION_SECRET=\(redacted\): must be at least 16 characters/.test(e.message) &&
        /SITE_ID="9": must be between 0 and 7/.test(e.message) &&
        /DRAIN_SECONDS="-1": must be between 0 and 600/.test(e.message),
    );
  });

  it("config: DB TLS needs a readable CA file, and a CA file without DB_TLS is refused", () => {
    const base = { DB_PRIMARY_URL: "mysql://u:p@db:3306/feed", REDIS_URL: "redis://cache:6379", SESSION_SECRET: "0123456789abcdef" };
    assert.equal(loadConfig(base).dbTls, null);
    assert.deepEqual(loadConfig({ ...base, DB_TLS: "true" }).dbTls, { ca: undefined }, "system trust store");
    assert.equal(loadConfig({ ...base, DB_TLS: "true", DB_TLS_CA_FILE: __filename }).dbTls?.ca, fs.readFileSync(__filename, "utf8"));
    assert.throws(() => loadConfig({ ...base, DB_TLS: "true", DB_TLS_CA_FILE: "/nonexistent/ca.pem" }), /DB_TLS_CA_FILE="\/nonexistent\/ca.pem": must be a readable file \(PEM\)/);
    assert.throws(() => loadConfig({ ...base, DB_TLS_CA_FILE: __filename }), /DB_TLS_CA_FILE=.*: is set, but DB_TLS is not true/);
    assert.throws(() => loadConfig({ ...base, NODE_ID: "16384" }), /NODE_ID="16384": must be between 0 and 16383/);
  });

  it("config: DB_PRIMARY_REMOTE (writer in the other site) needs this site's replica URL", () => {
    const base = { DB_PRIMARY_URL: "mysql://u:p@db:3306/feed", REDIS_URL: "redis://cache:6379", SESSION_SECRET: "0123456789abcdef" };
    assert.equal(loadConfig(base).dbPrimaryRemote, false);
    assert.equal(loadConfig({ ...base, DB_PRIMARY_REMOTE: "true", DB_REPLICA_URL: "mysql://u:p@replica:3306/feed" }).dbPrimaryRemote, true);
    assert.throws(() => loadConfig({ ...base, DB_PRIMARY_REMOTE: "true" }), /DB_PRIMARY_REMOTE="true": is true, but DB_REPLICA_URL \(this site's replica\) is not set/);
    assert.throws(() => loadConfig({ ...base, DB_PRIMARY_REMOTE: "yes" }), /DB_PRIMARY_REMOTE="yes"/);
  });

  it("passwords: scrypt hash verifies the right password only", async () => {
    const h = await hashPassword("hunter22!");
    assert.equal(await verifyPassword("hunter22!", h), true);
    assert.equal(await verifyPassword("hunter23!", h), false);
    assert.notEqual(await hashPassword("hunter22!"), h, "salted");
  });

  it("migrations: two runners at once apply each version once; re-running is a no-op", async () => {
    const s = await services();
    const root = await s.db.primary.rootConnection();
    try {
      await root.query("CREATE DATABASE IF NOT EXISTS mig_race");
      await root.query("GRANT ALL ON mig_race.* TO ?@'127.0.0.1'", [s.db.user]);
    } finally {
      await root.end();
    }
    const url = s.db.primaryUrl.replace(/\/feed$/, "/mig_race");
    const [a, b] = await Promise.all([migrate(url), migrate(url)]);
    const versions = loadMigrations().map((m) => m.version);
    assert.deepEqual([...a, ...b].sort(), versions, "each version applied by exactly one runner");
    assert.deepEqual(await migrate(url), []);
    const conn = await mysql.createConnection(url);
    try {
      const [rows] = await conn.query("SELECT version FROM schema_migrations ORDER BY version");
      assert.deepEqual((rows as Array<{ version: string }>).map((r) => r.version), versions);
      const [tables] = await conn.query("SHOW TABLES");
      assert.deepEqual((tables as Array<Record<string, string>>).map((r) => Object.values(r)[0]).sort(), ["follows", "posts", "schema_migrations", "session_not_before", "session_revocations", "users"]);
    } finally {
      await conn.end();
    }
  });
});
