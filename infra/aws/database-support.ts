import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { SiteTopology, Topology } from "../topology/types";
import { incompatibleParameters } from "./mysql-compat";
import { MYSQL_PORT } from "./nacl-rules";
import { releasedTags, siteTags } from "./tags";

// What every RDS instance of a site stands on: a customer KMS key in the site's region, a subnet
// group in the data subnets, the MySQL parameter group and the enhanced-monitoring role.

export const ENHANCED_MONITORING_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole";

/** max_connections by instance size: RDS's default formula, pinned so alarms can use it. */
export function maxConnectionsFor(instanceClass: string): number {
  const size = instanceClass.split(".")[2] ?? "";
  const table: Record<string, number> = { micro: 60, small: 150, medium: 300, large: 1000, xlarge: 2000, "2xlarge": 4000, "4xlarge": 8000 };
  return table[size] ?? 1000;
}

/** RDS for MySQL offers no Performance Insights on the micro/small burstable classes. */
export function supportsPerformanceInsights(instanceClass: string): boolean {
  return !/^db\.t\d+[a-z]*\.(micro|small)$/.test(instanceClass);
}

export function mysqlParameters(instanceClass: string): { name: string; value: string; applyMethod: string }[] {
  return [
    { name: "binlog_format", value: "ROW", applyMethod: "pending-reboot" },
    { name: "time_zone", value: "UTC", applyMethod: "immediate" },
    { name: "max_connections", value: String(maxConnectionsFor(instanceClass)), applyMethod: "pending-reboot" },
    { name: "require_secure_transport", value: "1", applyMethod: "immediate" },
    { name: "slow_query_log", value: "1", applyMethod: "immediate" },
    { name: "long_query_time", value: "0.5", applyMethod: "immediate" },
  ];
}

export interface DatabaseFoundation {
  readonly key: aws.kms.Key;
  readonly subnetGroup: aws.rds.SubnetGroup;
  readonly parameterGroup: aws.rds.ParameterGroup;
  readonly monitoringRole: aws.iam.Role;
}

export function databaseFoundation(name: string, parent: pulumi.Resource, topology: Topology, site: SiteTopology, dataSubnetIds: pulumi.Input<string>[]): DatabaseFoundation {
  const region = site.region;
  const tags = siteTags(topology, site, "database");
  const opts = { parent };
  const key = new aws.kms.Key(`${name}-kms`, {
    region,
    description: `RDS storage and Performance Insights, ${topology.environment} ${site.key} (${region})`,
    enableKeyRotation: true,
    deletionWindowInDays: 30,
    tags,
  }, opts);
  const subnetGroup = new aws.rds.SubnetGroup(`${name}-subnets`, { region, subnetIds: dataSubnetIds, tags }, opts);
  const parameters = mysqlParameters(site.database.instanceClass);
  const invalid = incompatibleParameters(topology.databaseEngine.family, parameters.map((p) => p.name));
  if (invalid.length > 0) throw new Error(`${name}: the ${topology.databaseEngine.family} parameter group cannot set: ${invalid.join("; ")}`);
  const parameterGroup = new aws.rds.ParameterGroup(`${name}-params`, {
    region,
    family: topology.databaseEngine.family,
    description: "resilient-feed MySQL: row binlogs, UTC, TLS only",
    parameters,
    tags,
  }, opts);
  const monitoringRole = new aws.iam.Role(`${name}-monitoring`, {
    assumeRolePolicy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "monitoring.rds.amazonaws.com" }, Action: "sts:AssumeRole" }],
    }),
    tags,
  }, opts);
  new aws.iam.RolePolicyAttachment(`${name}-monitoring`, { role: monitoringRole.name, policyArn: ENHANCED_MONITORING_POLICY }, opts);
  return { key, subnetGroup, parameterGroup, monitoringRole };
}

/** UTC; 02:00-02:30 KST. The maintenance window follows it, never overlapping. */
export const BACKUP_WINDOW = "17:00-17:30";
export const MAINTENANCE_WINDOW = "sun:18:00-sun:19:00";

/**
 * The in-region read replicas of a writer (a Database, or a promoted CrossRegionReplica): same
 * region, so the source is named by identifier and they share the writer's subnet group.
 */
export function inRegionReadReplicas(name: string, parent: pulumi.Resource, topology: Topology, site: SiteTopology, f: DatabaseFoundation,
  securityGroupId: pulumi.Input<string>, sourceIdentifier: pulumi.Input<string>): aws.rds.Instance[] {
  const db = site.database;
  return Array.from({ length: db.readReplicas }, (_, i) => new aws.rds.Instance(`${name}-read-${i}`, {
    ...commonInstanceArgs(topology, site, f, securityGroupId),
    dbSubnetGroupName: undefined,
    replicateSourceDb: sourceIdentifier,
    storageType: "gp3",
    maxAllocatedStorage: db.maxAllocatedStorageGb,
    multiAz: false,
    backupRetentionPeriod: 0,
    maintenanceWindow: MAINTENANCE_WINDOW,
    deletionProtection: db.deletionProtection,
    skipFinalSnapshot: true,
  }, { parent }));
}

/** Settings every instance shares (writer, in-region replicas, cross-region replica). */
export function commonInstanceArgs(topology: Topology, site: SiteTopology, f: DatabaseFoundation, securityGroupId: pulumi.Input<string>) {
  const pi = supportsPerformanceInsights(site.database.instanceClass);
  return {
    region: site.region,
    instanceClass: site.database.instanceClass,
    storageEncrypted: true,
    kmsKeyId: f.key.arn,
    dbSubnetGroupName: f.subnetGroup.name,
    parameterGroupName: f.parameterGroup.name,
    vpcSecurityGroupIds: [securityGroupId],
    publiclyAccessible: false,
    port: MYSQL_PORT,
    performanceInsightsEnabled: pi,
    performanceInsightsKmsKeyId: pi ? f.key.arn : undefined,
    performanceInsightsRetentionPeriod: pi ? 7 : undefined,
    monitoringInterval: 60,
    monitoringRoleArn: f.monitoringRole.arn,
    enabledCloudwatchLogsExports: ["error", "slowquery"],
    autoMinorVersionUpgrade: true,
    copyTagsToSnapshot: true,
    caCertIdentifier: "rds-ca-rsa2048-g1",
    tags: { ...siteTags(topology, site, "database"), ...releasedTags(site) },
  };
}
