import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Topology } from "../topology/types";

// The one AWS provider of the stack. Every AWS resource names its own region (provider v7's
// per-resource `region`), so the provider's region only decides where the provider itself calls:
// its start-up (credentials validation and the account id, both STS GetCallerIdentity) and the
// functions without a region (getCallerIdentity). Those must never go to a fenced site's region:
// during a regional outage they fail and the whole `up` stops before its first step. The stack's
// default provider would send them to `aws:region`, a fixed region (the primary's); this provider
// follows the writer instead, so a failover moves them with it. Why each setting: README,
// "Failing over while the primary region is down", and docs/cloud-constraints.md.

/** Logical name of the provider: fixed, so its URN survives a failover (only its region changes). */
export const AWS_PROVIDER_NAME = "aws";

/** Where the provider's own calls go: the writer's region, else any AWS site that is not fenced. */
export function awsProviderRegion(topology: Topology): string | undefined {
  const aws = topology.sites.filter((s) => s.cloud === "aws");
  const writer = aws.find((s) => s.key === topology.writerSite);
  const unfenced = aws.find((s) => s.key !== topology.fencedSite);
  if (writer ?? unfenced) return (writer ?? unfenced)!.region;
  // no AWS site may take them (only the fenced one is on AWS, or a Route 53 edge over other
  // clouds): us-east-1, where Route 53's and IAM's control planes are anyway
  return aws.length > 0 || topology.edge.dns === "route53" ? "us-east-1" : undefined;
}

/**
 * The provider's settings. The three skip settings stay off, each for a reason: credentials are
 * validated in the writer's region, which the run needs anyway; the account id comes from that
 * same call, and the provider builds ARNs with it (skipping it leaves the account empty in ARNs
 * such as the launch template's); the region check is static (no request). No `stsRegion`:
 * Pulumi's own credentials check before the provider starts reads `region` only, so a separate
 * STS region would add a second region the run depends on.
 */
export function awsProviderArgs(region: string): aws.ProviderArgs {
  const stack = new pulumi.Config("aws");
  return {
    region,
    skipCredentialsValidation: false,
    skipRequestingAccountId: false,
    skipRegionValidation: false,
    // an explicit provider does not read the stack's aws:* keys; keep the ones that pick the credentials
    ...definedOnly({ profile: stack.get("profile"), assumeRoles: stack.getObject<aws.types.input.ProviderAssumeRole[]>("assumeRoles"), allowedAccountIds: stack.getObject<string[]>("allowedAccountIds") }),
  };
}

/** The stack's AWS provider, or none when nothing of the stack is on AWS. */
export function awsProviderFor(topology: Topology): aws.Provider | undefined {
  const region = awsProviderRegion(topology);
  return region === undefined ? undefined : new aws.Provider(AWS_PROVIDER_NAME, awsProviderArgs(region));
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
