import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import Redis from "ioredis";
import * as mysql from "mysql2/promise";
import { READINESS_PATH } from "../../app/src/http/health";
import { startAppProcess, type AppProcess } from "../../app/test/support/processes";
import { provisionAppUser } from "../../infra/aws/app-db-user-lambda";
import { APP_DB_USERNAME } from "../../infra/aws/app-db-user-sql";
import { NODE_ID_SCRIPT } from "../../infra/digitalocean/node-id";
import { DB_CA_FILE, ENV_FILE, renderDoUserData, type DoUserDataParams } from "../../infra/digitalocean/user-data";
import { DO_METADATA_URL } from "../../infra/facts/digitalocean";
import { freePort, startMariaDb, startRedis, type MariaDbService, type RedisService } from "../../local/services";
import { parseEnvFile } from "../support/env-file";
import { makeServerCert, tlsOnlyMariaDbArgs, type ServerCert } from "../support/test-ca";

// The droplets' cloud-init and the app are two sides of one contract. This test renders the user
// data (renderDoUserData) for a MariaDB and a Redis that, like DigitalOcean's MySQL and Valkey,
// accept TLS only, runs the part of it that writes the app's environment (the cluster CA, the
// NODE_ID script against a stand-in metadata service, the env file) with only its target paths
// moved into a temp dir, and starts the API with exactly that env file.
//
// Two CAs: the "cluster CA" signs MariaDB's certificate and reaches the app only through the file
// the cloud-init writes (as getDatabaseCa's certificate does); the "public CA" signs Redis's and
// stands in for Let's Encrypt, which DigitalOcean's Valkey certificates chain to ("does not
// require that you download a CA certificate", DigitalOcean docs, How to Connect to Valkey
// Database Clusters), so the app gets no CA for it: Node's default store trusts it, here through
// NODE_EXTRA_CA_CERTS. The MySQL pool verifies against its own CA file alone (an explicit `ca`
// replaces Node's store), so a server the public CA signed is refused: the test shows that too.

// URL-hostile, but no character encodeURIComponent leaves as is that an EnvironmentFile would
// read as quoting (a ' stays a ', and systemd strips it): DigitalOcean generates the app user's password
const DB_PASSWORD = "p@ss:/w?rd#%$\"x\\ y&z=+";
const CACHE_PASSWORD = "valkey+pw/with%chars";
const SESSION = "S".repeat(64);
const PRIVATE_IP = "10.30.1.37";
/** 10.30.1.37 in 10.30.0.0/18: offset (1 << 8) + 37 */
const NODE_ID = 293;

/** The script's commands in order, a heredoc kept with the command that opens it. */
function commands(script: string): string[] {
  const lines = script.split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /<<'(\w+)'$/.exec(lines[i]);
    if (!open) {
      if (lines[i].length > 0) out.push(lines[i]);
      continue;
    }
    const end = lines.indexOf(open[1], i + 1);
    assert.ok(end > i, `heredoc ${open[1]} is not closed`);
    out.push(lines.slice(i, end + 1).join("\n"));
    i = end;
  }
  return out;
}

/** The commands that write the app's environment: those whose command line names one of its files. */
function envCommands(script: string): string[] {
  const targets = [DB_CA_FILE, NODE_ID_SCRIPT, ENV_FILE];
  return commands(script).filter((c) => targets.some((t) => c.split("\n")[0].includes(t)));
}

interface Boot {
  /** the env file as the systemd units read it */
  env: Record<string, string>;
  envFileMode: number;
  caFile: string;
}

/**
 * Runs the env-writing commands under `root`: the same commands, each absolute target path
 * (/etc/resilient-feed/…, the NODE_ID script) prefixed with root; the metadata service is
 * `metadataUrl` (the script's own override). Asynchronous: the stand-in metadata service answers
 * from this process.
 */
async function boot(userData: string, root: string, metadataUrl: string): Promise<Boot> {
  const selected = envCommands(userData);
  const header = userData.split("\n").slice(0, 2);
  assert.deepEqual(header, ["#!/bin/bash", "set -euo pipefail"]);
  const moved = [DB_CA_FILE, NODE_ID_SCRIPT, ENV_FILE].map((f) => path.dirname(f));
  for (const dir of moved) fs.mkdirSync(path.join(root, dir), { recursive: true, mode: 0o700 });
  const rewrite = (c: string) => [ENV_FILE, DB_CA_FILE, NODE_ID_SCRIPT].reduce((text, f) => text.split(f).join(path.join(root, f)), c);
  const script = [...header, ...selected.map(rewrite)].join("\n") + "\n";
  await promisify(execFile)("bash", ["-c", script], { env: { PATH: process.env.PATH, METADATA_URL: metadataUrl }, timeout: 60_000 });
  const envFile = path.join(root, ENV_FILE);
  return { env: parseEnvFile(fs.readFileSync(envFile, "utf8")), envFileMode: fs.statSync(envFile).mode & 0o777, caFile: path.join(root, DB_CA_FILE) };
}

