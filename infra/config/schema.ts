import { Validator } from "ip-num";
import { z } from "zod";
import { CERTIFICATE_NAME } from "../facts/certificate-names";
import { DATABASE_SIZE_SLUG, DO_DUMP_INTERVAL_MINUTES, DROPLET_SIZE_SLUG, DUMP_OBJECT_KEY, PEM_CERTIFICATE, SSH_PUBLIC_KEY, X64_IMAGE_SLUG } from "../facts/digitalocean";
import { CLOUDS, DR_MODES, ENVIRONMENTS, SITE_KEYS } from "../facts/vocabulary";
import { networkOf, prefixOf } from "./cidr";
import { cronProblems, CRON_SYNTAX } from "./cron";
import { LOG_RETENTION_DAYS } from "./regions";

// The shape of the project's stack config (every key lives under the `resilient-feed:` namespace).
// Objects are strict so a typo'd key is an error, not a silently ignored setting. Defaults that
// depend on the environment are applied later (defaults.ts), so here most tuning keys are optional.

/** An IPv4 network in CIDR notation whose host bits are zero, /16 to /20 (room for 3 tiers × AZs). */
export const cidrSchema = z.string().superRefine((value, ctx) => {
  if (!Validator.isValidIPv4CidrNotation(value)[0]) {
    ctx.addIssue({ code: "custom", message: "is not an IPv4 CIDR (allowed: a.b.c.d/16 to a.b.c.d/20, e.g. 10.10.0.0/16)" });
    return;
  }
  const prefix = prefixOf(value);
  if (prefix < 16 || prefix > 20) {
    ctx.addIssue({ code: "custom", message: `has prefix /${prefix} (allowed: /16 to /20, so every tier × AZ subnet fits with room to grow)` });
    return;
  }
  if (!Validator.isValidIPv4CidrRange(value)[0]) {
    ctx.addIssue({ code: "custom", message: `has host bits set (allowed: a network address, e.g. ${networkOf(value)})` });
  }
});

const ACM_ARN = /^arn:aws:acm:([a-z0-9-]+):\d{12}:certificate\/[0-9a-f-]+$/;
const AMI_ID = /^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const AZ_NAME = /^[a-z]{2}(?:-[a-z]+)+-\d[a-z]$/;
const PREFIX_LIST_ID = /^pl-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

export const siteSchema = z.strictObject({
  cloud: z.enum(CLOUDS),
  region: z.string().min(1),
  cidr: cidrSchema,
  azCount: z.int().min(1).max(6).optional(),
  /** ACM certificates are regional: each AWS site's load balancer needs one from its own region */
  certificateArn: z.string().regex(ACM_ARN, "must be an ACM certificate ARN").optional(),
  /**
   * The names certificateArn covers (as ACM lists them; "*.example.com" covers one level). Config
   * holds only the ARN otherwise, and CloudFront and Route 53 must reach the load balancer by a
   * name its certificate covers, or TLS to the origin fails (CloudFront answers 502).
   */
  certificateDomains: z.array(z.string().regex(CERTIFICATE_NAME, "must be a lower-case DNS name, optionally a one-level wildcard such as *.example.com")).min(1).optional(),
  /**
   * Pins (aws): the API instances' AMI and the AZ names, used instead of looking them up in the
   * site's region; required while the site is fenced, whose region may be down (pin-rules.ts)
   */
  amiId: z.string().regex(AMI_ID, "must be an EC2 image id (ami- and 8 or 17 lower-case hex digits), e.g. the stack output sites.<site>.pins.amiId").optional(),
  availabilityZones: z.array(z.string().regex(AZ_NAME, "must be an availability zone name such as ap-northeast-2a (stack output sites.<site>.pins.availabilityZones)")).min(1).optional(),
  /**
   * Pins (aws): the ids of the AWS-managed prefix lists the load balancer admits behind CloudFront
   * (edge.cdnFrontsApi), instead of looking them up in the site's region (pin-rules.ts)
   */
  prefixLists: z.strictObject({
    cloudfront: z.string().regex(PREFIX_LIST_ID, "must be a prefix list id (pl- and 8 or 17 lower-case hex digits), the stack output sites.<site>.pins.prefixLists.cloudfront").optional(),
    route53HealthChecks: z.string().regex(PREFIX_LIST_ID, "must be a prefix list id (pl- and 8 or 17 lower-case hex digits), the stack output sites.<site>.pins.prefixLists.route53HealthChecks").optional(),
  }).optional(),
  /**
   * Pin (digitalocean): the MySQL cluster's CA certificate (PEM), used instead of getDatabaseCa
   * in the site's region; required while the site is fenced (digitalocean-rules.ts)
   */
  databaseCaCertificate: z.string().regex(PEM_CERTIFICATE, "must be one PEM certificate (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----), the stack output sites.<site>.pins.databaseCaCertificate").optional(),
});

