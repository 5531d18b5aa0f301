import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AppBundle, buildAppBundle } from "../../infra/aws/app-bundle";
import { appEnvironment, cloudWatchAgentConfig, nodeIdMask, regionOfArn, renderUserData, type UserDataParams } from "../../infra/aws/user-data";
import { clientAddressEnv } from "../../infra/aws/user-data-params";
import { pick, prodTopology, record, setupMocks, siteOf, type TierMocks } from "./support/harness";
import { heredoc } from "./support/user-data";

const PARAMS: UserDataParams = {
  project: "resilient-feed",
  environment: "prod",
  siteKey: "secondary",
  siteId: 2,
  region: "ap-northeast-1",
  port: 8080,
  drainSeconds: 30,
  bundle: { bucket: "secondary-artifacts", serverKey: "releases/00112233aabbccdd/server.js", workerKey: "releases/00112233aabbccdd/worker.js", serverSha256: "1".repeat(64), workerSha256: "2".repeat(64) },
  database: {
    primaryHost: "primary-db.abc.ap-northeast-2.rds.amazonaws.com",
    replicaHosts: ["secondary-db.abc.ap-northeast-1.rds.amazonaws.com"],
    port: 3306,
    name: "feed",
    secretArn: "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:rds!db-1",
  },
  redis: { host: "master.secondary-cache.abc.apne1.cache.amazonaws.com", port: 6379, authSecretArn: "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:secondary-cache-auth" },
  logGroupName: "/resilient-feed/prod/secondary/app",
  metricsNamespace: "ResilientFeed",
  appTierCidr: "10.20.64.0/18",
  cookieSecure: true,
  edgeFront: "cloudfront",
  publicOrigin: "https://feed.example.com",
  sessionSecretArn: "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:secondary-session",
};


