// The API instances' boot script, rendered from plain values (resolved Outputs) so it can be
// asserted as text without Pulumi. It installs Node 20 and the CloudWatch agent, fetches the app
// bundle from the in-region artifact bucket (verifying its SHA-256), writes the environment from
// the Topology, and runs the API and the worker as systemd services with restart policies.
// Secrets (DB credentials, Redis auth token, session secret) are never in the user data: a
// pre-start hook reads them from Secrets Manager on every (re)start and composes the URLs the app
// reads (app/src/config.ts), so a rotated password is picked up on restart.
//
// The contract with the app is tested end to end: test/aws-tiers/app-env-contract.test.ts runs
// these scripts and feeds what they write into the app's loadConfig.

/** Where the app's two entry points live in the artifact bucket. */
export interface BundleLocation {
  readonly bucket: string;
  readonly serverKey: string;
  readonly workerKey: string;
  readonly serverSha256: string;
  readonly workerSha256: string;
}

export interface UserDataParams {
  readonly project: string;
  readonly environment: string;
  readonly siteKey: string;
  /** numeric site id for time-ordered ids (1 primary, 2 secondary) */
  readonly siteId: number;
  readonly region: string;
  readonly port: number;
  readonly drainSeconds: number;
  /**
   * The site's app-tier address block (e.g. 10.10.64.0/18): an instance's offset inside it is its
   * NODE_ID, unique among the site's running instances without coordination.
   */
  readonly appTierCidr: string;
  /** session cookies carry Secure (the listener is HTTPS) */
  readonly cookieSecure: boolean;
  /** the generated session-signing secret (plain string value) */
  readonly sessionSecretArn: string;
  readonly bundle: BundleLocation;
  readonly database: {
    /** the writer (may be in another region for a standby site) */
    readonly primaryHost: string;
    /** read endpoints in this site; empty means reads go to the primary */
    readonly replicaHosts: readonly string[];
    readonly port: number;
    readonly name: string;
    /** the database master credentials ({"username","password"}) in this site's region, read from the ARN */
    readonly secretArn: string;
  };
  /** absent when the site runs no cache */
  readonly redis?: { readonly host: string; readonly port: number; readonly authSecretArn: string };
  readonly logGroupName: string;
  /** CloudWatch namespace of the host and app metrics the agent publishes */
  readonly metricsNamespace: string;
}

export const APP_DIR = "/opt/resilient-feed";
export const ENV_FILE = "/etc/resilient-feed/app.env";
export const SECRETS_FILE = "/run/resilient-feed/secrets.env";
export const SECRETS_SCRIPT = "/usr/local/bin/resilient-feed-secrets";
export const NODE_ENV_SCRIPT = "/usr/local/bin/resilient-feed-node-env";
/** The app's id layout has 14 node bits (app/src/ids.ts). */
export const NODE_ID_BITS = 14;
export const LOG_DIR = "/var/log/resilient-feed";
/** RDS requires TLS (require_secure_transport); its CA bundle is not in Node's default store */
export const RDS_CA_URL = "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem";
export const RDS_CA_FILE = `${APP_DIR}/rds-global-bundle.pem`;

/** The region part of an ARN (arn:partition:service:region:account:...). */
export function regionOfArn(arn: string): string {
  const region = arn.split(":")[3];
  if (!region) throw new Error(`user data: cannot read the region of ARN ${arn}`);
  return region;
}

/**
 * Non-secret environment of both services (systemd EnvironmentFile). NODE_ID and DB_REPLICA_HOST
 * are appended at boot (they depend on the instance's address); the secrets hook adds the rest.
 */
export function appEnvironment(p: UserDataParams): Record<string, string> {
  const replicas = readHosts(p);
  return {
    NODE_ENV: "production",
    PORT: String(p.port),
    SITE_ID: String(p.siteId),
    SITE_KEY: p.siteKey,
    AWS_REGION: p.region,
    DB_PRIMARY_HOST: p.database.primaryHost,
    DB_REPLICA_HOSTS: replicas.join(","),
    DB_PORT: String(p.database.port),
    DB_NAME: p.database.name,
    DB_SECRET_ARN: p.database.secretArn,
    DB_TLS: "true",
    DB_TLS_CA_FILE: RDS_CA_FILE,
    ...(p.redis
      ? { CACHE_ENABLED: "true", REDIS_HOST: p.redis.host, REDIS_PORT: String(p.redis.port), REDIS_AUTH_SECRET_ARN: p.redis.authSecretArn }
      : { CACHE_ENABLED: "false" }),
    SESSION_SECRET_ARN: p.sessionSecretArn,
    COOKIE_SECURE: String(p.cookieSecure),
    DRAIN_SECONDS: String(p.drainSeconds),
  };
}