export function regionOfAcmArn(arn: string): string | undefined {
  return ACM_ARN.exec(arn)?.[1];
}

/** The DR modes (infra/facts/vocabulary.ts); what each runs in the standby site is STANDBY_SHAPE (infra/facts/standby-shape.ts). */
export const drModeSchema = z.enum(DR_MODES);

export const drSchema = z.strictObject({
  mode: drModeSchema.default("backup-restore"),
  activeSite: z.enum(SITE_KEYS).default("primary"),
  /** backup-restore failed over: the recovery point (RDS snapshot ARN in the secondary's region) to restore */
  restoreFromSnapshot: z.string().optional(),
  /**
   * backup-restore failed over onto a digitalocean site: the DigitalOcean cluster whose backup
   * the new cluster is created from (DatabaseCluster.backupRestore); the newest backup unless
   * backupCreatedAt names one
   */
  restoreFromBackup: z.strictObject({
    databaseName: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, "must be a DigitalOcean database cluster name"),
    backupCreatedAt: z.iso.datetime().optional(),
  }).optional(),
  /**
   * backup-restore failed over onto a digitalocean site: the logical dump the secondary's ops
   * runner loads into the new, empty cluster (an object key in the dump bucket,
   * digitalocean.dumps); the alternative to restoreFromBackup, whose source cluster is in the
   * failed region
   */
  restoreFromDump: z.strictObject({
    key: z.string().regex(DUMP_OBJECT_KEY, "must be a dump object key such as dumps/primary/2026-12-03T18-00-00Z.sql.gz (the ops runner's naming; list the dump bucket)"),
  }).optional(),
  /** failed over: the release the fenced primary keeps (stack output sites.primary.release) */
  fencedRelease: z.strictObject({
    server: z.string().regex(/^[0-9a-f]{64}$/, "must be the server file's SHA-256 (64 lower-case hex digits) from the stack output sites.primary.release"),
    worker: z.string().regex(/^[0-9a-f]{64}$/, "must be the worker file's SHA-256 (64 lower-case hex digits) from the stack output sites.primary.release"),
  }).optional(),
  /**
   * Failback as config states: each site's database instance is a generation. Raising the fenced
   * site's generation re-seeds it as a new replica of the writer (a promoted instance can never
   * take a new source); the birth order P0 < S0 < P1 < S1 < ... says which instance replicates
   * which, so primary must equal secondary or be one ahead (infra/config/lineage.ts).
   */
  databaseGeneration: z.strictObject({
    primary: z.number().int().min(0).max(99).default(0),
    secondary: z.number().int().min(0).max(99).default(0),
  }).default({ primary: 0, secondary: 0 }),
  /**
   * Stage 1 of a mode switch that removes the standby's resources: lifts deletion protection on
   * that site's databases and load balancer and lets its buckets be deleted with their objects.
   * The cloud provider reads these from state at delete time, so they must be applied in a run
   * before the one that deletes (rules: never the writer's site, dr-rules.ts).
   */
  releaseProtection: z.enum(SITE_KEYS).optional(),
});

const geoRuleSchema = z
  .strictObject({
    continent: z.enum(["AF", "AN", "AS", "EU", "NA", "OC", "SA"]).optional(),
    country: z.string().regex(/^[A-Z]{2}$/, "must be an ISO 3166 alpha-2 country code such as JP").optional(),
    site: z.enum(SITE_KEYS),
  })
  .refine((r) => (r.continent === undefined) !== (r.country === undefined), {
    message: "needs exactly one of continent or country",
  });

/** Route 53's health checker regions (aws route53 HealthCheck `regions`); Route 53 needs at least 3. */
export const ROUTE53_CHECKER_REGIONS = ["us-east-1", "us-west-1", "us-west-2", "eu-west-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1"] as const;

/** Cloudflare plans: the shortest load-balancer monitor interval each allows (Cloudflare Load Balancing plans). */
export const CLOUDFLARE_MIN_MONITOR_INTERVAL = { free: 60, pro: 60, business: 15, enterprise: 10 } as const;

