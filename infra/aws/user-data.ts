// The API instances' boot script, rendered from plain values (resolved Outputs) so it can be
// asserted as text without Pulumi. It installs Node 22 (infra/facts/node-runtime.ts) and the
// CloudWatch agent, fetches the app
// bundle from the in-region artifact bucket (verifying its SHA-256), writes the environment from
// the Topology, and runs the API and the worker as systemd services with restart policies.
// Secrets (DB credentials, Redis auth token, session secret) are never in the user data: a
// pre-start hook reads them from Secrets Manager on every (re)start and composes the URLs the app
// reads (app/src/config.ts), so a rotated password is picked up on restart.
//
// The contract with the app is tested end to end: test/aws-tiers/app-env-contract.test.ts runs
// these scripts and feeds what they write into the app's loadConfig.

import { NODE_MAJOR } from "../facts/node-runtime";
import { APP_DIR, ENV_FILE, LOG_DIR, NODE_ENV_SCRIPT, RDS_CA_FILE, RDS_CA_URL, SECRETS_SCRIPT, appEnvironment, type UserDataParams } from "./user-data-params";
import { cloudWatchAgentConfig, prometheusConfig } from "./user-data-observability";
import { secretsScript } from "./user-data-secrets";
import { nodeEnvScript, unit } from "./user-data-services";

export * from "./user-data-params";
export { APP_BUSINESS_METRICS, APP_CACHE_METRIC, cloudWatchAgentConfig } from "./user-data-observability";

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
    `dnf install -y nodejs${NODE_MAJOR} jq amazon-cloudwatch-agent`,
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