/** The site's read endpoints; none means reads go to the writer. */
function readHosts(p: UserDataParams): readonly string[] {
  return p.database.replicaHosts.length > 0 ? p.database.replicaHosts : [p.database.primaryHost];
}

/** The host-bit mask of a CIDR block, checked to fit the app's node-id bits. */
export function nodeIdMask(cidr: string): number {
  const prefix = Number(cidr.split("/")[1]);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new Error(`user data: ${cidr} is not a CIDR block`);
  const hostBits = 32 - prefix;
  if (hostBits > NODE_ID_BITS) throw new Error(`user data: app-tier block ${cidr} has ${hostBits} host bits; node ids have ${NODE_ID_BITS} (use a /${32 - NODE_ID_BITS} or smaller)`);
  return 2 ** hostBits - 1;
}

/** The app's Prometheus counters the dashboard shows (app/src/metrics.ts). */
export const APP_BUSINESS_METRICS = ["posts_created_total", "feed_reads_total"] as const;
export const APP_CACHE_METRIC = "cache_requests_total";

/** CloudWatch agent config: app logs to the app log group, host metrics, app Prometheus metrics. */
export function cloudWatchAgentConfig(p: UserDataParams): object {
  const stream = (file: string) => ({ file_path: `${LOG_DIR}/${file}.log`, log_group_name: p.logGroupName, log_stream_name: `{instance_id}/${file}`, retention_in_days: -1 });
  return {
    agent: { metrics_collection_interval: 60, run_as_user: "root" },
    metrics: {
      namespace: `${p.metricsNamespace}/Host`,
      append_dimensions: { AutoScalingGroupName: "${aws:AutoScalingGroupName}", InstanceId: "${aws:InstanceId}" },
      aggregation_dimensions: [["AutoScalingGroupName"]],
      metrics_collected: {
        mem: { measurement: ["mem_used_percent"] },
        disk: { measurement: ["used_percent"], resources: ["/"] },
      },
    },
    logs: {
      logs_collected: {
        files: { collect_list: [stream("api"), stream("worker"), { ...stream("bootstrap"), file_path: `${LOG_DIR}/bootstrap.log` }] },
        prometheus: {
          log_group_name: p.logGroupName,
          prometheus_config_path: "/opt/aws/amazon-cloudwatch-agent/etc/prometheus.yaml",
          emf_processor: {
            metric_namespace: p.metricsNamespace,
            // names as app/src/metrics.ts registers them (a test keeps the two in step)
            metric_declaration: [
              { source_labels: ["job"], label_matcher: "^resilient-feed$", dimensions: [["SiteKey"]], metric_selectors: APP_BUSINESS_METRICS.map((m) => `^${m}$`) },
              { source_labels: ["job"], label_matcher: "^resilient-feed$", dimensions: [["SiteKey", "cache", "result"]], metric_selectors: [`^${APP_CACHE_METRIC}$`] },
            ],
          },
        },
      },
    },
  };
}

function prometheusConfig(p: UserDataParams): string {
  return [
    "global:",
    "  scrape_interval: 60s",
    "  scrape_timeout: 10s",
    "scrape_configs:",
    "  - job_name: resilient-feed",
    "    metrics_path: /metrics",
    "    static_configs:",
    `      - targets: ["127.0.0.1:${p.port}"]`,
    "        labels:",
    `          SiteKey: ${p.siteKey}`,
  ].join("\n");
}