export const cloudflareEdgeSchema = z.strictObject({
  accountId: z.string().regex(/^[0-9a-f]{32}$/, "must be a Cloudflare account id (32 hex digits)"),
  plan: z.enum(["free", "pro", "business", "enterprise"]).default("pro"),
  /** seconds between monitor probes; at least the plan's minimum */
  monitorIntervalSeconds: z.int().min(10).max(3600).optional(),
  /** status codes the monitor counts as healthy ("200", "2xx") */
  expectedCodes: z.string().regex(/^([1-5][0-9x]{2})(,[1-5][0-9x]{2})*$/, "must be an HTTP code or range such as 200 or 2xx").default("200"),
  /**
   * hostname: per-hostname minimum TLS 1.2 on edge.domain (needs Advanced Certificate Manager);
   * zone: zone-wide SSL strict/full, TLS ≥ 1.2 and HTTPS redirects, which every other hostname of
   * the zone gets too; unmanaged: the program changes no TLS setting of the zone.
   */
  tls: z.enum(["hostname", "zone", "unmanaged"]).default("unmanaged"),
  /**
   * zone: the program owns the zone's entry-point rulesets of the phases http_ratelimit and
   * http_request_firewall_managed (edge.waf), which replace every rule the zone had in them;
   * unmanaged: it creates none
   */
  rulesets: z.enum(["zone", "unmanaged"]).default("unmanaged"),
});

/** Secret origin header slots: CloudFront sends one, the load balancers accept both (rotation). */
export const originSecretSchema = z.strictObject({
  send: z.enum(["a", "b"]).default("a"),
  /** raising a slot's generation replaces its value; raise the slot CloudFront does not send */
  a: z.int().min(0).max(999).default(0),
  b: z.int().min(0).max(999).default(0),
});

export const edgeSchema = z.strictObject({
  dns: z.enum(["route53", "cloudflare"]),
  domain: z.string().regex(/^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/, "must be a lower-case DNS name such as feed.example.com"),
  /** the Route 53 hosted zone id, or the Cloudflare zone id (required with cloudflare) */
  zoneId: z.string().min(1).optional(),
  /** Route 53 zone looked up by name when zoneId is not set; defaults to the domain's parent */
  zoneName: z.string().regex(/^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/, "must be a lower-case DNS name such as example.com").optional(),
  /** Route 53 health checker regions (at least 3) */
  checkerRegions: z.array(z.enum(ROUTE53_CHECKER_REGIONS)).min(3).optional(),
  cloudflare: cloudflareEdgeSchema.optional(),
  /** health-checked records should not be cached longer than this */
  ttl: z.int().min(1).max(60).default(60),
  geo: z.array(geoRuleSchema).default([]),
  healthCheckIntervalSeconds: z.union([z.literal(10), z.literal(30)]).optional(),
  healthCheckFailureThreshold: z.int().min(1).max(10).default(3),
  /**
   * Route 53 only, a one-off migration stage: the stack still answers at edge.domain with the
   * routing policy's records themselves (before the per-policy record sets). true keeps the
   * writer's record there, drops the others and creates the per-policy set; the next run without
   * it turns that record into the alias to the set (docs/architecture.md, "Edge records").
   */
  legacyApexRecords: z.boolean().default(false),
  /**
   * Route 53: users call CloudFront at edge.domain, and CloudFront reaches the load balancers by
   * the routing policy's name; the load balancers admit only CloudFront and the health checkers.
   * Default: on in prod with AWS sites (edge-rules.ts)
   */
  cdnFrontsApi: z.boolean().optional(),
  /** AWS WAF on CloudFront, or Cloudflare's rulesets (edge.cloudflare.rulesets); default: on in prod */
  waf: z.boolean().optional(),
  /** per client IP, on /auth/* at the edge (AWS WAF rate-based rule, Cloudflare rate limiting rule) */
  authRequestsPerMinute: z.int().min(10).max(10000).default(60),
  originSecret: originSecretSchema.default({ send: "a", a: 0, b: 0 }),
});

export const networkSchema = z.strictObject({
  natGateways: z.enum(["per-az", "single"]).optional(),
  flowLogRetentionDays: z.union(LOG_RETENTION_DAYS.map((d) => z.literal(d))).optional(),
});

const scheduleSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]{1,40}$/, "must be lower-case letters, digits and dashes"),
  recurrence: z.string().superRefine((value, ctx) => {
    const problems = cronProblems(value);
    if (problems.length > 0) ctx.addIssue({ code: "custom", message: `${problems.join("; ")} (allowed: ${CRON_SYNTAX})` });
  }),
  min: z.int().min(0),
  max: z.int().min(0),
  desired: z.int().min(0),
});

export const apiSchema = z.strictObject({
  instanceType: z.string().regex(/^[a-z0-9]+\.[a-z0-9]+$/, "must be an EC2 instance type such as t4g.small").optional(),
  arch: z.enum(["arm64", "x86_64"]).default("arm64"),
  minSize: z.int().min(1).optional(),
  maxSize: z.int().min(1).max(100).optional(),
  desiredSize: z.int().min(1).optional(),
  port: z.int().min(1024).max(65535).default(8080),
  drainSeconds: z.int().min(5).max(300).default(30),
  minHealthyPercentage: z.int().min(0).max(100).default(90),
  schedules: z.array(scheduleSchema).default([]),
});

export const databaseSchema = z.strictObject({
  instanceClass: z.string().regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, "must be an RDS instance class such as db.r6g.large").optional(),
  allocatedStorageGb: z.int().min(20).max(65536).optional(),
  maxAllocatedStorageGb: z.int().min(20).max(65536).optional(),
  readReplicas: z.int().min(0).max(5).optional(),
  backupRetentionDays: z.int().optional(),
  multiAz: z.boolean().optional(),
  /** RDS for MySQL major ("8.4") or exact ("8.4.5") version; majors are checked against the RDS support table */
  engineVersion: z.string().regex(/^\d+\.\d+(\.\d+)?$/, "must be a MySQL version such as 8.4 or 8.4.5").optional(),
});

export const cacheSchema = z.strictObject({
  nodeType: z.string().regex(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, "must be an ElastiCache node type such as cache.t4g.small").optional(),
  replicas: z.int().min(0).max(5).optional(),
  snapshotRetentionDays: z.int().min(0).max(35).optional(),
});

export const cdnSchema = z.strictObject({
  priceClass: z.enum(["PriceClass_100", "PriceClass_200", "PriceClass_All"]).default("PriceClass_200"),
  /** CloudFront takes viewer certificates from us-east-1 only */
  certificateArn: z.string().regex(ACM_ARN, "must be an ACM certificate ARN").optional(),
  /** the distribution's alias; defaults to static.<edge.domain> */
  domain: z.string().regex(/^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/, "must be a lower-case DNS name such as static.feed.example.com").optional(),
});

/** Days DigitalOcean maintenance windows take. */
export const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;

/**
 * The DigitalOcean site's sizes and versions (every DigitalOcean site of the stack; rules in
 * digitalocean-rules.ts). AWS keys (api.instanceType, database.instanceClass, cache.nodeType)
 * size AWS sites only.
 */
