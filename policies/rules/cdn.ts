import type { StackValidationPolicy } from "@pulumi/policy";
import { asArray, groupBy, label } from "./common";
import { AWS } from "./types";

// CloudFront refuses a distribution whose alternate domain name (CNAME) another distribution
// already has (CNAMEAlreadyExists; CloudFront Developer Guide, "Using custom URLs": a domain name
// can be an alias of one distribution only). A failover that planned a second distribution for
// the same name would stop at that error.

export const awsCloudfrontUniqueAliases: StackValidationPolicy = {
  name: "aws-cloudfront-unique-aliases",
  description: "No two CloudFront distributions of the stack claim the same alias (CloudFront refuses a duplicate CNAME).",
  enforcementLevel: "mandatory",
  severity: "critical",
  tags: ["reliability", "edge", "dr"],
  validateStack: (args, reportViolation) => {
    const distributions = args.resources.filter((r) => r.type === AWS.distribution);
    if (distributions.length < 2) args.notApplicable(`${distributions.length} CloudFront distribution${distributions.length === 1 ? "" : "s"} in the stack`);
    const claims = distributions.flatMap((d) => asArray(d.props.aliases).filter((a): a is string => typeof a === "string").map((alias) => ({ alias: alias.toLowerCase(), d })));
    for (const [alias, list] of groupBy(claims, (c) => c.alias)) {
      const owners = [...new Set(list.map((c) => c.d))];
      if (owners.length < 2) continue;
      reportViolation(
        `${owners.map(label).join(" and ")} both claim the alias "${alias}"; CloudFront refuses a CNAME that another distribution has (CNAMEAlreadyExists). ` +
        `Keep one distribution for the name (e.g. an origin group that fails over between the sites' origins) and remove the alias from the others.`,
        owners[1].urn,
      );
    }
  },
};

export const cdnRules = [awsCloudfrontUniqueAliases];
