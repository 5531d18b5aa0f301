import type { PolicyConfigSchema } from "@pulumi/policy";
import { z } from "zod";

// The pack's tunables. Each lives on the policy that uses it (Pulumi config is per policy), as a
// JSON schema the engine validates and fills with defaults, and as a zod schema the rule parses
// `args.getConfig()` with, so a rule always works on a complete, typed value (the offline review
// and the unit tests call getConfig without the engine's defaulting). A test keeps the two in step.
//
// Set them in a policy config file for `pulumi preview --policy-pack policies --policy-pack-config f.json`:
//   { "aws-rds-backup-retention": { "minimumRetentionDays": 14 },
//     "dns-health-checked-ttl": { "maximumTtlSeconds": 30 },
//     "cost-allowed-instance-classes": { "prod": ["db.r7g.*", "cache.r7g.*", "m7g.*"] } }

// --- minimum backup retention (aws-rds-backup-retention) -----------------------------------------
export const DEFAULT_MIN_BACKUP_RETENTION_DAYS = 7;
export const backupRetentionConfig = z.object({
  minimumRetentionDays: z.int().min(1).max(35).default(DEFAULT_MIN_BACKUP_RETENTION_DAYS),
});
export type BackupRetentionConfig = z.output<typeof backupRetentionConfig>;
export const backupRetentionSchema: PolicyConfigSchema = {
  properties: {
    minimumRetentionDays: {
      type: "integer",
      minimum: 1,
      maximum: 35,
      default: DEFAULT_MIN_BACKUP_RETENTION_DAYS,
      description: "Fewest days of automated RDS backups a prod writer (or promotable replica) keeps.",
    },
  },
};

// --- maximum TTL of health-checked DNS records (dns-health-checked-ttl) ---------------------------
export const DEFAULT_MAX_HEALTH_CHECKED_TTL_SECONDS = 60;
export const dnsTtlConfig = z.object({
  maximumTtlSeconds: z.int().min(1).max(86400).default(DEFAULT_MAX_HEALTH_CHECKED_TTL_SECONDS),
});
export type DnsTtlConfig = z.output<typeof dnsTtlConfig>;
export const dnsTtlSchema: PolicyConfigSchema = {
  properties: {
    maximumTtlSeconds: {
      type: "integer",
      minimum: 1,
      maximum: 86400,
      default: DEFAULT_MAX_HEALTH_CHECKED_TTL_SECONDS,
      description: "Largest TTL (seconds) of a DNS record whose answer depends on a health check: resolvers keep a dead answer this long after failover.",
    },
  },
};

// --- allowed instance classes per environment (cost-allowed-instance-classes) ----------------------
// Glob patterns ("*" matches any run of characters) over RDS instance classes, ElastiCache node
// types and EC2 instance types. An environment without a list allows everything.
export const DEFAULT_ALLOWED_INSTANCE_CLASSES: { dev: string[]; prod: string[] } = {
  dev: ["db.t4g.*", "db.t3.*", "cache.t4g.*", "cache.t3.*", "t4g.*", "t3.*", "t3a.*"],
  prod: [
    "db.t4g.*", "db.r6g.*", "db.r7g.*", "db.r8g.*", "db.m6g.*", "db.m7g.*", "db.m8g.*",
    "cache.t4g.*", "cache.r6g.*", "cache.r7g.*", "cache.m6g.*", "cache.m7g.*",
    "t4g.*", "m6g.*", "m7g.*", "m8g.*", "c6g.*", "c7g.*", "c8g.*",
  ],
};
const patternList = z.array(z.string().min(1));
export const instanceClassConfig = z.object({
  dev: patternList.default(DEFAULT_ALLOWED_INSTANCE_CLASSES.dev),
  prod: patternList.default(DEFAULT_ALLOWED_INSTANCE_CLASSES.prod),
});
export type InstanceClassConfig = z.output<typeof instanceClassConfig>;
export const instanceClassSchema: PolicyConfigSchema = {
  properties: {
    dev: {
      type: "array",
      items: { type: "string", minLength: 1 },
      default: DEFAULT_ALLOWED_INSTANCE_CLASSES.dev,
      description: "Instance classes / node types / instance types dev may use (globs such as db.t4g.*).",
    },
    prod: {
      type: "array",
      items: { type: "string", minLength: 1 },
      default: DEFAULT_ALLOWED_INSTANCE_CLASSES.prod,
      description: "Instance classes / node types / instance types prod may use (globs such as db.r7g.*).",
    },
  },
};

/** Parses a policy's config with its zod schema; a bad value names the policy and the key. */
export function readConfig<S extends z.ZodType>(policy: string, schema: S, raw: unknown): z.output<S> {
  const result = schema.safeParse(raw ?? {});
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new Error(`policy config for ${policy} is invalid: ${issues}`);
  }
  return result.data;
}

/** "db.r6g.*" matches "db.r6g.large"; matching is whole-string and case-sensitive. */
export function matchesPattern(value: string, pattern: string): boolean {
  const re = new RegExp(`^${pattern.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
  return re.test(value);
}
