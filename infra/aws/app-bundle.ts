import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { SiteTopology, Topology } from "../topology/types";
import { buildAppBundle, type BuiltBundle, type BundleEntries } from "./app-bundle-build";
import { privateBucket } from "./private-bucket";
import { siteTags } from "./tags";

export { buildAppBundle, DEFAULT_ENTRIES, type BuiltBundle, type BuiltFile, type BundleEntries } from "./app-bundle-build";

// The app bundle (built by app-bundle-build.ts), hashed and uploaded to a per-site artifact bucket
// under a key that carries the hash. A new bundle therefore changes the object keys, hence the
// user data, hence the launch template version; the ASG's instance refresh rolls it out.

export interface AppBundleArgs {
  readonly topology: Topology;
  readonly site: SiteTopology;
  /** an already built bundle (shared between sites); built from `entries` when absent */
  readonly build?: BuiltBundle;
  readonly entries?: BundleEntries;
}

/** The artifact bucket of one site and the release objects in it. */
export class AppBundle extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  public readonly bucketArn: pulumi.Output<string>;
  public readonly serverKey: string;
  public readonly workerKey: string;
  public readonly serverSha256: string;
  public readonly workerSha256: string;
  public readonly hash: string;

  constructor(name: string, args: AppBundleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:aws:AppBundle", name, {}, opts);
    const { topology, site } = args;
    if (site.cloud !== "aws") throw new Error(`AppBundle ${name}: site ${site.key} is on ${site.cloud}, not aws`);
    const bundle = args.build ?? buildAppBundle(args.entries);
    const region = site.region;
    const tags = siteTags(topology, site, "artifacts");

    const { bucket } = privateBucket(`${name}-artifacts`, {
      region,
      tags,
      parent: this,
      versioning: true,
      noncurrentExpireDays: 30,
      forceDestroy: topology.environment !== "prod",
    });

    const release = `releases/${bundle.hash.slice(0, 16)}`;
    this.serverKey = `${release}/server.js`;
    this.workerKey = `${release}/worker.js`;
    for (const role of ["server", "worker"] as const) {
      new aws.s3.BucketObjectv2(`${name}-${role}`, {
        region,
        bucket: bucket.id,
        key: role === "server" ? this.serverKey : this.workerKey,
        source: new pulumi.asset.FileAsset(bundle[role].path),
        contentType: "application/javascript",
        serverSideEncryption: "AES256",
        metadata: { sha256: bundle[role].sha256 },
        tags,
      }, { parent: this });
    }

    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.serverSha256 = bundle.server.sha256;
    this.workerSha256 = bundle.worker.sha256;
    this.hash = bundle.hash;
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn, serverKey: this.serverKey, workerKey: this.workerKey, hash: this.hash });
  }
}
