import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import type { Topology } from "../topology/types";

export interface DoDumpBucketArgs {
  readonly topology: Topology;
}

/**
 * Where the ops runners put the MySQL dumps: one private Spaces bucket per stack, in a region no
 * site is in (digitalocean.dumps.region, validated), so a regional outage of the writer's site
 * leaves its dumps readable. A stack-level resource: a failover neither creates nor changes it.
 * Dumps expire after digitalocean.dumps.retentionDays (lifecycle rule); only the runners' Spaces
 * keys may write it.
 */
export class DoDumpBucket extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  public readonly region: string;

  constructor(name: string, args: DoDumpBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:digitalocean:DumpBucket", name, {}, opts);
    const { topology } = args;
    const plan = topology.digitalocean;
    if (!plan) throw new Error(`DoDumpBucket ${name}: the topology has no digitalocean plan`);
    this.region = plan.dumps.region;
    const bucket = new digitalocean.SpacesBucket(name, {
      name: `${topology.project}-${topology.environment}-dumps`,
      region: plan.dumps.region,
      acl: "private",
      lifecycleRules: [{ id: "expire-dumps", enabled: true, prefix: "dumps/", expiration: { days: plan.dumps.retentionDays }, abortIncompleteMultipartUploadDays: 1 }],
      // prod refuses DigitalOcean sites; a dev stack's dumps go with it
      forceDestroy: topology.environment !== "prod",
    }, { parent: this });
    this.bucketName = bucket.name;
    this.registerOutputs({ bucketName: this.bucketName });
  }
}
