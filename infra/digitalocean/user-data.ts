import { NODE_MAJOR } from "../facts/node-runtime";
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
  };
}

const quote = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;

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

/** Downloads one release file from the private bucket (SigV4, curl) and checks its SHA-256. */
function fetchRelease(key: string, sha256: string, target: string, p: DoUserDataParams): string[] {
  const host = `${p.release.bucket}.${p.release.region}.digitaloceanspaces.com`;
  return [
    `curl -sSf --retry 5 --aws-sigv4 'aws:amz:${p.release.region}:s3' --user "$SPACES_KEY:$SPACES_SECRET" -o ${target} 'https://${host}/${key}'`,
    `echo '${sha256}  ${target}' | sha256sum -c -`,
  ];
}

export function renderDoUserData(p: DoUserDataParams): string {
  const env = Object.entries({ ...doAppEnvironment(p) }).map(([k, v]) => `${k}=${v}`).join("\n");
  const nodeTar = `node-v${NODE_MAJOR}-linux-x64.tar.xz`;
  return [
    "#!/bin/bash",
    "set -euo pipefail",
    // no logins: the SSH key only stops DigitalOcean from e-mailing a root password
    "systemctl disable --now ssh.socket ssh.service || true",
    "useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin feed || true",
    `install -d -m 0755 ${APP_DIR} && install -d -m 0700 /etc/resilient-feed`,
    `SPACES_KEY=${quote(p.release.accessKey)}`,
    `SPACES_SECRET=${quote(p.release.secretKey)}`,
    // Node over HTTPS only (no apt over port 80), checked against the release's published sums
    `latest=$(curl -sSf --retry 5 https://nodejs.org/dist/latest-v${NODE_MAJOR}.x/SHASUMS256.txt | grep ' node-v${NODE_MAJOR}\\.[0-9.]*-linux-x64.tar.xz$')`,
    `tarball=$(echo "$latest" | awk '{print $2}')`,
    `curl -sSf --retry 5 -o /tmp/${nodeTar} "https://nodejs.org/dist/latest-v${NODE_MAJOR}.x/$tarball"`,
    `echo "$(echo "$latest" | awk '{print $1}')  /tmp/${nodeTar}" | sha256sum -c -`,
    `install -d ${APP_DIR}/node && tar -xJf /tmp/${nodeTar} -C ${APP_DIR}/node --strip-components=1`,
    ...fetchRelease(p.release.serverKey, p.release.serverSha256, `${APP_DIR}/server.js`, p),
    ...fetchRelease(p.release.workerKey, p.release.workerSha256, `${APP_DIR}/worker.js`, p),
    "unset SPACES_KEY SPACES_SECRET",
    `cat > ${DB_CA_FILE} <<'CA'\n${p.dbCaCertificate.trim()}\nCA`,
    `chmod 0644 ${DB_CA_FILE}`,
    `cat > ${NODE_ID_SCRIPT} <<'SCRIPT'\n${nodeIdScript(p.vpcCidr)}\nSCRIPT`,
    `chmod 0755 ${NODE_ID_SCRIPT}`,
    `umask 077 && cat > ${ENV_FILE} <<'ENV'\n${env}\nENV`,
    `${NODE_ID_SCRIPT} >> ${ENV_FILE}`,
    // only root reads the metadata service from now on (it serves this script, credentials included)
    "iptables -A OUTPUT -d 169.254.169.254 -m owner ! --uid-owner 0 -j REJECT",
    `cat > /etc/systemd/system/resilient-feed-api.service <<'UNIT'\n${unit("api", "server.js", p)}\nUNIT`,
    `cat > /etc/systemd/system/resilient-feed-worker.service <<'UNIT'\n${unit("worker", "worker.js", p)}\nUNIT`,
    "systemctl daemon-reload",
    "systemctl enable --now resilient-feed-api.service resilient-feed-worker.service",
    "",
  ].join("\n");
}