describe("user data (rendered boot script)", () => {
  const text = renderUserData(PARAMS);

  it("is valid bash", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ud-"));
    try {
      const file = path.join(dir, "user-data.sh");
      fs.writeFileSync(file, text);
      execFileSync("bash", ["-n", file]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    assert.ok(text.startsWith("#!/bin/bash\n"));
  });

  it("writes the environment from the Topology: writer in the primary region, local replica and cache, site id", () => {
    assert.equal(heredoc(text, "/etc/resilient-feed/app.env"), [
      "NODE_ENV=production",
      "PORT=8080",
      "SITE_ID=2",
      "SITE_KEY=secondary",
      "AWS_REGION=ap-northeast-1",
      "DB_PRIMARY_HOST=primary-db.abc.ap-northeast-2.rds.amazonaws.com",
      "DB_REPLICA_HOSTS=secondary-db.abc.ap-northeast-1.rds.amazonaws.com",
      "DB_PORT=3306",
      "DB_NAME=feed",
      "DB_SECRET_ARN=arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:rds!db-1",
      "DB_TLS=true",
      "DB_TLS_CA_FILE=/opt/resilient-feed/rds-global-bundle.pem",
      "CACHE_ENABLED=true",
      "REDIS_HOST=master.secondary-cache.abc.apne1.cache.amazonaws.com",
      "REDIS_PORT=6379",
      "REDIS_AUTH_SECRET_ARN=arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:secondary-cache-auth",
      "SESSION_SECRET_ARN=arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:secondary-session",
      "COOKIE_SECURE=true",
      "DRAIN_SECONDS=30",
      "CLIENT_IP_SOURCE=xff",
      "TRUSTED_HOPS=2",
      "ALLOWED_ORIGINS=https://feed.example.com",
    ].join("\n"));
    // the per-instance part is appended at boot from the instance's private address
    assert.ok(text.includes('/usr/local/bin/resilient-feed-node-env "$ip" >> /etc/resilient-feed/app.env\n'));
  });

  it("the client address: X-Forwarded-For behind CloudFront + ALB (2 hops) or the ALB alone (1), CF-Connecting-IP behind Cloudflare", () => {
    assert.deepEqual(clientAddressEnv("cloudfront"), { CLIENT_IP_SOURCE: "xff", TRUSTED_HOPS: "2" });
    assert.deepEqual(clientAddressEnv("direct"), { CLIENT_IP_SOURCE: "xff", TRUSTED_HOPS: "1" });
    assert.deepEqual(clientAddressEnv("cloudflare"), { CLIENT_IP_SOURCE: "cf-connecting-ip" });
    const direct = appEnvironment({ ...PARAMS, edgeFront: "direct", publicOrigin: undefined, cookieSecure: false });
    assert.deepEqual([direct.CLIENT_IP_SOURCE, direct.TRUSTED_HOPS, direct.ALLOWED_ORIGINS], ["xff", "1", undefined]);
  });

  it("reads with no replica → reads go to the writer; no cache → no Redis settings", () => {
    const env = appEnvironment({ ...PARAMS, database: { ...PARAMS.database, replicaHosts: [] }, redis: undefined });
    assert.equal(env.DB_REPLICA_HOSTS, PARAMS.database.primaryHost);
    assert.equal(env.CACHE_ENABLED, "false");
    assert.equal(env.REDIS_HOST, undefined);
    assert.ok(!renderUserData({ ...PARAMS, redis: undefined }).includes("REDIS_URL"));
  });

  it("node ids must fit the app's 14 bits: an app tier wider than a /18 is refused", () => {
    assert.equal(nodeIdMask("10.20.64.0/18"), 16383);
    assert.equal(nodeIdMask("10.30.16.0/22"), 1023);
    assert.throws(() => nodeIdMask("10.0.0.0/17"), /app-tier block 10\.0\.0\.0\/17 has 15 host bits; node ids have 14 \(use a \/18 or smaller\)/);
    for (const bad of ["10.0.0/18", "10.0.0.0/33", "10.0.0.256/24", "10.0.0.0"]) assert.throws(() => nodeIdMask(bad), new RegExp(`user data: ${bad.replace(/[./]/g, "\\$&")} is not a CIDR block`));
  });

  it("fetches and verifies the release from the site's artifact bucket", () => {
    for (const line of [
      "aws s3 cp --region ap-northeast-1 's3://secondary-artifacts/releases/00112233aabbccdd/server.js' /opt/resilient-feed/releases/1111111111111111/server.js",
      "aws s3 cp --region ap-northeast-1 's3://secondary-artifacts/releases/00112233aabbccdd/worker.js' /opt/resilient-feed/releases/1111111111111111/worker.js",
      `echo '${"1".repeat(64)}  /opt/resilient-feed/releases/1111111111111111/server.js' | sha256sum -c -`,
      `echo '${"2".repeat(64)}  /opt/resilient-feed/releases/1111111111111111/worker.js' | sha256sum -c -`,
      "ln -sfn /opt/resilient-feed/releases/1111111111111111 /opt/resilient-feed/current",
      "dnf install -y nodejs22 jq amazon-cloudwatch-agent",
      "systemctl enable --now resilient-feed-api.service resilient-feed-worker.service",
    ]) assert.ok(text.includes(line), `missing: ${line}`);
  });

  it("runs the API and the worker as systemd services with restart policies and a stop timeout beyond the drain", () => {
    for (const [unit, entry] of [["api", "server.js"], ["worker", "worker.js"]]) {
      const body = heredoc(text, `/etc/systemd/system/resilient-feed-${unit}.service`);
      for (const line of ["User=feed", "Restart=always", "RestartSec=2", "KillSignal=SIGTERM", "TimeoutStopSec=40", `ExecStart=/usr/bin/node-22 /opt/resilient-feed/current/${entry}`,
        "ExecStartPre=+/usr/local/bin/resilient-feed-secrets", "EnvironmentFile=/etc/resilient-feed/app.env", "EnvironmentFile=-/run/resilient-feed/secrets.env",
        `StandardOutput=append:/var/log/resilient-feed/${unit}.log`, "NoNewPrivileges=true", "WantedBy=multi-user.target"]) {
        assert.ok(body.split("\n").includes(line), `${unit} unit lacks ${line}`);
      }
    }
  });

  it("secrets are read at service start from each secret's own region, never written into the user data", () => {
    const script = heredoc(text, "/usr/local/bin/resilient-feed-secrets");
    assert.ok(script.includes("aws secretsmanager get-secret-value --region ap-northeast-2 --secret-id 'arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:rds!db-1'"));
    assert.ok(script.includes("aws secretsmanager get-secret-value --region ap-northeast-1 --secret-id 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:secondary-cache-auth'"));
    assert.ok(script.includes("aws secretsmanager get-secret-value --region ap-northeast-1 --secret-id 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:secondary-session'"));
    assert.doesNotMatch(text, /DB_PASSWORD|REDIS_PASSWORD/);
    // (what the script writes, and that the app accepts it, is app-env-contract.test.ts)
  });

  it("ships app logs to the app log group and scrapes the app's Prometheus metrics into CloudWatch", () => {
    const raw = heredoc(text, "/opt/aws/amazon-cloudwatch-agent/etc/resilient-feed.json");
    assert.deepEqual(JSON.parse(raw), cloudWatchAgentConfig(PARAMS));
    const cfg = JSON.parse(raw) as any;
    assert.deepEqual(cfg.logs.logs_collected.files.collect_list.map((f: any) => [f.file_path, f.log_group_name, f.log_stream_name]), [
      ["/var/log/resilient-feed/api.log", "/resilient-feed/prod/secondary/app", "{instance_id}/api"],
      ["/var/log/resilient-feed/worker.log", "/resilient-feed/prod/secondary/app", "{instance_id}/worker"],
      ["/var/log/resilient-feed/bootstrap.log", "/resilient-feed/prod/secondary/app", "{instance_id}/bootstrap"],
    ]);
    assert.equal(cfg.logs.logs_collected.prometheus.emf_processor.metric_namespace, "ResilientFeed");
    assert.match(heredoc(text, "/opt/aws/amazon-cloudwatch-agent/etc/prometheus.yaml"), /targets: \["127\.0\.0\.1:9464"\]/);
  });

  it("reads the region from an ARN", () => {
    assert.equal(regionOfArn("arn:aws:secretsmanager:eu-west-1:1:secret:x"), "eu-west-1");
    assert.throws(() => regionOfArn("nonsense"), /cannot read the region of ARN nonsense/);
  });
});

describe("app bundle (esbuild + hashed release objects)", function () {
  this.timeout(60_000);
  let dir: string;
  let mocks: TierMocks;
  const entries = () => ({ server: path.join(dir, "server.ts"), worker: path.join(dir, "worker.ts") });
  // builds go to a cache inside the test's folder, not the project's
  const cache = () => path.join(dir, "cache");

  before(async () => {
    mocks = await setupMocks();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "bundle-src-"));
    fs.writeFileSync(path.join(dir, "greet.ts"), "export const greet = (n: string): string => `hello ${n}`;\n");
    fs.writeFileSync(path.join(dir, "server.ts"), "import { greet } from './greet';\nimport * as http from 'node:http';\nconsole.log(greet('server'), typeof http.createServer);\n");
    fs.writeFileSync(path.join(dir, "worker.ts"), "import { greet } from './greet';\nconsole.log(greet('worker'));\n");
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("bundles each entry into one self-contained CommonJS file for node22, hashed", () => {
    const b = buildAppBundle(entries(), cache());
    for (const role of ["server", "worker"] as const) {
      const data = fs.readFileSync(b[role].path);
      assert.equal(b[role].sha256, createHash("sha256").update(data).digest("hex"));
      assert.doesNotMatch(data.toString(), /from '\.\/greet'|require\("\.\/greet"\)/);
    }
    assert.equal(execFileSync(process.execPath, [b.server.path], { encoding: "utf8" }), "hello server function\n");
    assert.equal(execFileSync(process.execPath, [b.worker.path], { encoding: "utf8" }), "hello worker\n");
    // same sources, same bytes, same hash; a change changes it
    const again = buildAppBundle(entries(), cache());
    assert.equal(again.hash, b.hash);
    fs.writeFileSync(path.join(dir, "greet.ts"), "export const greet = (n: string): string => `hi ${n}`;\n");
    const changed = buildAppBundle(entries(), cache());
    assert.notEqual(changed.hash, b.hash);
    fs.writeFileSync(path.join(dir, "greet.ts"), "export const greet = (n: string): string => `hello ${n}`;\n");
  });

  it("reuses the cached build while no source file changed, and builds anew into its own folder when one did", () => {
    const first = buildAppBundle(entries(), cache());
    const folder = path.dirname(first.server.path);
    assert.equal(path.dirname(folder), cache());
    assert.match(path.basename(folder), /^[0-9a-f]{64}$/);
    // a build from the cache runs no esbuild: the files are the very same ones (not rewritten)
    const written = fs.statSync(first.server.path).mtimeMs;
    const reused = buildAppBundle(entries(), cache());
    assert.deepEqual(reused, first);
    assert.equal(fs.statSync(reused.server.path).mtimeMs, written);
    // an imported file (not an entry) changes: a new folder, the old one stays for other users
    fs.writeFileSync(path.join(dir, "greet.ts"), "export const greet = (n: string): string => `hey ${n}`;\n");
    const rebuilt = buildAppBundle(entries(), cache());
    assert.notEqual(path.dirname(rebuilt.server.path), folder);
    assert.ok(fs.existsSync(first.server.path));
    assert.equal(execFileSync(process.execPath, [rebuilt.worker.path], { encoding: "utf8" }), "hey worker\n");
    // no staging folder is left behind
    assert.deepEqual(fs.readdirSync(cache()).filter((f) => f.startsWith(".build-")), []);
    fs.writeFileSync(path.join(dir, "greet.ts"), "export const greet = (n: string): string => `hello ${n}`;\n");
  });

  it("fails clearly when an entry is missing", () => {
    assert.throws(() => buildAppBundle({ server: path.join(dir, "nope.ts"), worker: path.join(dir, "worker.ts") }), /AppBundle: the server entry .*nope\.ts does not exist/);
  });

  it("uploads both files under a key carrying the hash, to a private versioned encrypted bucket in the site's region", async () => {
    const t = prodTopology();
    let bundle!: AppBundle;
    const r = await record(mocks, () => { bundle = new AppBundle("primary-app", { topology: t, site: siteOf(t, "primary"), build: buildAppBundle(entries(), cache()) }); });
    const release = `releases/${bundle.hash.slice(0, 16)}`;
    assert.deepEqual(r.of("s3/bucketObjectv2:BucketObjectv2").sort((a, b) => String(a.inputs.key).localeCompare(String(b.inputs.key))).map((o) => pick(o, ["region", "bucket", "key", "contentType", "serverSideEncryption"])), [
      { region: "ap-northeast-2", bucket: "primary-app-artifacts-id", key: `${release}/server.js`, contentType: "application/javascript", serverSideEncryption: "AES256" },
      { region: "ap-northeast-2", bucket: "primary-app-artifacts-id", key: `${release}/worker.js`, contentType: "application/javascript", serverSideEncryption: "AES256" },
    ]);
    assert.deepEqual(r.one("s3/bucketVersioning:BucketVersioning", "primary-app-artifacts").inputs.versioningConfiguration, { status: "Enabled" });
    assert.deepEqual(pick(r.one("s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "primary-app-artifacts"), ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]),
      { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    assert.equal((r.one("s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "primary-app-artifacts").inputs.rules as any[])[0].applyServerSideEncryptionByDefault.sseAlgorithm, "AES256");
    assert.equal(r.one("s3/bucket:Bucket", "primary-app-artifacts").inputs.forceDestroy, false);
    assert.deepEqual([bundle.serverKey, bundle.workerKey], [`${release}/server.js`, `${release}/worker.js`]);
  });
});
