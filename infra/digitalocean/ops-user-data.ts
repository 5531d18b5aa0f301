import { DISABLE_SSH, fetchChecked, installNode, METADATA_ROOT_ONLY, shellQuote, spacesCurl } from "./boot-steps";

// The ops runner's cloud-init, rendered from plain values (resolved Outputs) and wrapped in
// pulumi.secret by the caller. It carries doadmin's password: the grants and a restore need it
// (DatabaseUser has no privilege inputs), and a DigitalOcean API token that can read this user
// data can read doadmin's password from the cluster anyway. No app runs here and no user but root
// exists; the metadata service is still closed to non-root users.
//
// At boot (resilient-feed-ops-boot.service, retried until it succeeds: the database firewall may
// admit the droplet only after it exists): restore the named dump into the new cluster (only a
// database without data; one already restored is left alone), then the app user's grants. Every
// intervalMinutes (resilient-feed-dump.timer; a dump before the boot unit finished fails): a dump, uploaded to the dump
// bucket in the other region, then the heartbeat call. A failed dump makes no call: the push
// monitor behind heartbeatUrl alerts when a call is overdue (dead-man's switch).

export interface OpsUserDataParams {
  readonly siteKey: string;
  /** the ops tool in the private release bucket, checked by its SHA-256 */
  readonly tool: { readonly bucket: string; readonly region: string; readonly key: string; readonly sha256: string };
  /** the runner's Spaces key: read on the release bucket, readwrite on the dump bucket */
  readonly spaces: { readonly accessKey: string; readonly secretKey: string };
  readonly db: { readonly host: string; readonly port: number; readonly adminUser: string; readonly adminPassword: string; readonly caCertificate: string; readonly name: string };
  readonly app: { readonly username: string; readonly password: string };
  readonly dumps: { readonly bucket: string; readonly region: string; readonly intervalMinutes: number; readonly heartbeatUrl?: string };
  /** dr.restoreFromDump: the dump the boot unit loads into this site's new cluster */
  readonly restoreKey?: string;
}

export const OPS_DIR = "/opt/resilient-feed-ops";
export const OPS_ENV_FILE = "/etc/resilient-feed-ops/ops.env";
export const OPS_CA_FILE = "/etc/resilient-feed-ops/mysql-ca.pem";
const WORK_DIR = "/var/lib/resilient-feed-ops";
/** written when the boot unit is done: the dump refuses to run before (a dump of a database not yet restored) */
const READY_FILE = `${WORK_DIR}/ready`;
/** the ops tool's exit code for "the database already holds data": a restore done before */
export const RESTORE_ALREADY_DONE = 3;

/** The runner's environment: the ops tool's OPS_* keys and what the scripts read. */
export function opsEnvironment(p: OpsUserDataParams): Record<string, string> {
  return {
    OPS_DB_HOST: p.db.host,
    OPS_DB_PORT: String(p.db.port),
    OPS_DB_ADMIN_USER: p.db.adminUser,
    OPS_DB_ADMIN_PASSWORD: p.db.adminPassword,
    OPS_DB_CA_FILE: OPS_CA_FILE,
    OPS_DB_NAME: p.db.name,
    OPS_APP_USER: p.app.username,
    OPS_APP_PASSWORD: p.app.password,
    SPACES_KEY: p.spaces.accessKey,
    SPACES_SECRET: p.spaces.secretKey,
    DUMP_SITE: p.siteKey,
    HEARTBEAT_URL: p.dumps.heartbeatUrl ?? "",
    RESTORE_KEY: p.restoreKey ?? "",
  };
}

const node = `${OPS_DIR}/node/bin/node ${OPS_DIR}/ops.js`;

function dumpScript(p: OpsUserDataParams): string {
  return [
    "#!/bin/bash",
    "set -euo pipefail",
    // not Requires= on the boot unit: a failed dependency would keep the timer's unit from running at all
    `if [ ! -f ${READY_FILE} ]; then echo "the boot unit (restore, grants) has not finished" >&2; exit 1; fi`,
    `file=${WORK_DIR}/dump.sql.gz`,
    'key="dumps/${DUMP_SITE}/$(date -u +%Y-%m-%dT%H-%M-%SZ).sql.gz"',
    `${node} dump "$file"`,
    spacesCurl(p.dumps.bucket, p.dumps.region, "${key}", '-T "$file"', true),
    'rm -f "$file"',
    // the dead-man's switch: only a dump that reached the other region counts
    'if [ -n "$HEARTBEAT_URL" ]; then curl -sSf --retry 3 -m 10 -o /dev/null "$HEARTBEAT_URL"; fi',
  ].join("\n");
}

