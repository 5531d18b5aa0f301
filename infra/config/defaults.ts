import type { Environment } from "../facts/vocabulary";

/** RDS for MySQL 8.4 (LTS): 8.0 left RDS standard support on 2026-07-31. */
export const DEFAULT_MYSQL_VERSION = "8.4";

/**
 * Per-environment defaults for keys a stack may leave out. dev is the cheap first stage of the
 * scaling story; prod is sized for Multi-AZ high availability.
 */
export interface EnvironmentDefaults {
  readonly awsAzCount: number;
  readonly natGateways: "per-az" | "single";
  readonly flowLogRetentionDays: number;
  readonly healthCheckIntervalSeconds: 10 | 30;
  readonly api: { readonly instanceType: string; readonly minSize: number; readonly maxSize: number };
  readonly database: {
    readonly instanceClass: string;
    readonly allocatedStorageGb: number;
    readonly maxAllocatedStorageGb: number;
    readonly readReplicas: number;
    readonly backupRetentionDays: number;
    readonly multiAz: boolean;
    readonly engineVersion: string;
  };
  readonly cache: { readonly nodeType: string; readonly replicas: number; readonly snapshotRetentionDays: number };
}

export const ENVIRONMENT_DEFAULTS: Readonly<Record<Environment, EnvironmentDefaults>> = {
  dev: {
    awsAzCount: 2,
    natGateways: "single",
    flowLogRetentionDays: 14,
    healthCheckIntervalSeconds: 30,
    api: { instanceType: "t4g.small", minSize: 1, maxSize: 2 },
    database: {
      instanceClass: "db.t4g.micro",
      allocatedStorageGb: 20,
      maxAllocatedStorageGb: 100,
      readReplicas: 0,
      backupRetentionDays: 1,
      multiAz: false,
      engineVersion: DEFAULT_MYSQL_VERSION,
    },
    cache: { nodeType: "cache.t4g.micro", replicas: 0, snapshotRetentionDays: 0 },
  },
  prod: {
    awsAzCount: 3,
    natGateways: "per-az",
    flowLogRetentionDays: 90,
    healthCheckIntervalSeconds: 10,
    api: { instanceType: "m7g.large", minSize: 3, maxSize: 12 },
    database: {
      instanceClass: "db.r6g.large",
      allocatedStorageGb: 100,
      maxAllocatedStorageGb: 1000,
      readReplicas: 2,
      backupRetentionDays: 14,
      multiAz: true,
      engineVersion: DEFAULT_MYSQL_VERSION,
    },
    cache: { nodeType: "cache.r7g.large", replicas: 1, snapshotRetentionDays: 7 },
  },
};

/** Minimum backup retention a prod stack may set (RDS allows 1..35). */
export const PROD_MIN_BACKUP_RETENTION_DAYS = 7;
