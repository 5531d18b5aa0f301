import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { label } from "../common";
import { AWS } from "../types";
import { RDS_ENGINE_VERSIONS, engineMajorVersion, pastStandardSupport } from "../../../infra/facts/rds-engine-versions";

// The RDS support table is the program's (infra/facts/rds-engine-versions.ts, a leaf module the
// config validation reads too); this rule checks the planned instances against it.

// --- policy config: the date the rule compares against -------------------------------------------
/** The rule's date: the configured `asOf`, else today (UTC). Tests always configure one. */
export function asOfDate(config: { asOf?: unknown }, today: () => Date = () => new Date()): string {
  const v = config.asOf;
  if (v === undefined || v === null || v === "") return today().toISOString().slice(0, 10);
  if (typeof v !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) {
    throw new Error(`policy config for aws-rds-engine-standard-support is invalid: asOf must be a date YYYY-MM-DD, got ${JSON.stringify(v)}`);
  }
  return v;
}

export const awsRdsEngineStandardSupport: StackValidationPolicy = {
  name: "aws-rds-engine-standard-support",
  description: "RDS engine versions are in RDS standard support (not past its end date, which bills Extended Support), known to the program's version table, and on a parameter group of their family.",
  enforcementLevel: "mandatory",
  severity: "high",
  tags: ["cloud-acceptance", "database"],
  configSchema: {
    properties: {
      asOf: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$", description: "The date (YYYY-MM-DD, UTC) versions are checked against; today when unset." },
    },
  },
  validateStack: (args, reportViolation) => {
    const asOf = asOfDate(args.getConfig<{ asOf?: string }>());
    const rds = args.resources.filter((r) => r.type === AWS.rdsInstance);
    const instances = rds.filter((r) => typeof r.props.engine === "string" && typeof r.props.engineVersion === "string");
    // A writer that names no engine is a promoted cross-region replica (failover, failback): it
    // runs what it was seeded with, and its parameter group's family says which major that is.
    // Replicas still replicating run their source's version and are checked through it.
    const promoted = rds.filter((r) => typeof r.props.engineVersion !== "string" && !r.props.replicateSourceDb);
    if (instances.length === 0 && promoted.length === 0) args.notApplicable("no RDS instance in the stack names an engine and version");
    const groups = args.resources.filter((r) => r.type === AWS.rdsParameterGroup);
    const groupOf = (db: PolicyResource) => {
      const named = db.props.parameterGroupName;
      return groups.find((g) => (typeof named === "string" && g.props.name === named) || db.propertyDependencies?.parameterGroupName?.some((d) => d.urn === g.urn));
    };
    for (const db of promoted) {
      const group = groupOf(db);
      const v = group && RDS_ENGINE_VERSIONS.find((x) => x.family === group.props.family);
      if (v && pastStandardSupport(v, asOf)) {
        reportViolation(
          `${label(db)} (a promoted replica, on ${label(group!)} of family ${v.family}) runs ${v.engine} ${v.major}, whose RDS standard support ended ${v.standardSupportEnds} (checked as of ${asOf}): RDS bills it as Extended Support. ` +
          `Upgrade its major version (database.engineVersion; replicas first, then the writer with allowMajorVersionUpgrade).`,
          db.urn,
        );
      }
    }
    const known = (engine: string) => RDS_ENGINE_VERSIONS.filter((v) => v.engine === engine).map((v) => `${v.major} (until ${v.standardSupportEnds})`).join(", ");
    for (const db of instances) {
      const engine = String(db.props.engine);
      const version = String(db.props.engineVersion);
      const v = engineMajorVersion(engine, version);
      if (!v) {
        reportViolation(`${label(db)} runs ${engine} ${version}, a major version missing from the program's RDS support table (known: ${known(engine) || "none"}). Use a listed version, or add the row with its RDS end-of-standard-support date.`, db.urn);
        continue;
      }
      if (pastStandardSupport(v, asOf)) {
        const current = RDS_ENGINE_VERSIONS.filter((x) => x.engine === engine && !pastStandardSupport(x, asOf)).map((x) => x.major);
        reportViolation(
          `${label(db)} runs ${engine} ${version}, whose RDS standard support ended ${v.standardSupportEnds} (checked as of ${asOf}): RDS bills it as Extended Support, and a new instance is created into it. ` +
          `Upgrade to ${current.join(" or ") || "a supported major version"} (database.engineVersion; replicas first, then the writer with allowMajorVersionUpgrade).`,
          db.urn,
        );
      }
      const group = groupOf(db);
      if (group && group.props.family !== v.family) {
        reportViolation(`${label(db)} runs ${engine} ${version} on ${label(group)} of family ${String(group.props.family)}; RDS refuses a parameter group of another family (allowed: ${v.family}).`, db.urn);
      }
    }
  },
};
