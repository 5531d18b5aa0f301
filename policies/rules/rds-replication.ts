import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { arnRegion, deploymentMarker, isTrue, label, refersTo, regionOf } from "./common";
import { AWS, type DrMode } from "./types";

// RDS creates no read replica, in-region or cross-region, of a source whose master password RDS
// manages in Secrets Manager (manageMasterUserPassword) — every engine but SQL Server (RDS User
// Guide, "Limitations for Secrets Manager integration with Amazon RDS"). Mocks and previews
// cannot see it; `pulumi up` fails when it creates the replica.

const REPLICATING: readonly DrMode[] = ["pilot-light", "warm-standby", "active-active"];

const isWriter = (r: PolicyResource) => r.props.replicateSourceDb === undefined || r.props.replicateSourceDb === null || r.props.replicateSourceDb === "";

/** Whether `replica` names `source` as its replicateSourceDb: by dependency, ARN, identifier or id. */
function replicates(replica: PolicyResource, source: PolicyResource): boolean {
  if (replica === source || isWriter(replica)) return false;
  if (refersTo(replica, "replicateSourceDb", source, ["arn", "identifier", "id"])) return true;
  const value = replica.props.replicateSourceDb;
  const identifier = typeof source.props.identifier === "string" ? source.props.identifier : undefined;
  // an ARN built by hand: arn:aws:rds:<source region>:<account>:db:<identifier>
  return typeof value === "string" && identifier !== undefined && arnRegion(value) === regionOf(source) && value.endsWith(`:db:${identifier}`);
}

export const rdsReplicationSourcePassword: StackValidationPolicy = {
  name: "rds-replication-source-password",
  description: "A replication source (an RDS instance another replicates from, or any writer in a replicating DR mode) does not use an RDS-managed master password: RDS refuses to create its replicas.",
  enforcementLevel: "mandatory",
  severity: "critical",
  tags: ["reliability", "dr", "data"],
  validateStack: (args, reportViolation) => {
    const instances = args.resources.filter((r) => r.type === AWS.rdsInstance);
    if (instances.length === 0) args.notApplicable("no RDS instances in the stack");
    const mode = deploymentMarker(args.resources)?.mode;
    for (const db of instances) {
      if (!isTrue(db.props.manageMasterUserPassword)) continue;
      const replicas = instances.filter((r) => replicates(r, db));
      const writerInReplicatingMode = isWriter(db) && mode !== undefined && REPLICATING.includes(mode);
      if (replicas.length === 0 && !writerInReplicatingMode) continue;
      const why = replicas.length > 0 ? `${replicas.map(label).join(", ")} replicate${replicas.length === 1 ? "s" : ""} from it` : `it is the writer in DR mode ${mode}, which replicates it to the standby`;
      reportViolation(
        `${label(db)} sets manageMasterUserPassword: true, but ${why}; RDS creates no read replica of a source whose master password it manages (every engine but SQL Server). ` +
        `Generate the password (random.RandomPassword), keep it in a Secrets Manager secret the program owns (replicated to the standby region), and set password instead.`,
        db.urn,
      );
    }
  },
};

export const rdsReplicationRules = [rdsReplicationSourcePassword];
