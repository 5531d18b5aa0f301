import { NODE_MAJOR } from "../facts/node-runtime";

// Shell lines both DigitalOcean cloud-init scripts share (the API droplets' and the ops runner's):
// no SSH, Node over HTTPS checked against its published sums (no apt over port 80), files from a
// private Spaces bucket by SigV4 (curl) with their SHA-256 checked, the metadata service for root
// only.

/** A value as one single-quoted shell word. */
export const shellQuote = (v: string): string => `'${v.replace(/'/g, `'\\''`)}'`;

/** no logins: the SSH key only stops DigitalOcean from e-mailing a root password */
export const DISABLE_SSH = "systemctl disable --now ssh.socket ssh.service || true";

/** only root reads the metadata service from then on (it serves the user data, credentials included) */
export const METADATA_ROOT_ONLY = "iptables -A OUTPUT -d 169.254.169.254 -m owner ! --uid-owner 0 -j REJECT";

/** Node's current release of the major the app targets, into `dir` (dir/bin/node). */
export function installNode(dir: string): string[] {
  const nodeTar = `node-v${NODE_MAJOR}-linux-x64.tar.xz`;
  return [
    `latest=$(curl -sSf --retry 5 https://nodejs.org/dist/latest-v${NODE_MAJOR}.x/SHASUMS256.txt | grep ' node-v${NODE_MAJOR}\\.[0-9.]*-linux-x64.tar.xz$')`,
    `tarball=$(echo "$latest" | awk '{print $2}')`,
    `curl -sSf --retry 5 -o /tmp/${nodeTar} "https://nodejs.org/dist/latest-v${NODE_MAJOR}.x/$tarball"`,
    `echo "$(echo "$latest" | awk '{print $1}')  /tmp/${nodeTar}" | sha256sum -c -`,
    `install -d ${dir} && tar -xJf /tmp/${nodeTar} -C ${dir} --strip-components=1`,
  ];
}

/**
 * The curl that reads (or, with `-T file`, writes) one object of a Spaces bucket, signed with
 * $SPACES_KEY:$SPACES_SECRET. A key holding a shell variable (${key}) takes `expand`: the URL is
 * then double-quoted.
 */
export function spacesCurl(bucket: string, region: string, key: string, transfer: string, expand = false): string {
  const q = expand ? '"' : "'";
  return `curl -sSf --retry 5 --aws-sigv4 'aws:amz:${region}:s3' --user "$SPACES_KEY:$SPACES_SECRET" ${transfer} ${q}https://${bucket}.${region}.digitaloceanspaces.com/${key}${q}`;
}

/** Downloads one release file from the private bucket and checks its SHA-256. */
export function fetchChecked(bucket: string, region: string, key: string, sha256: string, target: string): string[] {
  return [spacesCurl(bucket, region, key, `-o ${target}`), `echo '${sha256}  ${target}' | sha256sum -c -`];
}