function restoreScript(p: OpsUserDataParams): string {
  return [
    "#!/bin/bash",
    "set -euo pipefail",
    'if [ -z "$RESTORE_KEY" ]; then exit 0; fi',
    `file=${WORK_DIR}/restore.sql.gz`,
    spacesCurl(p.dumps.bucket, p.dumps.region, "${RESTORE_KEY}", '-o "$file"', true),
    `${node} restore "$file"`,
    'rm -f "$file"',
  ].join("\n");
}

function units(p: OpsUserDataParams): Record<string, string> {
  return {
    "resilient-feed-ops-boot.service": [
      "[Unit]",
      "Description=resilient-feed ops: restore the named dump, then the app user's grants",
      "After=network-online.target",
      "Wants=network-online.target",
      "StartLimitIntervalSec=0",
      "[Service]",
      "Type=oneshot",
      "RemainAfterExit=yes",
      `EnvironmentFile=${OPS_ENV_FILE}`,
      `ExecStart=/usr/local/bin/resilient-feed-restore`,
      `ExecStart=${node} grants`,
      `ExecStartPost=/usr/bin/touch ${READY_FILE}`,
      // a database that already holds data was restored before (a replaced runner): not a failure
      `SuccessExitStatus=${RESTORE_ALREADY_DONE}`,
      "Restart=on-failure",
      "RestartSec=30",
      "[Install]",
      "WantedBy=multi-user.target",
    ].join("\n"),
    "resilient-feed-dump.service": [
      "[Unit]",
      "Description=resilient-feed ops: dump the writer to the dump bucket",
      "After=resilient-feed-ops-boot.service",
      "[Service]",
      "Type=oneshot",
      `EnvironmentFile=${OPS_ENV_FILE}`,
      "ExecStart=/usr/local/bin/resilient-feed-dump",
    ].join("\n"),
    "resilient-feed-dump.timer": [
      "[Unit]",
      "Description=resilient-feed ops: a dump every interval",
      "[Timer]",
      "OnBootSec=5min",
      `OnUnitActiveSec=${p.dumps.intervalMinutes}min`,
      "AccuracySec=1min",
      "[Install]",
      "WantedBy=timers.target",
    ].join("\n"),
  };
}

export function renderOpsUserData(p: OpsUserDataParams): string {
  const env = Object.entries(opsEnvironment(p)).map(([k, v]) => `${k}=${v}`).join("\n");
  const file = (path: string, body: string, mode: string, tag = "EOF") => [`cat > ${path} <<'${tag}'\n${body}\n${tag}`, `chmod ${mode} ${path}`];
  return [
    "#!/bin/bash",
    "set -euo pipefail",
    DISABLE_SSH,
    `install -d -m 0700 ${OPS_DIR} /etc/resilient-feed-ops ${WORK_DIR}`,
    "umask 077",
    ...file(OPS_ENV_FILE, env, "0600", "ENV"),
    `SPACES_KEY=${shellQuote(p.spaces.accessKey)}`,
    `SPACES_SECRET=${shellQuote(p.spaces.secretKey)}`,
    ...installNode(`${OPS_DIR}/node`),
    ...fetchChecked(p.tool.bucket, p.tool.region, p.tool.key, p.tool.sha256, `${OPS_DIR}/ops.js`),
    ...file(OPS_CA_FILE, p.db.caCertificate.trim(), "0600", "CA"),
    ...file("/usr/local/bin/resilient-feed-dump", dumpScript(p), "0700", "SCRIPT"),
    ...file("/usr/local/bin/resilient-feed-restore", restoreScript(p), "0700", "SCRIPT"),
    METADATA_ROOT_ONLY,
    ...Object.entries(units(p)).flatMap(([name, body]) => file(`/etc/systemd/system/${name}`, body, "0644", "UNIT")),
    "systemctl daemon-reload",
    // --no-block: the boot unit retries until the database firewall admits this droplet
    "systemctl enable --now --no-block resilient-feed-ops-boot.service resilient-feed-dump.timer",
    "",
  ].join("\n");
}