function unit(p: UserDataParams, name: "api" | "worker", entry: string, description: string): string {
  return [
    "[Unit]",
    `Description=${description}`,
    "Wants=network-online.target",
    "After=network-online.target",
    "StartLimitIntervalSec=300",
    "StartLimitBurst=10",
    "",
    "[Service]",
    "Type=simple",
    "User=feed",
    "Group=feed",
    `WorkingDirectory=${APP_DIR}/current`,
    `EnvironmentFile=${ENV_FILE}`,
    `EnvironmentFile=-${SECRETS_FILE}`,
    // runs as root ("+") on every start, so rotated secrets are picked up on restart
    `ExecStartPre=+${SECRETS_SCRIPT}`,
    `ExecStart=/usr/bin/node-20 ${APP_DIR}/current/${entry}`,
    "Restart=always",
    "RestartSec=2",
    "KillSignal=SIGTERM",
    // the app drains for DRAIN_SECONDS after SIGTERM; give it that plus a margin before SIGKILL
    `TimeoutStopSec=${p.drainSeconds + 10}`,
    `StandardOutput=append:${LOG_DIR}/${name}.log`,
    `StandardError=append:${LOG_DIR}/${name}.log`,
    "NoNewPrivileges=true",
    "PrivateTmp=true",
    "ProtectSystem=strict",
    "ProtectHome=true",
    `ReadWritePaths=${LOG_DIR}`,
    "",
    "[Install]",
    "WantedBy=multi-user.target",
  ].join("\n");
}

/**
 * Prints NODE_ID (the address's offset in the app-tier block) and DB_REPLICA_HOST (one of the
 * site's read endpoints, spread by node id) for a private IPv4 address.
 */
function nodeEnvScript(p: UserDataParams): string {
  const replicas = readHosts(p);
  return [
    "#!/bin/bash",
    "# Usage: resilient-feed-node-env <private IPv4>. Prints the instance's NODE_ID and replica.",
    "set -euo pipefail",
    "IFS=. read -r o1 o2 o3 o4 <<<\"$1\"",
    `node=$(( ((o1 << 24) | (o2 << 16) | (o3 << 8) | o4) & ${nodeIdMask(p.appTierCidr)} ))`,
    `replicas=(${replicas.map((h) => `'${h}'`).join(" ")})`,
    "echo \"NODE_ID=$node\"",
    "echo \"DB_REPLICA_HOST=${replicas[node % ${#replicas[@]}]}\"",
  ].join("\n");
}

function secretsScript(p: UserDataParams): string {
  const get = (arn: string) => `aws secretsmanager get-secret-value --region ${regionOfArn(arn)} --secret-id '${arn}' --query SecretString --output text`;
  const lines = [
    "#!/bin/bash",
    "# Writes the services' secret environment from Secrets Manager (run before every start):",
    "# the database and Redis URLs (credentials percent-encoded, so any character is safe in a",
    "# URL and in a systemd EnvironmentFile) and the session secret.",
    "set -euo pipefail",
    "umask 077",
    `env_file=\${RESILIENT_FEED_ENV_FILE:-${ENV_FILE}}`,
    `out=\${RESILIENT_FEED_SECRETS_FILE:-${SECRETS_FILE}}`,
    "setting() { sed -n \"s/^$1=//p\" \"$env_file\" | tail -n 1; }",
    // percent-encode everything but letters, digits and -_.~ (jq 1.6's @uri keeps !*'() too,
    // and a quote would be taken as quoting by systemd's EnvironmentFile parser)
    String.raw`enc='def enc: @uri | gsub("!"; "%21") | gsub("[*]"; "%2A") | gsub("\u0027"; "%27") | gsub("[(]"; "%28") | gsub("[)]"; "%29");'`,
    "uri() { jq -rn --arg v \"$1\" \"$enc \\$v | enc\"; }",
    "install -d -m 0700 \"$(dirname \"$out\")\"",
    `db=$(${get(p.database.secretArn)})`,
    "creds=\"$(jq -r \"$enc .username | enc\" <<<\"$db\"):$(jq -r \"$enc .password | enc\" <<<\"$db\")\"",
    "db_url() { printf 'mysql://%s@%s:%s/%s' \"$creds\" \"$1\" \"$(setting DB_PORT)\" \"$(setting DB_NAME)\"; }",
    `session=$(${get(p.sessionSecretArn)})`,
    "[[ $session =~ ^[A-Za-z0-9]{32,}$ ]] || { echo 'session secret: expected 32+ letters and digits' >&2; exit 1; }",
    "tmp=$(mktemp \"$out.XXXXXX\")",
    "{",
    "  echo \"DB_PRIMARY_URL=$(db_url \"$(setting DB_PRIMARY_HOST)\")\"",
    "  echo \"DB_REPLICA_URL=$(db_url \"$(setting DB_REPLICA_HOST)\")\"",
    "  echo \"SESSION_SECRET=$session\"",
  ];
  if (p.redis) {
    lines.push(
      `  token=$(${get(p.redis.authSecretArn)})`,
      // in-transit encryption is on: rediss://, verified against the system store (Amazon CA)
      "  echo \"REDIS_URL=rediss://:$(uri \"$token\")@$(setting REDIS_HOST):$(setting REDIS_PORT)\"",
    );
  }
  lines.push("} > \"$tmp\"", "mv -f \"$tmp\" \"$out\"");
  return lines.join("\n");
}

