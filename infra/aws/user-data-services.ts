import { NODE_MAJOR } from "../facts/node-runtime";
import { APP_DIR, ENV_FILE, LOG_DIR, SECRETS_FILE, SECRETS_SCRIPT, nodeIdMask, readHosts, type UserDataParams } from "./user-data-params";

// The systemd units of the API and the worker, and the script that derives an instance's
// NODE_ID and read replica from its address.

export function unit(p: UserDataParams, name: "api" | "worker", entry: string, description: string): string {
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
    `ExecStart=/usr/bin/node-${NODE_MAJOR} ${APP_DIR}/current/${entry}`,
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
export function nodeEnvScript(p: UserDataParams): string {
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
