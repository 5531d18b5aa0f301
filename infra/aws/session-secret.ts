import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { SiteTopology, Topology } from "../topology/types";
import { siteTags } from "./tags";

export interface SessionSecretArgs {
  readonly topology: Topology;
  readonly site: SiteTopology;
}

/**
 * The key the API signs session ids with (SESSION_SECRET), generated once and kept in Secrets
 * Manager in the site's region; the instances read it at service start. One per site: sessions
 * live in the site's Redis, so a session never outlives a move to the other site anyway.
 * Letters and digits only, so it needs no quoting in a systemd EnvironmentFile.
 */
export class SessionSecret extends pulumi.ComponentResource {
  public readonly arn: pulumi.Output<string>;

  constructor(name: string, args: SessionSecretArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:aws:SessionSecret", name, {}, opts);
    const { topology, site } = args;
    const region = site.region;
    const tags = siteTags(topology, site, "api");
    const child = { parent: this };
    const value = new random.RandomPassword(name, { length: 64, special: false }, child);
    const secret = new aws.secretsmanager.Secret(name, { region, description: "Session-signing key of the API", recoveryWindowInDays: 7, tags }, child);
    new aws.secretsmanager.SecretVersion(name, { region, secretId: secret.id, secretString: value.result }, child);
    this.arn = secret.arn;
    this.registerOutputs({ arn: this.arn });
  }
}
