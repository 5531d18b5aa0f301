import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { buildSync } from "esbuild";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { SiteTopology, Topology } from "../topology/types";
import { privateBucket } from "./static-site-bucket";
import { siteTags } from "./tags";

// The app bundle: app/src/server.ts and app/src/worker.ts bundled by esbuild (node20, CommonJS,
// dependencies inlined) into two self-contained files, hashed, and uploaded to a per-site
// artifact bucket under a key that carries the hash. A new bundle therefore changes the object
// keys, hence the user data, hence the launch template version; the ASG's instance refresh rolls
// it out.

export interface BundleEntries {
  readonly server: string;
  readonly worker: string;
  /** SQL migrations embedded into the bundle (the server applies them at start) */
  readonly migrationsDir?: string;
}

export interface BuiltFile {
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
}

export interface BuiltBundle {
  readonly server: BuiltFile;
  readonly worker: BuiltFile;
  /** SHA-256 over both files; its first 16 hex digits name the release */
  readonly hash: string;
}

export const DEFAULT_ENTRIES: BundleEntries = {
  server: path.resolve(__dirname, "..", "..", "app", "src", "server.ts"),
  worker: path.resolve(__dirname, "..", "..", "app", "src", "worker.ts"),
  migrationsDir: path.resolve(__dirname, "..", "..", "app", "migrations"),
};

/** The migration files as app/src/db/migrate.ts expects them embedded: file name → SQL. */
function embeddedMigrations(dir: string | undefined): Record<string, string> {
  if (dir === undefined) return {};
  if (!fs.existsSync(dir)) throw new Error(`AppBundle: the migrations directory ${dir} does not exist`);
  return Object.fromEntries(fs.readdirSync(dir).filter((f) => f.endsWith(".sql")).sort().map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]));
}

const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");
const built = new Map<string, BuiltBundle>();

/**
 * Bundles the entries with esbuild (synchronously: component constructors are synchronous).
 * Built once per process for the same entries, so every site uploads the same bytes.
 */
export function buildAppBundle(entries: BundleEntries = DEFAULT_ENTRIES, outDir?: string): BuiltBundle {
  const cacheKey = `${entries.server}\n${entries.worker}\n${entries.migrationsDir ?? ""}\n${outDir ?? ""}`;
  const cached = built.get(cacheKey);
  if (cached) return cached;
  for (const [role, file] of [["server", entries.server], ["worker", entries.worker]]) {
    if (!fs.existsSync(file)) throw new Error(`AppBundle: the ${role} entry ${file} does not exist; build the app (app/src) first or pass other entries`);
  }
  const out = outDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "resilient-feed-bundle-"));
  const files: Record<keyof BundleEntries, BuiltFile> = {} as Record<keyof BundleEntries, BuiltFile>;
  const migrations = embeddedMigrations(entries.migrationsDir);
  for (const role of ["server", "worker"] as const) {
    const outfile = path.join(out, `${role}.js`);
    const result = buildSync({
      entryPoints: [entries[role]],
      outfile,
      bundle: true,
      platform: "node",
      target: "node20",
      format: "cjs",
      sourcemap: false,
      legalComments: "none",
      logLevel: "silent",
      define: { __RESILIENT_FEED_MIGRATIONS__: JSON.stringify(migrations) },
      // native / optional add-ons some drivers probe for at runtime; absent is fine
      external: ["pino-pretty", "cardinal", "pg-native"],
    });
    if (result.errors.length > 0) throw new Error(`AppBundle: esbuild failed for ${entries[role]}: ${result.errors.map((e) => e.text).join("; ")}`);
    const data = fs.readFileSync(outfile);
    files[role] = { path: outfile, sha256: sha256(data), bytes: data.length };
  }
  const bundle: BuiltBundle = { ...files, hash: sha256(`${files.server.sha256}\n${files.worker.sha256}`) };
  built.set(cacheKey, bundle);
  return bundle;
}

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
