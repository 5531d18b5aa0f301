import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { OPS_ENV_KEYS } from "../../infra/digitalocean/ops-tool/cli";
import { OPS_ENV_FILE, opsEnvironment, renderOpsUserData, RESTORE_ALREADY_DONE, type OpsUserDataParams } from "../../infra/digitalocean/ops-user-data";

// The ops runner's cloud-init: valid bash (the whole script and each script it installs), an
// environment carrying every key the ops tool reads, and units that restore before the grants,
// dump only after them, every interval.

const PARAMS: OpsUserDataParams = {
  siteKey: "primary",
  tool: { bucket: "rf-dev-primary-releases", region: "sgp1", key: "ops/0123456789abcdef/ops.js", sha256: "c".repeat(64) },
  spaces: { accessKey: "DO00KEY", secretKey: "it's/secret+" },
  db: { host: "private-db.example", port: 25060, adminUser: "doadmin", adminPassword: "AVNS_admin", caCertificate: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", name: "feed" },
  app: { username: "feedapp", password: "AVNS_app" },
  dumps: { bucket: "rf-dev-dumps", region: "blr1", intervalMinutes: 30, heartbeatUrl: "https://hc-ping.com/0f0e" },
  restoreKey: "dumps/primary/2026-12-03T18-00-00Z.sql.gz",
};

/** the body of the heredoc that writes `path` */
function written(script: string, path: string): string {
  const m = new RegExp(`cat > ${path.replace(/[./]/g, "\\$&")} <<'([A-Z]+)'\\n([\\s\\S]*?)\\n\\1\\n`).exec(script);
  if (!m) throw new Error(`${path} is not written`);
  return m[2];
}
const bashSyntax = (text: string) => spawnSync("bash", ["-n"], { input: text, encoding: "utf8" });

describe("digitalocean: the ops runner's cloud-init", () => {
  const script = renderOpsUserData(PARAMS);

  it("is valid bash, and so are the dump and restore scripts it installs", () => {
    for (const [name, text] of [["cloud-init", script], ["dump", written(script, "/usr/local/bin/resilient-feed-dump")], ["restore", written(script, "/usr/local/bin/resilient-feed-restore")]]) {
      const r = bashSyntax(text);
      assert.equal(r.status, 0, `${name}: ${r.stderr}`);
    }
  });

  it("the environment file: every key the ops tool reads, the dump site, the heartbeat and the restore key, root-only", () => {
    const env = written(script, OPS_ENV_FILE);
    assert.deepEqual(env.split("\n"), Object.entries(opsEnvironment(PARAMS)).map(([k, v]) => `${k}=${v}`));
    for (const k of [...OPS_ENV_KEYS, "OPS_APP_USER", "OPS_APP_PASSWORD"]) assert.match(env, new RegExp(`^${k}=.+$`, "m"), k);
    assert.match(env, /^RESTORE_KEY=dumps\/primary\/2026-12-03T18-00-00Z\.sql\.gz$/m);
    assert.match(script, new RegExp(`chmod 0600 ${OPS_ENV_FILE.replace(/[./]/g, "\\$&")}`));
  });

  it("the units: restore then grants at boot (retried, 'already restored' is success, not blocking cloud-init); a dump every interval, refused until they are done", () => {
    const boot = written(script, "/etc/systemd/system/resilient-feed-ops-boot.service");
    assert.deepEqual(boot.split("\n").filter((l) => /^(ExecStart|ExecStartPost|SuccessExitStatus|Restart|RestartSec)=/.test(l)), [
      "ExecStart=/usr/local/bin/resilient-feed-restore",
      "ExecStart=/opt/resilient-feed-ops/node/bin/node /opt/resilient-feed-ops/ops.js grants",
      "ExecStartPost=/usr/bin/touch /var/lib/resilient-feed-ops/ready",
      `SuccessExitStatus=${RESTORE_ALREADY_DONE}`,
      "Restart=on-failure",
      "RestartSec=30",
    ]);
    const dump = written(script, "/etc/systemd/system/resilient-feed-dump.service");
    assert.match(dump, /^After=resilient-feed-ops-boot\.service$/m);
    assert.doesNotMatch(dump, /Requires=/);
    assert.match(written(script, "/usr/local/bin/resilient-feed-dump"), /^if \[ ! -f \/var\/lib\/resilient-feed-ops\/ready \]; then .* exit 1; fi$/m);
    assert.match(written(script, "/etc/systemd/system/resilient-feed-dump.timer"), /^OnUnitActiveSec=30min$/m);
    assert.match(script, /systemctl enable --now --no-block resilient-feed-ops-boot\.service resilient-feed-dump\.timer\n$/);
  });

  it("the dump goes to the dump bucket in its region, and only then the heartbeat", () => {
    const dump = written(script, "/usr/local/bin/resilient-feed-dump").split("\n");
    const upload = dump.findIndex((l) => l.includes(`-T "$file" "https://rf-dev-dumps.blr1.digitaloceanspaces.com/\${key}"`));
    const heartbeat = dump.findIndex((l) => l.includes('"$HEARTBEAT_URL"'));
    assert.ok(upload > 0 && heartbeat > upload, dump.join("\n"));
    assert.match(dump[upload], /--aws-sigv4 'aws:amz:blr1:s3'/);
  });
});