/** A stand-in for the droplet metadata service: the private IPv4 address only. */
async function metadataService(ip: string): Promise<{ url: string; close(): Promise<void> }> {
  const prefix = new URL(DO_METADATA_URL).pathname;
  const server = http.createServer((req, res) => (req.url === `${prefix}/interfaces/private/0/ipv4/address` ? res.end(ip) : res.writeHead(404).end()));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}${prefix}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe("digitalocean: the cloud-init's env file starts the API against TLS-only MySQL and Valkey stand-ins", function () {
  this.timeout(180_000);
  let tmp: string;
  let clusterCa: ServerCert;
  let publicCa: ServerCert;
  let db: MariaDbService;
  let redis: RedisService;
  let metadata: Awaited<ReturnType<typeof metadataService>> | undefined;
  let api: AppProcess | undefined;
  let params: DoUserDataParams;
  let booted: Boot;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rf-do-cloud-init-"));
    clusterCa = makeServerCert(tmp, "cluster");
    publicCa = makeServerCert(tmp, "public");
    [db, redis, metadata] = await Promise.all([
      startMariaDb({ args: tlsOnlyMariaDbArgs(clusterCa) }),
      startRedis({ tls: publicCa, password: CACHE_PASSWORD }),
      metadataService(PRIVATE_IP),
    ]);
    const root = await db.rootConnection();
    try {
      await root.query("CREATE DATABASE feed");
      // the app user with the AWS app-user SQL, as the DigitalOcean site reuses it; root stands in for doadmin
      await provisionAppUser(root, { host: "127.0.0.1", port: db.port, database: "feed", master: { username: "root", password: "" }, app: { username: APP_DB_USERNAME, password: DB_PASSWORD } });
      // a user without REQUIRE SSL: what refuses its cleartext connection is the server itself
      await root.query("CREATE USER 'probe'@'127.0.0.1' IDENTIFIED BY 'probe-pw'");
    } finally {
      await root.end();
    }
    // the URLs as DoSite builds them: credentials URL-encoded, the writer and the replica (one server here)
    const mysqlUrl = `mysql://${encodeURIComponent(APP_DB_USERNAME)}:${encodeURIComponent(DB_PASSWORD)}@127.0.0.1:${db.port}/feed`;
    params = {
      siteId: 1,
      siteKey: "primary",
      port: await freePort(),
      drainSeconds: 5,
      vpcCidr: "10.30.0.0/18",
      release: { region: "sgp1", bucket: "rf-dev-primary-releases", serverKey: "releases/x/server.js", workerKey: "releases/x/worker.js", serverSha256: "0".repeat(64), workerSha256: "1".repeat(64), accessKey: "DO00KEY", secretKey: "secret" },
      dbPrimaryUrl: mysqlUrl,
      dbReplicaUrl: mysqlUrl,
      dbCaCertificate: fs.readFileSync(clusterCa.caFile, "utf8"),
      redisUrl: `rediss://default:${encodeURIComponent(CACHE_PASSWORD)}@127.0.0.1:${redis.port}`,
      sessionSecret: SESSION,
    };
    booted = await boot(renderDoUserData(params), path.join(tmp, "root"), metadata.url);
  });

  after(async function () {
    this.timeout(60_000);
    await api?.kill();
    await Promise.all([db?.stop(), redis?.stop(), metadata?.close()]);
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("runs six commands: the cluster CA and the NODE_ID script written and made readable, the env file written 0600 and NODE_ID appended", () => {
    const firstLines = envCommands(renderDoUserData(params)).map((c) => c.split("\n")[0]);
    assert.deepEqual(firstLines, [
      `cat > ${DB_CA_FILE} <<'CA'`,
      `chmod 0644 ${DB_CA_FILE}`,
      `cat > ${NODE_ID_SCRIPT} <<'SCRIPT'`,
      `chmod 0755 ${NODE_ID_SCRIPT}`,
      `umask 077 && cat > ${ENV_FILE} <<'ENV'`,
      `${NODE_ID_SCRIPT} >> ${ENV_FILE}`,
    ]);
    assert.equal(booted.envFileMode, 0o600);
    assert.equal(fs.readFileSync(booted.caFile, "utf8").trim(), params.dbCaCertificate.trim());
  });

  it("the env file: TLS to MySQL verified against the file holding the cluster CA, rediss:// to Valkey, NODE_ID from the private address", () => {
    const e = booted.env;
    assert.deepEqual(
      [e.DB_TLS, e.DB_TLS_CA_FILE, new URL(e.REDIS_URL).protocol, e.NODE_ID, e.SITE_ID, e.PORT, e.COOKIE_SECURE, e.NODE_ENV],
      ["true", booted.caFile, "rediss:", String(NODE_ID), "1", String(params.port), "true", "production"],
    );
    assert.equal(e.DB_PRIMARY_URL, params.dbPrimaryUrl);
    assert.equal(e.SESSION_SECRET, SESSION);
  });

  it("both servers refuse a connection without TLS, and MySQL refuses a certificate the cluster CA did not sign", async () => {
    const plain = { host: "127.0.0.1", port: db.port, user: "probe", password: "probe-pw", connectTimeout: 5000 };
    // the same user and password: accepted over TLS verified against the cluster CA, refused in
    // cleartext (MariaDB answers require_secure_transport with 1045 Access denied, MySQL with 3159)
    const tls = await mysql.createConnection({ ...plain, ssl: { ca: fs.readFileSync(clusterCa.caFile, "utf8"), rejectUnauthorized: true } });
    await tls.end();
    await assert.rejects(mysql.createConnection(plain), (e: { errno?: number }) => e.errno === 1045 || e.errno === 3159);
    // the app's own user is refused in cleartext as well (its grant requires TLS, as the server does)
    await assert.rejects(mysql.createConnection({ ...plain, user: APP_DB_USERNAME, password: DB_PASSWORD, database: "feed" }), /insecure transport|Access denied/i);
    // verified against the public CA instead of the cluster's: the handshake fails
    await assert.rejects(mysql.createConnection({ ...plain, ssl: { ca: fs.readFileSync(publicCa.caFile, "utf8"), rejectUnauthorized: true } }), /self[- ]signed|unable to verify|certificate/i);
    const cleartext = new Redis({ host: "127.0.0.1", port: redis.port, password: CACHE_PASSWORD, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 3000 });
    cleartext.on("error", () => undefined); // the rejection below is the finding
    try {
      await assert.rejects(cleartext.connect().then(() => cleartext.ping()));
    } finally {
      cleartext.disconnect();
    }
  });

  it("the API started from exactly that env file is ready, signs up and logs in (writes over TLS), and holds TLS connections to both", async () => {
    // the env file as written, plus what this machine needs: the public CA's stand-in in Node's
    // store, and a free port for the loopback metrics listener (other tests' APIs run beside this one)
    api = startAppProcess({ ...booted.env, NODE_EXTRA_CA_CERTS: publicCa.caFile, METRICS_PORT: String(await freePort()) });
    const base = `http://127.0.0.1:${params.port}`;
    let ready: { status?: number; body?: { status?: string } } = {};
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline && ready.status !== 200) {
      assert.equal(api.child.exitCode, null, `API exited: ${api.stderr.join("")}${api.logs.slice(-20).join("\n")}`);
      ready = await fetch(`${base}${READINESS_PATH}`).then(async (r) => ({ status: r.status, body: (await r.json()) as { status?: string } }), () => ({}));
      if (ready.status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    // "ready", not "degraded": the writer, the read pool and Redis all answered, each over TLS
    assert.deepEqual([ready.status, ready.body?.status], [200, "ready"], api.logs.slice(-20).join("\n"));

    const post = (p: string, body: unknown) => fetch(`${base}${p}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const signup = await post("/auth/signup", { handle: "do_contract", displayName: "DO contract", password: "correct horse battery" });
    assert.equal(signup.status, 201, await signup.clone().text());
    const login = await post("/auth/login", { handle: "do_contract", password: "correct horse battery" });
    assert.equal(login.status, 200, await login.clone().text());
    assert.match(login.headers.get("set-cookie") ?? "", /; Secure/i, "COOKIE_SECURE from the env file");

    const root = await db.rootConnection();
    try {
      const [users] = await root.query("SELECT handle FROM feed.users WHERE handle = 'do_contract'");
      assert.deepEqual(users, [{ handle: "do_contract" }]);
      const [conns] = await root.query("SELECT COUNT(*) AS n FROM information_schema.processlist WHERE user = ?", [APP_DB_USERNAME]);
      assert.ok(Number((conns as Array<{ n: number }>)[0].n) > 0, `the app holds connections as ${APP_DB_USERNAME}`);
      // every TCP connection is TLS (require_secure_transport); the server counts the handshakes it finished
      const [ssl] = await root.query("SHOW GLOBAL STATUS LIKE 'Ssl_finished_accepts'");
      assert.ok(Number((ssl as Array<{ Value: string }>)[0].Value) >= Number((conns as Array<{ n: number }>)[0].n));
    } finally {
      await root.end();
    }

    // Valkey's stand-in has no cleartext listener (port 0) and sees the app's clients, over TLS
    const admin = new Redis(booted.env.REDIS_URL, { tls: { ca: fs.readFileSync(publicCa.caFile) }, lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await admin.connect();
      assert.deepEqual([await admin.config("GET", "port"), await admin.config("GET", "tls-port")], [["port", "0"], ["tls-port", String(redis.port)]]);
      const clients = String(await admin.client("LIST")).trim().split("\n");
      assert.ok(clients.length >= 2, `the app's connections besides this one: ${clients.join("\n")}`);
    } finally {
      admin.disconnect();
    }
  });
});
