import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { Topology } from "../topology/types";

// The database master credentials: one password the program generates, kept in a Secrets Manager
// secret it owns, replicated to the other AWS site's region. Never an RDS-managed password
// (manageMasterUserPassword): RDS creates no read replica, in-region or cross-region, of a source
// whose password RDS manages (RDS User Guide, "Limitations for Secrets Manager integration with
// Amazon RDS"), and a writer that flipped between the two on failover would change its password.

export const MASTER_USERNAME = "feedadmin";
/**
 * RDS for MySQL master passwords: 8 to 41 printable ASCII characters, none of / " @ or space
 * (CreateDBInstance, MasterUserPassword). Letters and digits only, 40 of them (~238 bits).
 */
export const MASTER_PASSWORD_LENGTH = 40;

export interface DatabaseMasterSecretArgs {
  readonly topology: Topology;
}

/**
 * Lives in the first AWS site's region (the primary's) whatever `dr.activeSite` says, so a
 * failover never touches it; the other AWS site reads its local replica, which Secrets Manager
 * keeps in step and which stays readable when the home region is down. The value holds only
 * {"username","password"}: the writer's address changes with failover and is not a secret, so
 * the user data carries it and the secret never needs a write in the failed region.
 */
export class DatabaseMasterSecret extends pulumi.ComponentResource {
  public readonly username = MASTER_USERNAME;
  /** the generated password (a Pulumi secret) */
  public readonly password: pulumi.Output<string>;
  /** the secret in its home region */
  public readonly arn: pulumi.Output<string>;
  public readonly homeRegion: string;
  public readonly replicaRegions: readonly string[];

  constructor(name: string, args: DatabaseMasterSecretArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:aws:DatabaseMasterSecret", name, {}, opts);
    const { topology } = args;
    const awsSites = topology.sites.filter((s) => s.cloud === "aws");
    if (awsSites.length === 0) throw new Error(`DatabaseMasterSecret ${name}: the stack has no AWS site`);
    const regions = [...new Set(awsSites.map((s) => s.region))];
    [this.homeRegion, ...this.replicaRegions] = regions;
    const child = { parent: this };

    const password = new random.RandomPassword(name, { length: MASTER_PASSWORD_LENGTH, special: false }, child);
    const secret = new aws.secretsmanager.Secret(name, {
      region: this.homeRegion,
      description: `${topology.project} ${topology.environment}: database master credentials ({"username","password"})`,
      recoveryWindowInDays: 7,
      // default aws/secretsmanager key in each replica region
      replicas: this.replicaRegions.map((region) => ({ region })),
      tags: { project: topology.project, environment: topology.environment, site: awsSites[0].key, tier: "database" },
    }, child);
    new aws.secretsmanager.SecretVersion(name, {
      region: this.homeRegion,
      secretId: secret.id,
      secretString: pulumi.jsonStringify({ username: MASTER_USERNAME, password: password.result }),
    }, child);

    this.password = password.result;
    this.arn = secret.arn;
    this.registerOutputs({ arn: this.arn, homeRegion: this.homeRegion, replicaRegions: this.replicaRegions });
  }

  /** The secret as read in `region`: the home secret, or its replica (same ARN, other region). */
  arnIn(region: string): pulumi.Output<string> {
    if (region !== this.homeRegion && !this.replicaRegions.includes(region)) {
      throw new Error(`DatabaseMasterSecret: no replica in ${region} (home ${this.homeRegion}, replicas: ${this.replicaRegions.join(", ") || "none"})`);
    }
    return this.arn.apply((arn) => replicaArn(arn, region));
  }
}

/** A Secrets Manager replica keeps its primary's ARN except for the region field. */
export function replicaArn(arn: string, region: string): string {
  const parts = arn.split(":");
  if (parts.length < 7 || parts[0] !== "arn" || parts[2] !== "secretsmanager") throw new Error(`not a Secrets Manager secret ARN: ${arn}`);
  parts[3] = region;
  return parts.join(":");
}
