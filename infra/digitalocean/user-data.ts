import { DISABLE_SSH, fetchChecked, installNode, METADATA_ROOT_ONLY, shellQuote } from "./boot-steps";
import { NODE_ID_SCRIPT, nodeIdScript } from "./node-id";

// The API droplets' cloud-init script, rendered from plain values (resolved Outputs). It is wrapped
// in pulumi.secret by the caller: DigitalOcean has no secrets manager, so the app user's
// credentials travel in user data, which the API returns (the pool's droplet_template.user_data)
// and the metadata service serves to anyone on the droplet. Hence: only the app user's
// credentials (never doadmin's), and non-root access to the metadata address blocked at boot.

export interface DoUserDataParams {
  readonly siteId: number;
  readonly siteKey: string;
  readonly port: number;
  readonly drainSeconds: number;
  readonly vpcCidr: string;
  /** the release in the private Spaces bucket, read with a read-only key granted on that bucket */
  readonly release: {
    readonly region: string;
    readonly bucket: string;
    readonly serverKey: string;
    readonly workerKey: string;
    readonly serverSha256: string;
    readonly workerSha256: string;
    readonly accessKey: string;
    readonly secretKey: string;
  };
  /** mysql:// URLs of the writer and the read replica (private hosts), with the app user */
  readonly dbPrimaryUrl: string;
  readonly dbReplicaUrl: string;
  /** the cluster's CA (getDatabaseCa): MySQL is verified against it */
  readonly dbCaCertificate: string;
  /** rediss:// URL of the Valkey cluster (private host) */
  readonly redisUrl: string;
  readonly sessionSecret: string;
}

export const APP_DIR = "/opt/resilient-feed";
export const ENV_FILE = "/etc/resilient-feed/app.env";
export const DB_CA_FILE = "/etc/resilient-feed/mysql-ca.pem";

/** The app's environment: what the API and the worker read (app/src/config.ts). */
export function doAppEnvironment(p: DoUserDataParams): Record<string, string> {
  return {
    NODE_ENV: "production",
    PORT: String(p.port),
    SITE_ID: String(p.siteId),
    SITE_KEY: p.siteKey,
    DB_PRIMARY_URL: p.dbPrimaryUrl,
    DB_REPLICA_URL: p.dbReplicaUrl,
    DB_TLS: "true",
    DB_TLS_CA_FILE: DB_CA_FILE,
    REDIS_URL: p.redisUrl,
    SESSION_SECRET: p.sessionSecret,
    COOKIE_SECURE: "true",
    DRAIN_SECONDS: String(p.drainSeconds),
    // users reach the droplets through Cloudflare's proxy (the load balancer admits only its
    // ranges), which names the visitor in CF-Connecting-IP: the address the app's throttles use
    // (that DigitalOcean's load balancer passes the header on unchanged is unverified)
    CLIENT_IP_SOURCE: "cf-connecting-ip",
  };
}

function unit(name: "api" | "worker", entry: string, p: DoUserDataParams): string {
  return [
    "[Unit]",
    `Description=resilient-feed ${name}`,
    "After=network-online.target",
    "Wants=network-online.target",
    "[Service]",
    "User=feed",
    `EnvironmentFile=${ENV_FILE}`,
    `ExecStart=${APP_DIR}/node/bin/node ${APP_DIR}/${entry}`,
    "Restart=always",
    // the pool destroys a droplet a short while after shutting it down: drain inside that window
    `TimeoutStopSec=${p.drainSeconds + 5}`,
    "[Install]",
    "WantedBy=multi-user.target",
  ].join("\n");
}

export function renderDoUserData(p: DoUserDataParams): string {
  const env = Object.entries({ ...doAppEnvironment(p) }).map(([k, v]) => `${k}=${v}`).join("\n");
  const r = p.release;
  return [
    "#!/bin/bash",
    "set -euo pipefail",
    DISABLE_SSH,
    "useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin feed || true",
    `install -d -m 0755 ${APP_DIR} && install -d -m 0700 /etc/resilient-feed`,
    `SPACES_KEY=${shellQuote(r.accessKey)}`,
    `SPACES_SECRET=${shellQuote(r.secretKey)}`,
    ...installNode(`${APP_DIR}/node`),
    ...fetchChecked(r.bucket, r.region, r.serverKey, r.serverSha256, `${APP_DIR}/server.js`),
    ...fetchChecked(r.bucket, r.region, r.workerKey, r.workerSha256, `${APP_DIR}/worker.js`),
    "unset SPACES_KEY SPACES_SECRET",
    `cat > ${DB_CA_FILE} <<'CA'\n${p.dbCaCertificate.trim()}\nCA`,
    `chmod 0644 ${DB_CA_FILE}`,
    `cat > ${NODE_ID_SCRIPT} <<'SCRIPT'\n${nodeIdScript(p.vpcCidr)}\nSCRIPT`,
    `chmod 0755 ${NODE_ID_SCRIPT}`,
    `umask 077 && cat > ${ENV_FILE} <<'ENV'\n${env}\nENV`,
    `${NODE_ID_SCRIPT} >> ${ENV_FILE}`,
    METADATA_ROOT_ONLY,
    `cat > /etc/systemd/system/resilient-feed-api.service <<'UNIT'\n${unit("api", "server.js", p)}\nUNIT`,
    `cat > /etc/systemd/system/resilient-feed-worker.service <<'UNIT'\n${unit("worker", "worker.js", p)}\nUNIT`,
    "systemctl daemon-reload",
    "systemctl enable --now resilient-feed-api.service resilient-feed-worker.service",
    "",
  ].join("\n");
}
