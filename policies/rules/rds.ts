import type { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { arnRegion, isArn, isTrue, label, regionOf, requireProd, tagValue } from "./common";
import { backupRetentionConfig, backupRetentionSchema, readConfig } from "./config";
import { AWS } from "./types";

// RDS: encryption and no public endpoint everywhere; Multi-AZ, backups and deletion protection on
// the prod instances that can carry writes (the writer and the cross-region replica, which may be
// promoted). In-region read replicas are disposable and exempt from the prod rules.

export type RdsRole = "writer" | "cross-region-replica" | "in-region-replica";

/**
 * What an instance is, from its own inputs: no `replicateSourceDb` → a writer; a source ARN in
 * another region → a cross-region replica (a cross-region source must be an ARN); otherwise an
 * in-region read replica (same-region sources may be named by identifier).
 */
export function rdsRole(props: Record<string, unknown>, region: string | undefined): RdsRole {
  const source = props.replicateSourceDb;
  if (source === undefined || source === null || source === "") return "writer";
  if (isArn(source) && region !== undefined && arnRegion(source) !== region) return "cross-region-replica";
  return "in-region-replica";
}

function onlyRds(args: ResourceValidationArgs): boolean {
  return args.type === AWS.rdsInstance;
}

export const awsRdsStorageEncrypted: ResourceValidationPolicy = {
  name: "aws-rds-storage-encrypted",
  description: "RDS instances encrypt their storage.",
  enforcementLevel: "mandatory",
  severity: "high",
  tags: ["security", "data"],
  validateResource: (args, reportViolation) => {
    if (!onlyRds(args)) return;
    if (!isTrue(args.props.storageEncrypted)) {
      reportViolation(
        `${label(args)} does not encrypt its storage (storageEncrypted is ${JSON.stringify(args.props.storageEncrypted ?? null)}). ` +
        `Set storageEncrypted: true with kmsKeyId = a customer KMS key in the instance's region; an existing instance must be restored from an encrypted snapshot copy.`,
      );
    }
  },
};

export const awsRdsNotPublic: ResourceValidationPolicy = {
  name: "aws-rds-not-public",
  description: "RDS instances have no public endpoint.",
  enforcementLevel: "mandatory",
  severity: "critical",
  tags: ["security", "data"],
  validateResource: (args, reportViolation) => {
    if (!onlyRds(args)) return;
    if (isTrue(args.props.publiclyAccessible)) {
      reportViolation(
        `${label(args)} is publicly accessible (publiclyAccessible: true). Set publiclyAccessible: false and keep it in the private data subnets; ` +
        `the API reaches it through the database security group, operators through SSM port forwarding.`,
      );
    }
  },
};

function prodWriteCapable(args: ResourceValidationArgs, policy: string): RdsRole {
  requireProd(args, policy);
  const role = rdsRole(args.props, regionOf(args));
  if (role === "in-region-replica") args.notApplicable(`${label(args)} is an in-region read replica (disposable, never promoted)`);
  return role;
}

export const awsRdsMultiAz: ResourceValidationPolicy = {
  name: "aws-rds-multi-az",
  description: "Prod RDS writers and cross-region replicas are Multi-AZ.",
  enforcementLevel: "mandatory",
  severity: "high",
  tags: ["reliability", "prod"],
  validateResource: (args, reportViolation) => {
    if (!onlyRds(args)) return;
    const role = prodWriteCapable(args, "aws-rds-multi-az");
    if (!isTrue(args.props.multiAz)) {
      reportViolation(
        `${label(args)} (prod ${role}) is single-AZ (multiAz is ${JSON.stringify(args.props.multiAz ?? null)}): losing its AZ stops writes until a manual restore. ` +
        `Set multiAz: true (config resilient-feed:database.multiAz).`,
      );
    }
  },
};

export const awsRdsBackupRetention: ResourceValidationPolicy = {
  name: "aws-rds-backup-retention",
  description: "Prod RDS writers and cross-region replicas keep automated backups for at least the configured number of days.",
  enforcementLevel: "mandatory",
  severity: "high",
  tags: ["reliability", "prod"],
  configSchema: backupRetentionSchema,
  validateResource: (args, reportViolation) => {
    if (!onlyRds(args)) return;
    const role = prodWriteCapable(args, "aws-rds-backup-retention");
    const { minimumRetentionDays } = readConfig("aws-rds-backup-retention", backupRetentionConfig, args.getConfig());
    const days = typeof args.props.backupRetentionPeriod === "number" ? args.props.backupRetentionPeriod : 0;
    if (days < minimumRetentionDays) {
      reportViolation(
        `${label(args)} (prod ${role}) keeps automated backups for ${days} day(s); the minimum is ${minimumRetentionDays}. ` +
        `Set backupRetentionPeriod >= ${minimumRetentionDays} (config resilient-feed:database.backupRetentionDays); ` +
        `a replica without backups cannot be promoted into a writer with point-in-time recovery.`,
      );
    }
  },
};

/**
 * The tag the program puts on a standby's resources while `dr.releaseProtection` lifts their
 * deletion protection for a mode switch that removes them (the program's copy: infra/aws/tags.ts).
 */
export const RELEASED_TAG = { key: "protection", value: "released" } as const;

export const awsRdsDeletionProtection: ResourceValidationPolicy = {
  name: "aws-rds-deletion-protection",
  description: "Prod RDS writers and cross-region replicas have deletion protection (a replica may be released on purpose for its removal).",
  enforcementLevel: "mandatory",
  severity: "high",
  tags: ["reliability", "prod"],
  validateResource: (args, reportViolation) => {
    if (!onlyRds(args)) return;
    const role = prodWriteCapable(args, "aws-rds-deletion-protection");
    // a replica's data is on its writer; a writer is never released
    const released = role === "cross-region-replica" && tagValue(args.props.tags, RELEASED_TAG.key) === RELEASED_TAG.value;
    if (!isTrue(args.props.deletionProtection) && !released) {
      reportViolation(
        `${label(args)} (prod ${role}) has no deletion protection: a replacement or a stray \`pulumi destroy\` deletes it. Set deletionProtection: true.`,
      );
    }
  },
};

export const rdsRules = [awsRdsStorageEncrypted, awsRdsNotPublic, awsRdsMultiAz, awsRdsBackupRetention, awsRdsDeletionProtection];
