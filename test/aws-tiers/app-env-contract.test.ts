import { strict as assert } from "node:assert";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Redis from "ioredis";
import * as mysql from "mysql2/promise";
import { DEFAULT_ENTRIES, buildAppBundle } from "../../infra/aws/app-bundle";
import { APP_BUSINESS_METRICS, APP_CACHE_METRIC, ENV_FILE, NODE_ENV_SCRIPT, RDS_CA_FILE, SECRETS_SCRIPT, renderUserData, type UserDataParams } from "../../infra/aws/user-data";
import { provisionAppUser } from "../../infra/aws/app-db-user-lambda";
import { APP_DB_USERNAME } from "../../infra/aws/app-db-user-sql";
import { loadConfig } from "../../app/src/config";
import { Metrics } from "../../app/src/metrics";
import { freePort, startMariaDb, startRedis, type MariaDbService, type RedisService } from "../../local/services";
import { deploySites, tinyBundle } from "./support/deploy";
import { prodTopology, type Recorded } from "./support/harness";
import { heredoc, launchUserData } from "./support/user-data";
import { parseEnvFile } from "../support/env-file";
import { makeServerCert, tlsOnlyMariaDbArgs, type ServerCert } from "../support/test-ca";

// The boot scripts in the user data and the app's config are two sides of one contract. These
// tests run the real scripts (bash + jq; only the AWS CLI is a stand-in, answering from a map of
// secret ARN → value) and feed what they write into the app: first the app's loadConfig on the
// composed prod stack, then the release bundle as an instance runs it (plain node, one file, the
// migrations inside) against MariaDB and Redis that, like RDS and ElastiCache, accept TLS only,
// with passwords full of URL-hostile characters.

const NASTY_DB_PASSWORD = "p@ss:/w?rd#%$\"x\\ y'z&=+";
const NASTY_REDIS_TOKEN = "tok+en=with%chars&!~*";
const SESSION = "S3ss10nS3cr3t".repeat(5);


interface Boot {
  env: Record<string, string>;
  /** "<region> <secret ARN>" per secret the hook fetched */
  fetched: string[];
}

/**
 * Runs the user data's per-instance steps for a private address: the node-env script appends to
 * the env file, then the secrets hook writes the secret env. Returns both files merged, as the
 * systemd unit sees them (EnvironmentFile=app.env, then secrets.env).
 */
function boot(userData: string, ip: string, secrets: Record<string, string>): Boot {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rf-boot-"));
  const envFile = path.join(dir, "app.env");
  const nodeEnv = path.join(dir, "node-env");
  const hook = path.join(dir, "secrets");
  fs.writeFileSync(envFile, heredoc(userData, ENV_FILE) + "\n");
  fs.writeFileSync(nodeEnv, heredoc(userData, NODE_ENV_SCRIPT), { mode: 0o755 });
  fs.writeFileSync(hook, heredoc(userData, SECRETS_SCRIPT), { mode: 0o755 });
  fs.appendFileSync(envFile, execFileSync("bash", [nodeEnv, ip], { encoding: "utf8" }));
  // the AWS CLI stand-in: secretsmanager get-secret-value --region R --secret-id ARN ...
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(dir, "secrets.json"), JSON.stringify(secrets));
  fs.writeFileSync(path.join(bin, "aws"), [
    "#!/bin/bash",
    "set -euo pipefail",
    "while [ $# -gt 0 ]; do case $1 in --region) region=$2; shift;; --secret-id) id=$2; shift;; esac; shift; done",
    `echo "$region $id" >> ${dir}/fetched.log`,
    `jq -er --arg id "$id" '.[$id]' ${dir}/secrets.json`,
  ].join("\n"), { mode: 0o755 });
  const out = path.join(dir, "run", "secrets.env");
  execFileSync("bash", [hook], { env: { PATH: `${bin}:${process.env.PATH}`, RESILIENT_FEED_ENV_FILE: envFile, RESILIENT_FEED_SECRETS_FILE: out }, stdio: ["ignore", "pipe", "pipe"] });
  assert.equal(fs.statSync(out).mode & 0o777, 0o600, "the secrets file is readable by root only");
  const env = { ...parseEnvFile(fs.readFileSync(envFile, "utf8")), ...parseEnvFile(fs.readFileSync(out, "utf8")) };
  const fetched = fs.readFileSync(path.join(dir, "fetched.log"), "utf8").trim().split("\n");
  fs.rmSync(dir, { recursive: true, force: true });
  return { env, fetched };
}

