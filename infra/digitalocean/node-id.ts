import { NODE_ID_BITS_FACT } from "../facts/node-id";
import { DO_METADATA_URL } from "../facts/digitalocean";
import { prefixOf } from "../config/cidr";

// NODE_ID on a droplet: its private IPv4 offset inside the site's VPC. The pool gives every
// droplet a distinct VPC address, so the offsets are distinct without coordination; they fit the
// app's 14 node bits because the VPC is a /18 or smaller (validated in config, checked here again).
// A droplet id mod 2^14 would not do: ids are global and two droplets of a pool can collide.

export const NODE_ID_SCRIPT = "/usr/local/bin/resilient-feed-node-id";

/** The host-bit mask of the VPC, refused when it does not fit the node bits. */
export function vpcNodeIdMask(cidr: string): number {
  const hostBits = 32 - prefixOf(cidr);
  if (hostBits > NODE_ID_BITS_FACT) throw new Error(`node id: VPC ${cidr} has ${hostBits} host bits; node ids have ${NODE_ID_BITS_FACT} (config validation refuses it)`);
  return 2 ** hostBits - 1;
}

/**
 * Prints NODE_ID=<offset> from the droplet metadata service. METADATA_URL overrides the address
 * (tests serve a fake one).
 */
export function nodeIdScript(cidr: string): string {
  return [
    "#!/bin/bash",
    "set -euo pipefail",
    `base="\${METADATA_URL:-${DO_METADATA_URL}}"`,
    'ip=$(curl -sSf --retry 5 "$base/interfaces/private/0/ipv4/address")',
    'IFS=. read -r o1 o2 o3 o4 <<<"$ip"',
    `echo "NODE_ID=$(( ((o1 << 24) | (o2 << 16) | (o3 << 8) | o4) & ${vpcNodeIdMask(cidr)} ))"`,
  ].join("\n");
}
