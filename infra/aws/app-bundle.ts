import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import type { SiteTopology, Topology } from "../topology/types";
import { buildAppBundle, type BuiltBundle, type BundleEntries } from "./app-bundle-build";
import { privateBucket } from "./private-bucket";
import { releasedTags, siteTags } from "./tags";

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
/** The release's hash as buildAppBundle computes it: SHA-256 over both files' hashes. */
export function releaseHash(serverSha256: string, workerSha256: string): string {
  return createHash("sha256").update(`${serverSha256}\n${workerSha256}`).digest("hex");
}

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
    const built = args.build ?? buildAppBundle(args.entries);
    // a fenced site keeps the release it ran when pinned (dr.fencedRelease): a hotfix `up` while
    // failed over must not rewrite its objects or its launch template in the failed region
    const pin = site.releasePin;
    const bundle = pin
      ? { server: { ...built.server, sha256: pin.server }, worker: { ...built.worker, sha256: pin.worker }, hash: releaseHash(pin.server, pin.worker) }
      : built;
    const region = site.region;
    const tags = siteTags(topology, site, "artifacts");

    // versioned: old versions stay after the objects' deletes, so deleting the bucket needs
    // forceDestroy in state (dev, or released by dr.releaseProtection)
    const { bucket } = privateBucket(`${name}-artifacts`, {
      region,
      tags: { ...tags, ...releasedTags(site) },
      parent: this,
      versioning: true,
      noncurrentExpireDays: 30,
      forceDestroy: site.protection.forceDestroyBuckets,
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
        // pinned: the object under this key is the old release's; never upload the new bytes over it
      }, { parent: this, ignoreChanges: pin ? ["source"] : undefined });
    }

    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.serverSha256 = bundle.server.sha256;
    this.workerSha256 = bundle.worker.sha256;
    this.hash = bundle.hash;
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn, serverKey: this.serverKey, workerKey: this.workerKey, hash: this.hash });
  }
}
