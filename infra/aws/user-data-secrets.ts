import { ENV_FILE, SECRETS_FILE, regionOfArn, type UserDataParams } from "./user-data-params";

// The pre-start hook that turns Secrets Manager secrets into the services' secret environment.

export function secretsScript(p: UserDataParams): string {
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