export const digitaloceanSchema = z.strictObject({
  /** droplet plan of the API pool; every droplet plan is x86-64 */
  dropletSize: z.string().regex(DROPLET_SIZE_SLUG, "must be a droplet size slug such as s-2vcpu-4gb").default("s-2vcpu-4gb"),
  image: z.string().regex(X64_IMAGE_SLUG, "must be an x86-64 distribution image slug such as ubuntu-24-04-x64").default("ubuntu-24-04-x64"),
  /** registered as the droplets' SshKey, so DigitalOcean e-mails no root password; sshd is disabled at boot */
  sshPublicKey: z.string().regex(SSH_PUBLIC_KEY, "must be an OpenSSH public key line (ssh-ed25519 AAAA... comment); never the private half"),
  /** the pool's CPU target, a fraction */
  targetCpuUtilization: z.number().min(0.05).max(1).default(0.6),
  cooldownMinutes: z.int().min(5).max(20).default(5),
  /**
   * The load balancer's certificate, uploaded to DigitalOcean beforehand (doctl compute
   * certificate create --type custom): the private key never enters this repo, config or state.
   * issuer: cloudflare-origin-ca (trusted by Cloudflare's proxy, not by public CAs: the monitor
   * then skips verification) or public.
   */
  certificate: z.strictObject({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/, "must be the name of a DigitalOcean certificate"),
    issuer: z.enum(["cloudflare-origin-ca", "public"]).default("cloudflare-origin-ca"),
  }),
  database: z.strictObject({
    size: z.string().regex(DATABASE_SIZE_SLUG, "must be a managed database size slug such as db-s-1vcpu-2gb").default("db-s-1vcpu-2gb"),
    /** 1 primary plus up to 2 standby nodes (MySQL clusters have at most 3 nodes) */
    nodeCount: z.int().min(1).max(3).default(1),
    version: z.string().regex(/^\d+$/, "must be a DigitalOcean MySQL version such as 8").default("8"),
    /** a read-only replica in the site for reads */
    readReplica: z.boolean().default(true),
    /** UTC hour of the daily backup */
    backupHour: z.int().min(0).max(23).default(19),
  }).default({ size: "db-s-1vcpu-2gb", nodeCount: 1, version: "8", readReplica: true, backupHour: 19 }),
  cache: z.strictObject({
    size: z.string().regex(DATABASE_SIZE_SLUG, "must be a managed caching size slug such as db-s-1vcpu-1gb").default("db-s-1vcpu-1gb"),
    nodeCount: z.int().min(1).max(3).default(1),
    version: z.string().regex(/^\d+$/, "must be a Valkey version such as 8").default("8"),
  }).default({ size: "db-s-1vcpu-1gb", nodeCount: 1, version: "8" }),
  /**
   * Scheduled logical dumps of the site's MySQL writer, run by the site's ops runner droplet into
   * a private Spaces bucket in another region (rules in digitalocean-rules.ts). The interval is
   * the RPO of a regional outage; the dataset size sizes the restore term of the RTO.
   */
  dumps: z.strictObject({
    /** Spaces region of the dump bucket: never the region of a site of this stack */
    region: z.string().regex(/^[a-z]{3}\d$/, "must be a DigitalOcean region slug such as blr1"),
    intervalMinutes: z.int().min(DO_DUMP_INTERVAL_MINUTES.min).max(DO_DUMP_INTERVAL_MINUTES.max).default(60),
    /** dumps expire after this many days (the bucket's lifecycle rule) */
    retentionDays: z.int().min(1).max(90).default(7),
    /** the data's size the restore term of the RTO is computed for (a planning figure) */
    datasetGb: z.int().min(1).max(10000).default(5),
    /**
     * dead-man's switch: an HTTPS URL of a push monitor (healthchecks.io-style) the runner calls
     * after every uploaded dump; the monitor alerts when a call is overdue
     */
    heartbeatUrl: z.url({ protocol: /^https$/ }).optional(),
    /** droplet plan of the ops runner (dumps, restores, grants) */
    runnerSize: z.string().regex(DROPLET_SIZE_SLUG, "must be a droplet size slug such as s-1vcpu-1gb").default("s-1vcpu-1gb"),
  }),
  /** weekly maintenance window of the database and cache clusters (UTC) */
  maintenance: z.strictObject({
    day: z.enum(WEEKDAYS).default("sunday"),
    hour: z.string().regex(/^([01]\d|2[0-3]):00$/, "must be a whole UTC hour such as 20:00").default("20:00"),
  }).default({ day: "sunday", hour: "20:00" }),
});

export const alertsSchema = z.strictObject({
  email: z.email().optional(),
});

/** The whole project config, keyed by the config key without the `resilient-feed:` prefix. */
export const projectConfigSchema = z.strictObject({
  environment: z.enum(ENVIRONMENTS),
  sites: z.strictObject({ primary: siteSchema, secondary: siteSchema.optional() }),
  dr: drSchema.default({ mode: "backup-restore", activeSite: "primary", databaseGeneration: { primary: 0, secondary: 0 } }),
  edge: edgeSchema,
  network: networkSchema.default({}),
  api: apiSchema.default({ arch: "arm64", port: 8080, drainSeconds: 30, minHealthyPercentage: 90, schedules: [] }),
  database: databaseSchema.default({}),
  cache: cacheSchema.default({}),
  cdn: cdnSchema.default({ priceClass: "PriceClass_200" }),
  alerts: alertsSchema.default({}),
  /** required when a site is on digitalocean (digitalocean-rules.ts) */
  digitalocean: digitaloceanSchema.optional(),
});

export type ProjectConfigInput = z.input<typeof projectConfigSchema>;
export type ProjectConfig = z.output<typeof projectConfigSchema>;

/** Config keys the program reads (each is `resilient-feed:<key>` in the stack file). */
export const CONFIG_KEYS = Object.keys(projectConfigSchema.shape) as (keyof ProjectConfig)[];
