import type { ResourceValidationPolicy } from "@pulumi/policy";
import { environmentOf, isProdName, label } from "./common";
import { instanceClassConfig, instanceClassSchema, matchesPattern, readConfig } from "./config";
import { AWS } from "./types";

// Cost guardrails: advisory, they inform the review and never block a deployment.

/** The size-determining input of each resource type the rule checks. */
const SIZED: Readonly<Record<string, string>> = {
  [AWS.rdsInstance]: "instanceClass",
  [AWS.replicationGroup]: "nodeType",
  [AWS.launchTemplate]: "instanceType",
};

export const costAllowedInstanceClasses: ResourceValidationPolicy = {
  name: "cost-allowed-instance-classes",
  description: "RDS instance classes, ElastiCache node types and EC2 instance types come from the environment's allowed list.",
  enforcementLevel: "advisory",
  severity: "low",
  tags: ["cost"],
  configSchema: instanceClassSchema,
  validateResource: (args, reportViolation) => {
    const key = SIZED[args.type];
    if (key === undefined) return;
    const value = args.props[key];
    if (typeof value !== "string") return args.notApplicable(`${label(args)} sets no ${key}`);
    const env = environmentOf(args);
    const config = readConfig("cost-allowed-instance-classes", instanceClassConfig, args.getConfig());
    const allowed = isProdName(env) ? config.prod : env === "dev" ? config.dev : undefined;
    if (allowed === undefined) return args.notApplicable(`no allowed list for environment "${env ?? "unknown"}"`);
    if (!allowed.some((p) => matchesPattern(value, p))) {
      reportViolation(
        `${label(args)} uses ${key} ${value}, which is not on the ${env} list (${allowed.join(", ")}). ` +
        `Pick an allowed size in the stack config, or add it to the cost-allowed-instance-classes "${isProdName(env) ? "prod" : "dev"}" list in the policy config if the spend is intended.`,
      );
    }
  },
};

export const costRules = [costAllowedInstanceClasses];