/** [k1, v1, k2, v2, ...] → [[k1, v1], ...] (XINFO replies) */
const chunk = (flat: unknown[]): [string, unknown][] => Array.from({ length: flat.length / 2 }, (_, i) => [String(flat[2 * i]), flat[2 * i + 1]]);
const regionOf = (arn: string) => arn.split(":")[3];

describe("user data ↔ app: what the boot scripts write is what the app accepts", function () {
  this.timeout(120_000);
  let tmp: string;
  let tls: ServerCert;
  let caFile: string;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rf-contract-"));
    // a test CA and a server certificate for 127.0.0.1, standing in for the RDS and Amazon CAs
    tls = makeServerCert(tmp);
    caFile = tls.caFile;
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  describe("the composed prod stack (warm standby)", () => {
    let prod: Recorded;
    before(async () => {
      prod = await deploySites(prodTopology(), tinyBundle());
    });

    for (const [site, ip, siteId, nodeId] of [["primary", "10.10.64.37", 1, 37], ["secondary", "10.20.127.254", 2, 16382]] as const) {
      it(`${site}: an instance at ${ip} gets a config the app loads, with the right endpoints and credentials`, () => {
        const userData = launchUserData(prod, `${site}-api`);
        const rendered = parseEnvFile(heredoc(userData, ENV_FILE));
        const secrets = {
          [rendered.DB_SECRET_ARN]: JSON.stringify({ username: APP_DB_USERNAME, password: NASTY_DB_PASSWORD }),
          [rendered.REDIS_AUTH_SECRET_ARN]: NASTY_REDIS_TOKEN,
          [rendered.SESSION_SECRET_ARN]: SESSION,
        };
        const { env, fetched } = boot(userData, ip, secrets);
        // each secret read once, from its own region; the standby reads its local replica of the
        // master credentials (Tokyo), so a Seoul outage does not keep its instances from starting
        assert.deepEqual(fetched.sort(), Object.keys(secrets).map((arn) => `${regionOf(arn)} ${arn}`).sort());
        assert.equal(regionOf(rendered.DB_SECRET_ARN), site === "primary" ? "ap-northeast-2" : "ap-northeast-1");
        // the app's own user's secret: the master credentials never reach an instance
        assert.match(rendered.DB_SECRET_ARN, /:secret:db-app-user$/);
        assert.ok(!Object.values(rendered).some((v) => v.includes("db-master")), "no master secret in the instance environment");

        // the CA bundle is downloaded at boot to the path the env names; here, the test CA
        assert.equal(env.DB_TLS_CA_FILE, RDS_CA_FILE);
        const config = loadConfig({ ...env, DB_TLS_CA_FILE: caFile });
        assert.deepEqual([config.siteId, config.nodeId, config.port, config.drainSeconds, config.cookieSecure, config.sessionSecret], [siteId, nodeId, 8080, 30, true, SESSION]);
        assert.equal(config.dbTls?.ca, fs.readFileSync(caFile, "utf8"));

        const primary = new URL(config.dbPrimaryUrl);
        const replica = new URL(config.dbReplicaUrl);
        const writer = "primary-db.mock.ap-northeast-2.rds.amazonaws.com";
        const replicas = site === "primary"
          ? ["primary-db-read-0.mock.ap-northeast-2.rds.amazonaws.com", "primary-db-read-1.mock.ap-northeast-2.rds.amazonaws.com"]
          : ["secondary-db.mock.ap-northeast-1.rds.amazonaws.com"];
        assert.deepEqual([primary.protocol, primary.hostname, primary.port, primary.pathname], ["mysql:", writer, "3306", "/feed"]);
        assert.equal(replica.hostname, replicas[nodeId % replicas.length], "replica spread by node id");
        for (const u of [primary, replica]) {
          assert.deepEqual([decodeURIComponent(u.username), decodeURIComponent(u.password)], [APP_DB_USERNAME, NASTY_DB_PASSWORD]);
        }
        const redis = new URL(config.redisUrl);
        assert.deepEqual([redis.protocol, redis.hostname, redis.port, decodeURIComponent(redis.password)], ["rediss:", `master.${site}-cache.mock.${site === "primary" ? "ap-northeast-2" : "ap-northeast-1"}.cache.amazonaws.com`, "6379", NASTY_REDIS_TOKEN]);
      });
    }

    it("node ids: offsets in the app tier, so instances in different AZ subnets never share one", () => {
      const userData = launchUserData(prod, "primary-api");
      const script = path.join(tmp, "node-env");
      fs.writeFileSync(script, heredoc(userData, NODE_ENV_SCRIPT));
      const node = (ip: string) => execFileSync("bash", [script, ip], { encoding: "utf8" }).split("\n")[0];
      // Seoul's app subnets are 10.10.64.0/20, 10.10.80.0/20, 10.10.96.0/20 (one per AZ)
      assert.deepEqual(["10.10.64.4", "10.10.80.4", "10.10.96.4", "10.10.127.255"].map(node), ["NODE_ID=4", "NODE_ID=4100", "NODE_ID=8196", "NODE_ID=16383"]);
    });

    it("the dashboard's app metrics are metrics the app registers", async () => {
      const names = (await new Metrics().registry.getMetricsAsJSON()).map((m) => m.name);
      for (const m of [...APP_BUSINESS_METRICS, APP_CACHE_METRIC]) assert.ok(names.includes(m), `app has no metric ${m}`);
    });
  });

  describe("end to end: the API started from that environment, against TLS-only MariaDB and Redis", () => {
    let db: MariaDbService;
    let redis: RedisService;
    let api: ChildProcess | undefined;
    let worker: ChildProcess | undefined;

    before(async () => {
      [db, redis] = await Promise.all([
        startMariaDb({ args: tlsOnlyMariaDbArgs(tls) }),
        startRedis({ tls, password: NASTY_REDIS_TOKEN }),
      ]);
      const root = await db.rootConnection();
      try {
        await root.query("CREATE DATABASE feed");
        // the app's user as the provisioning Lambda creates it, root standing in for the master user
        await provisionAppUser(root, { host: "127.0.0.1", port: db.port, database: "feed", master: { username: "root", password: "" }, app: { username: APP_DB_USERNAME, password: NASTY_DB_PASSWORD } });
      } finally {
        await root.end();
      }
    });
    after(async () => {
      api?.kill("SIGKILL");
      worker?.kill("SIGKILL");
      await Promise.all([db?.stop(), redis?.stop()]);
    });

    it("the database refuses a connection without TLS (as RDS does with require_secure_transport)", async () => {
      await assert.rejects(
        mysql.createConnection({ host: "127.0.0.1", port: db.port, user: APP_DB_USERNAME, password: NASTY_DB_PASSWORD, database: "feed" }),
        /insecure transport|SSL|Access denied/i,
      );
    });

    it("the released bundle serves signup, login and a post, every credential coming from the secrets hook", async () => {
      const port = await freePort();
      // the instances use the default (9464, what the agent scrapes); here any free port, tests run side by side
      const metricsPort = await freePort();
      const params: UserDataParams = {
        project: "resilient-feed", environment: "prod", siteKey: "primary", siteId: 1, region: "ap-northeast-2", port, drainSeconds: 5,
        appTierCidr: "127.0.0.0/18", cookieSecure: false, edgeFront: "direct",
        sessionSecretArn: "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:session",
        bundle: { bucket: "b", serverKey: "s", workerKey: "w", serverSha256: "0".repeat(64), workerSha256: "1".repeat(64) },
        database: { primaryHost: "127.0.0.1", replicaHosts: ["127.0.0.1"], port: db.port, name: "feed", secretArn: "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:db-app-user" },
        redis: { host: "127.0.0.1", port: redis.port, authSecretArn: "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:cache" },
        logGroupName: "g", metricsNamespace: "ResilientFeed",
      };
      const { env } = boot(renderUserData(params), "127.0.0.9", {
        [params.database.secretArn]: JSON.stringify({ username: APP_DB_USERNAME, password: NASTY_DB_PASSWORD }),
        [params.redis!.authSecretArn]: NASTY_REDIS_TOKEN,
        [params.sessionSecretArn]: SESSION,
      });
      assert.equal(env.NODE_ID, "9");
      // the release the instances run: the esbuild bundle (migrations embedded), alone in a directory
      const release = path.join(tmp, "release");
      const built = buildAppBundle(DEFAULT_ENTRIES, path.join(tmp, "bundle"));
      fs.mkdirSync(release);
      fs.copyFileSync(built.server.path, path.join(release, "server.js"));
      fs.copyFileSync(built.worker.path, path.join(release, "worker.js"));
      // Node trusts the Amazon CA behind ElastiCache by default; here the test CA stands in for it
      const logFile = path.join(tmp, "api.log");
      const out = fs.openSync(logFile, "w");
      api = spawn(process.execPath, [path.join(release, "server.js")], {
        cwd: release,
        env: { PATH: process.env.PATH, ...env, HOST: "127.0.0.1", METRICS_PORT: String(metricsPort), DB_TLS_CA_FILE: caFile, NODE_EXTRA_CA_CERTS: caFile, LOG_LEVEL: "warn" },
        stdio: ["ignore", out, out],
      });
      fs.closeSync(out);
      const base = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 60_000;
      let ready: { status?: string } = {};
      while (Date.now() < deadline && ready.status !== "ready") {
        assert.equal(api.exitCode, null, `API exited: ${fs.readFileSync(logFile, "utf8").slice(-2000)}`);
        ready = await fetch(`${base}/readyz`).then((r) => r.json() as Promise<{ status?: string }>, () => ({}));
        if (ready.status !== "ready") await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(ready.status, "ready", fs.readFileSync(logFile, "utf8").slice(-2000));

      const post = (p: string, body: unknown, cookie?: string) =>
        fetch(`${base}${p}`, { method: "POST", headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) }, body: JSON.stringify(body) });
      const signup = await post("/auth/signup", { handle: "contract_user", displayName: "Contract", password: "correct horse battery" });
      assert.equal(signup.status, 201, await signup.clone().text());
      const login = await post("/auth/login", { handle: "contract_user", password: "correct horse battery" });
      assert.equal(login.status, 200);
      const cookie = login.headers.get("set-cookie")!.split(";")[0];
      const created = await post("/posts", { text: "written over TLS" }, cookie);
      assert.equal(created.status, 201, await created.clone().text());
      const { post: p } = (await created.json()) as { post: { id: string } };
      const read = await fetch(`${base}/posts/${p.id}`);
      assert.equal(read.status, 200);
      // the business counter the dashboard shows (shipped by the CloudWatch agent from the loopback listener)
      assert.match(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text(), /^posts_created_total 1$/m);

      // the bundled worker, same environment: consumes the post's fan-out job over TLS
      const workerLog = path.join(tmp, "worker.log");
      const wout = fs.openSync(workerLog, "w");
      worker = spawn(process.execPath, [path.join(release, "worker.js")], { cwd: release, env: { PATH: process.env.PATH, ...env, DB_TLS_CA_FILE: caFile, NODE_EXTRA_CA_CERTS: caFile, LOG_LEVEL: "info" }, stdio: ["ignore", wout, wout] });
      fs.closeSync(wout);
      const redisClient = new Redis(env.REDIS_URL, { tls: { ca: fs.readFileSync(caFile) }, lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await redisClient.connect();
        let group: Record<string, unknown> = {};
        const until = Date.now() + 30_000;
        while (Date.now() < until) {
          assert.equal(worker.exitCode, null, `worker exited: ${fs.readFileSync(workerLog, "utf8").slice(-2000)}`);
          const groups = (await redisClient.xinfo("GROUPS", "stream:fanout").catch(() => [])) as unknown[][];
          group = groups.length > 0 ? Object.fromEntries(chunk(groups[0])) : {};
          if (group["entries-read"] === 1 && group.pending === 0) break;
          await new Promise((r) => setTimeout(r, 200));
        }
        assert.deepEqual([group["entries-read"], group.pending, group.consumers], [1, 0, 1], fs.readFileSync(workerLog, "utf8").slice(-2000));
      } finally {
        redisClient.disconnect();
      }

      // and the server saw TLS sessions from the app's own user (migrations at boot included)
      const root = await db.rootConnection();
      try {
        const [rows] = await root.query("SELECT COUNT(*) AS n FROM information_schema.processlist WHERE user = ?", [APP_DB_USERNAME]);
        assert.ok((rows as Array<{ n: number }>)[0].n > 0, `the app holds connections as ${APP_DB_USERNAME}`);
      } finally {
        await root.end();
      }
    });
  });
});
