import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadConfig } from "../../app/src/config";
import { DB_CA_FILE, doAppEnvironment, renderDoUserData, type DoUserDataParams } from "../../infra/digitalocean/user-data";

// The environment the droplets' cloud-init writes is one the app accepts (app/src/config.ts), with
// NODE_ID appended at boot: the config half of the cloud-init contract (cloud-init-contract.test.ts
// runs the script and starts the API against TLS-only MariaDB and Redis).

const PARAMS: DoUserDataParams = {
  siteId: 1,
  siteKey: "primary",
  port: 8080,
  drainSeconds: 30,
  vpcCidr: "10.30.0.0/18",
  release: { region: "sgp1", bucket: "rf-dev-primary-releases", serverKey: "releases/0123456789abcdef/server.js", workerKey: "releases/0123456789abcdef/worker.js", serverSha256: "a".repeat(64), workerSha256: "b".repeat(64), accessKey: "DO00KEY", secretKey: "it's-secret" },
  dbPrimaryUrl: "mysql://feedapp:p%40ss@private-db.example:25060/feed",
  dbReplicaUrl: "mysql://feedapp:p%40ss@private-db-read.example:25060/feed",
  dbCaCertificate: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
  redisUrl: "rediss://default:pw@private-cache.example:25061",
  sessionSecret: "s".repeat(64),
};

describe("digitalocean: the droplets' app environment", () => {
  it("parses with the app's own config loader (NODE_ID appended at boot, the CA file in place)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "do-env-"));
    try {
      const ca = path.join(dir, "ca.pem");
      fs.writeFileSync(ca, PARAMS.dbCaCertificate);
      const env = { ...doAppEnvironment(PARAMS), DB_TLS_CA_FILE: ca, NODE_ID: "3106" };
      const cfg = loadConfig(env) as Record<string, any>;
      assert.equal(cfg.siteId, 1);
      assert.equal(cfg.nodeId, 3106);
      assert.equal(cfg.dbPrimaryUrl, PARAMS.dbPrimaryUrl);
      assert.equal(cfg.auth.clientIpSource, "cf-connecting-ip", "behind Cloudflare's proxy, the throttles read CF-Connecting-IP");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(doAppEnvironment(PARAMS).DB_TLS_CA_FILE, DB_CA_FILE);
  });

  it("the script: Spaces secret quoted for bash, both files hash-checked, env file 0600, units for the API and the worker", () => {
    const script = renderDoUserData(PARAMS);
    assert.match(script, /SPACES_SECRET='it'\\''s-secret'/);
    assert.equal(script.match(/sha256sum -c -/g)?.length, 3, "Node and both release files");
    assert.match(script, /echo 'a{64}  \/opt\/resilient-feed\/server\.js' \| sha256sum -c -/);
    assert.match(script, /umask 077 && cat > \/etc\/resilient-feed\/app\.env/);
    assert.match(script, /\/usr\/local\/bin\/resilient-feed-node-id >> \/etc\/resilient-feed\/app\.env/);
    assert.match(script, /systemctl enable --now resilient-feed-api\.service resilient-feed-worker\.service/);
    assert.match(script, /TimeoutStopSec=35/);
    assert.doesNotMatch(script, /http:\/\/(?!169\.254\.169\.254)/, "no plain HTTP except the metadata service");
  });
});
