import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import { buildAppBundle, releaseHash, type BuiltBundle } from "../aws/app-bundle";
import type { SiteTopology, Topology } from "../topology/types";
import { siteName } from "./tags";

export interface DoReleaseBucketArgs {
  readonly topology: Topology;
  readonly site: SiteTopology;
  /** an already built bundle; built from the app's sources when absent */
  readonly build?: BuiltBundle;
}

/**
 * The release the droplets boot: the same bundle as the AWS sites, in a private Spaces bucket
 * under a key carrying its hash, and a Spaces key that may only read this bucket (its pair
 * travels in the droplets' secret user data).
 */
export class DoReleaseBucket extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  public readonly bucketUrn: pulumi.Output<string>;
  public readonly serverKey: string;
  public readonly workerKey: string;
  public readonly serverSha256: string;
  public readonly workerSha256: string;
  public readonly accessKey: pulumi.Output<string>;
  public readonly secretKey: pulumi.Output<string>;

  constructor(name: string, args: DoReleaseBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:digitalocean:ReleaseBucket", name, {}, opts);
    const { topology, site } = args;
    const child = { parent: this };
    const built = args.build ?? buildAppBundle();
    const bundle = site.releasePin
      ? { server: { ...built.server, sha256: site.releasePin.server }, worker: { ...built.worker, sha256: site.releasePin.worker }, hash: releaseHash(site.releasePin.server, site.releasePin.worker) }
      : built;
    const bucket = new digitalocean.SpacesBucket(name, {
      name: `${siteName(topology, site)}-releases`,
      region: site.region,
      acl: "private",
      versioning: { enabled: true },
      forceDestroy: site.protection.forceDestroyBuckets,
    }, child);
    const release = `releases/${bundle.hash.slice(0, 16)}`;
    this.serverKey = `${release}/server.js`;
    this.workerKey = `${release}/worker.js`;
    for (const role of ["server", "worker"] as const) {
      new digitalocean.SpacesBucketObject(`${name}-${role}`, {
        region: site.region,
        bucket: bucket.name,
        key: role === "server" ? this.serverKey : this.workerKey,
        source: bundle[role].path,
        acl: "private",
        contentType: "application/javascript",
        metadata: { sha256: bundle[role].sha256 },
      }, { parent: this, ignoreChanges: site.releasePin ? ["source"] : undefined });
    }
    const key = new digitalocean.SpacesKey(`${name}-read`, {
      name: `${siteName(topology, site)}-release-read`,
      grants: [{ bucket: bucket.name, permission: "read" }],
    }, child);
    this.serverSha256 = bundle.server.sha256;
    this.workerSha256 = bundle.worker.sha256;
    this.bucketName = bucket.name;
    this.bucketUrn = bucket.bucketUrn;
    this.accessKey = key.accessKey;
    this.secretKey = pulumi.secret(key.secretKey);
    this.registerOutputs({ bucketName: this.bucketName });
  }
}
