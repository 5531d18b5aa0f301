import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { Topology } from "../topology/types";
import { replicaArn } from "./database-secret";

/** Letters and digits only (no quoting in a systemd EnvironmentFile), 64 of them (~381 bits). */
export const SESSION_SECRET_LENGTH = 64;

export interface SessionSecretArgs {
  readonly topology: Topology;
}

/**
 * The key every API instance of every site signs and verifies session tokens with
 * (SESSION_SECRET): one per stack, so a session minted at one site is valid at the other, and a
 * failover or geo shift logs nobody out. Kept in Secrets Manager in the first AWS site's region
 * (the primary's) whatever `dr.activeSite` says, replicated to the other AWS site's region; each
 * site reads its own region's copy, which stays readable when the home region is down. Nothing
 * here depends on the DR state (no role or mode in the tags), so a failover never touches it.
 *
 * It replaces one secret per site: the home site's old secret is reached through an alias, so its
 * value (and the sessions signed with it) carries over.
 */
export class SessionSecret extends pulumi.ComponentResource {
  /** the secret in its home region */
  public readonly arn: pulumi.Output<string>;
  public readonly homeRegion: string;
  public readonly replicaRegions: readonly string[];

  constructor(name: string, args: SessionSecretArgs, opts?: pulumi.ComponentResourceOptions) {
    const { topology } = args;
    const awsSites = topology.sites.filter((s) => s.cloud === "aws");
    if (awsSites.length === 0) throw new Error(`SessionSecret ${name}: the stack has no AWS site`);
    const home = awsSites[0];
    super("resilient-feed:aws:SessionSecret", name, {}, { ...opts, aliases: [...(opts?.aliases ?? []), perSiteSecretAlias(home.key, opts?.parent)] });
    const regions = [...new Set(awsSites.map((s) => s.region))];
    [this.homeRegion, ...this.replicaRegions] = regions;
    const child = { parent: this };

    const value = new random.RandomPassword(name, { length: SESSION_SECRET_LENGTH, special: false }, child);
    const secret = new aws.secretsmanager.Secret(name, {
      region: this.homeRegion,
      description: `${topology.project} ${topology.environment}: session-signing key of the API, shared by every site`,
      recoveryWindowInDays: 7,
      // default aws/secretsmanager key in each replica region
      replicas: this.replicaRegions.map((region) => ({ region })),
      tags: { project: topology.project, environment: topology.environment, site: home.key, tier: "api" },
    }, child);
    new aws.secretsmanager.SecretVersion(name, { region: this.homeRegion, secretId: secret.id, secretString: value.result }, child);

    this.arn = secret.arn;
    this.registerOutputs({ arn: this.arn, homeRegion: this.homeRegion, replicaRegions: this.replicaRegions });
  }

  /** The secret as read in `region`: the home secret, or its replica (same ARN, other region). */
  arnIn(region: string): pulumi.Output<string> {
    if (region !== this.homeRegion && !this.replicaRegions.includes(region)) {
      throw new Error(`SessionSecret: no replica in ${region} (home ${this.homeRegion}, replicas: ${this.replicaRegions.join(", ") || "none"})`);
    }
    return this.arn.apply((arn) => replicaArn(arn, region));
  }
}

/**
 * Where the home site's per-site secret lived before there was one for the stack: component
 * `${site}-session` inside that site's AwsSite (its children, named like it, follow the alias).
 */
export function perSiteSecretAlias(siteKey: string, stackParent: pulumi.Resource | undefined): pulumi.Alias {
  return { name: `${siteKey}-session`, parent: pulumi.createUrn(siteKey, "resilient-feed:aws:Site", stackParent) };
}

/** The stack's session secret, when it has an AWS site (whatever that site runs in this state). */
export function sessionSecretFor(topology: Topology, opts?: pulumi.ComponentResourceOptions): SessionSecret | undefined {
  return topology.sites.some((s) => s.cloud === "aws") ? new SessionSecret("session", { topology }, opts) : undefined;
}
