import { Validator } from "ip-num";
import { prefixOf } from "../config/cidr";

// What the API instances' boot script is rendered from (plain values: resolved Outputs), the
// paths it writes and the non-secret environment of the app's services.

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
  /** how users reach the load balancer (Topology edge.front): which hops' client address the app trusts */
  readonly edgeFront: "cloudfront" | "cloudflare" | "direct";
  /** the origin browsers call the API at (https://edge.domain): cookie-authenticated writes from it pass the app's Origin check */
  readonly publicOrigin?: string;
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
    ...clientAddressEnv(p.edgeFront),
    ...(p.publicOrigin ? { ALLOWED_ORIGINS: p.publicOrigin } : {}),
  };
}

/**
 * Where the app's throttles read the client's address, by the path users take to the load
 * balancer. The ALB appends the address it was reached from to X-Forwarded-For (its default
 * xff_header_processing.mode, append; client ports off), and CloudFront appends the viewer's
 * before it: the client is the last entry behind the ALB alone, the second to last behind
 * CloudFront then the ALB. Cloudflare's proxy names the visitor in CF-Connecting-IP. Each holds
 * only while the load balancer admits nothing but that path (the edge's security groups).
 */
export function clientAddressEnv(front: UserDataParams["edgeFront"]): Record<string, string> {
  if (front === "cloudflare") return { CLIENT_IP_SOURCE: "cf-connecting-ip" };
  return { CLIENT_IP_SOURCE: "xff", TRUSTED_HOPS: front === "cloudfront" ? "2" : "1" };
}

/** The site's read endpoints; none means reads go to the writer. */
export function readHosts(p: UserDataParams): readonly string[] {
  return p.database.replicaHosts.length > 0 ? p.database.replicaHosts : [p.database.primaryHost];
}

/** The host-bit mask of a CIDR block, checked to fit the app's node-id bits. */
export function nodeIdMask(cidr: string): number {
  if (!Validator.isValidIPv4CidrNotation(cidr)[0]) throw new Error(`user data: ${cidr} is not a CIDR block`);
  const hostBits = 32 - prefixOf(cidr);
  if (hostBits > NODE_ID_BITS) throw new Error(`user data: app-tier block ${cidr} has ${hostBits} host bits; node ids have ${NODE_ID_BITS} (use a /${32 - NODE_ID_BITS} or smaller)`);
  return 2 ** hostBits - 1;
}
