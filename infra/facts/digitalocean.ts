// DigitalOcean platform facts the config validation, the topology and the DigitalOcean site read.
// A leaf module: it imports nothing. Each fact carries its source, or says it is unverified
// (docs/cloud-constraints.md lists them with the same notes).

/**
 * Managed MySQL versions DigitalOcean offers, with the upstream major they run and the end of
 * that major's upstream support. "We only support MySQL v8" (DigitalOcean docs, MySQL Limits);
 * the version string the API takes is "8". The end-of-support date is MySQL 8.0's upstream one
 * (Oracle's lifecycle), not a DigitalOcean date: unverified for DigitalOcean.
 */
export interface DoEngineVersion {
  readonly version: string;
  readonly upstreamMajor: string;
  /** last day of upstream standard support (UTC, inclusive) */
  readonly standardSupportEnds: string;
}

export const DO_MYSQL_VERSIONS: readonly DoEngineVersion[] = [
  { version: "8", upstreamMajor: "8.0", standardSupportEnds: "2026-04-30" },
];

/** Valkey versions the managed caching engine takes (provider examples use "8"; unverified beyond). */
export const DO_VALKEY_VERSIONS: readonly string[] = ["8"];

/** Ports DigitalOcean managed databases listen on (the cluster's `port` output; MySQL 25060, Valkey 25061). */
export const DO_MYSQL_PORT = 25060;
export const DO_VALKEY_PORT = 25061;

/**
 * Droplet Autoscale pools: cooldown between scaling events (5–20 minutes, unverified: neither the
 * API reference nor Autoscale Pool Concepts states a range; the docs say to choose at least the
 * droplets' boot time), target CPU utilization as a fraction
 * (API: min 0.05, max 1), minimum instances ≥ 1 (API: min_instances min 1).
 */
export const DO_POOL_COOLDOWN_MINUTES = { min: 5, max: 20 } as const;
export const DO_POOL_TARGET_CPU = { min: 0.05, max: 1 } as const;

/**
 * Seconds between the pool's shutdown of a droplet it scales in and its destroy: "When autoscale
 * pools scale down, they issue a shutdown event and wait 60 seconds before issuing a destroy
 * event" (DigitalOcean docs, Autoscale Pool Concepts,
 * https://docs.digitalocean.com/products/droplets/concepts/autoscale-pools/). The app's SIGTERM
 * drain must finish inside it, with a margin for systemd to stop the worker too.
 */
export const DO_POOL_SHUTDOWN_WINDOW_SECONDS = 60;
export const DO_DRAIN_MARGIN_SECONDS = 10;

/**
 * Regions with Spaces object storage among the regions config allows (DigitalOcean docs,
 * "Spaces Availability"; lon1 and tor1 unverified). nyc1 has droplets but no Spaces.
 */
export const DO_SPACES_REGIONS: readonly string[] = ["nyc3", "sfo2", "sfo3", "ams3", "fra1", "sgp1", "syd1", "blr1", "lon1", "tor1"];

/** Droplet size slugs: every droplet plan is x86-64 (DigitalOcean offers no Arm droplets). */
export const DROPLET_SIZE_SLUG = /^(s|c|c2|g|gd|m|m3|m6|so|so1_5)-[a-z0-9-]+$/;
/** Managed database and caching node sizes (db-s-1vcpu-1gb, db-s-2vcpu-4gb, gd-2vcpu-8gb, ...). */
export const DATABASE_SIZE_SLUG = /^(db-s|db-amd|db-intel|gd|so1_5|m|m3|m6)-[a-z0-9-]+$/;
/** x86-64 distribution image slugs (ubuntu-24-04-x64, debian-12-x64). */
export const X64_IMAGE_SLUG = /^[a-z]+-[0-9-]+-x64$/;

/** Public keys DigitalOcean's SshKey accepts (OpenSSH one-line format; RSA, ECDSA, Ed25519). */
export const SSH_PUBLIC_KEY = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]+={0,3}( \S.*)?$/;

/** Droplet metadata service (link-local), read by cloud-init and by the NODE_ID script. */
export const DO_METADATA_URL = "http://169.254.169.254/metadata/v1";

/**
 * The ops runner's dump interval (digitalocean.dumps.intervalMinutes): at least 15 minutes, so a
 * dump of the sizes this stage runs (a few GB) ends before the next starts; at most a day. A
 * project choice, not a platform limit.
 */
export const DO_DUMP_INTERVAL_MINUTES = { min: 15, max: 1440 } as const;

/** Dump objects as the ops runner names them: dumps/<site>/<UTC time>.sql.gz. */
export const DUMP_OBJECT_KEY = /^dumps\/(primary|secondary)\/\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z\.sql\.gz$/;

/** One PEM certificate, as getDatabaseCa returns a cluster's CA. */
export const PEM_CERTIFICATE = /^-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\s*$/;