/** The full boot script (plain text; the launch template takes it base64-encoded). */
export function renderUserData(p: UserDataParams): string {
  const env = Object.entries(appEnvironment(p)).map(([k, v]) => `${k}=${v}`).join("\n");
  const heredoc = (path: string, body: string, mode = "0644") =>
    [`install -d -m 0755 "$(dirname ${path})"`, `cat > ${path} <<'RESILIENT_FEED_EOF'`, body, "RESILIENT_FEED_EOF", `chmod ${mode} ${path}`].join("\n");
  const b = p.bundle;
  const release = `${APP_DIR}/releases/${b.serverSha256.slice(0, 16)}`;
  return [
    "#!/bin/bash",
    `# ${p.project} ${p.environment} API instance, site ${p.siteKey} (${p.region})`,
    "set -euo pipefail",
    `install -d -m 0755 ${LOG_DIR}`,
    `exec >>${LOG_DIR}/bootstrap.log 2>&1`,
    "",
    "dnf install -y nodejs20 jq amazon-cloudwatch-agent",
    `id feed >/dev/null 2>&1 || useradd --system --home-dir ${APP_DIR} --shell /sbin/nologin feed`,
    `chown feed:feed ${LOG_DIR}`,
    "",
    "# the app bundle, verified against the hashes the program built",
    `install -d -m 0755 ${release}`,
    `aws s3 cp --region ${p.region} 's3://${b.bucket}/${b.serverKey}' ${release}/server.js`,
    `aws s3 cp --region ${p.region} 's3://${b.bucket}/${b.workerKey}' ${release}/worker.js`,
    `echo '${b.serverSha256}  ${release}/server.js' | sha256sum -c -`,
    `echo '${b.workerSha256}  ${release}/worker.js' | sha256sum -c -`,
    `ln -sfn ${release} ${APP_DIR}/current`,
    `curl -sSf --retry 5 -o ${RDS_CA_FILE} ${RDS_CA_URL}`,
    "",
    heredoc(ENV_FILE, env),
    heredoc(NODE_ENV_SCRIPT, nodeEnvScript(p), "0755"),
    heredoc(SECRETS_SCRIPT, secretsScript(p), "0755"),
    `# NODE_ID: the instance's offset in the app-tier block ${p.appTierCidr}, unique in the site while it runs`,
    "imds=$(curl -sf -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 60')",
    "ip=$(curl -sf -H \"X-aws-ec2-metadata-token: $imds\" http://169.254.169.254/latest/meta-data/local-ipv4)",
    `${NODE_ENV_SCRIPT} "$ip" >> ${ENV_FILE}`,
    heredoc("/etc/systemd/system/resilient-feed-api.service", unit(p, "api", "server.js", "resilient-feed news-feed API")),
    heredoc("/etc/systemd/system/resilient-feed-worker.service", unit(p, "worker", "worker.js", "resilient-feed queue worker (feed fan-out)")),
    "",
    "# logs and metrics to CloudWatch",
    heredoc("/opt/aws/amazon-cloudwatch-agent/etc/prometheus.yaml", prometheusConfig(p)),
    heredoc("/opt/aws/amazon-cloudwatch-agent/etc/resilient-feed.json", JSON.stringify(cloudWatchAgentConfig(p), null, 2)),
    "/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:/opt/aws/amazon-cloudwatch-agent/etc/resilient-feed.json",
    "",
    "systemctl daemon-reload",
    "systemctl enable --now resilient-feed-api.service resilient-feed-worker.service",
    "",
  ].join("\n");
}
