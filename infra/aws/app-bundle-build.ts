import { buildSync, version as esbuildVersion } from "esbuild";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { NODE_MAJOR } from "../facts/node-runtime";

// Building the app bundle: app/src/server.ts and app/src/worker.ts bundled by esbuild (the instances' Node major,
// CommonJS, dependencies inlined) into two self-contained files.
//
// Builds land in a content-addressed cache inside the project (.cache/app-bundle/<source hash>/,
// git-ignored): the folder is named by a hash over the build settings and every source file
// esbuild read (from its metafile), so an unchanged source tree reuses the last build instead of
// running esbuild again, and nothing is left in the system temp dir.

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

const ROOT = path.resolve(__dirname, "..", "..");

export const DEFAULT_ENTRIES: BundleEntries = {
  server: path.join(ROOT, "app", "src", "server.ts"),
  worker: path.join(ROOT, "app", "src", "worker.ts"),
  migrationsDir: path.join(ROOT, "app", "migrations"),
};

export const DEFAULT_CACHE_DIR = path.join(ROOT, ".cache", "app-bundle");

/** Builds kept in a cache folder; older ones (by last use) are removed. */
const KEEP_BUILDS = 6;
const ROLES = ["server", "worker"] as const;

const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");

/** The migration files as app/src/db/migrate.ts expects them embedded: file name → SQL. */
function embeddedMigrations(dir: string | undefined): Record<string, string> {
  if (dir === undefined) return {};
  if (!fs.existsSync(dir)) throw new Error(`AppBundle: the migrations directory ${dir} does not exist`);
  return Object.fromEntries(fs.readdirSync(dir).filter((f) => f.endsWith(".sql")).sort().map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]));
}

/** Everything but the sources that decides the output: entries, options, migrations, esbuild. */
function settingsKey(entries: BundleEntries, migrations: Record<string, string>): string {
  return sha256(JSON.stringify({ server: entries.server, worker: entries.worker, migrations, esbuild: esbuildVersion, format: 1 }));
}

/** A hash over the settings and the content of every input file; null when one is gone. */
function sourceHash(settings: string, inputs: readonly string[]): string | null {
  const h = createHash("sha256").update(settings);
  for (const file of inputs) {
    let data: Buffer;
    try {
      data = fs.readFileSync(file);
    } catch {
      return null;
    }
    h.update(`\n${file}\n`).update(data);
  }
  return h.digest("hex");
}

interface Manifest {
  readonly inputs: string[];
}

/**
 * Bundles the entries with esbuild (synchronously: component constructors are synchronous), or
 * reuses the cached build of the same sources. Every site of a stack gets the same bytes.
 */
export function buildAppBundle(entries: BundleEntries = DEFAULT_ENTRIES, cacheDir: string = DEFAULT_CACHE_DIR): BuiltBundle {
  for (const role of ROLES) {
    if (!fs.existsSync(entries[role])) throw new Error(`AppBundle: the ${role} entry ${entries[role]} does not exist; build the app (app/src) first or pass other entries`);
  }
  const migrations = embeddedMigrations(entries.migrationsDir);
  const settings = settingsKey(entries, migrations);
  // which files the last build with these settings read: if none changed, its folder is current
  const manifestFile = path.join(cacheDir, "inputs", `${settings}.json`);
  const last = readJson<Manifest>(manifestFile);
  const lastHash = last ? sourceHash(settings, last.inputs) : null;
  if (lastHash !== null) {
    const cached = readBuild(path.join(cacheDir, lastHash));
    if (cached) return cached;
  }

  fs.mkdirSync(cacheDir, { recursive: true });
  const staging = fs.mkdtempSync(path.join(cacheDir, ".build-"));
  try {
    const inputs = new Set<string>();
    for (const role of ROLES) {
      const result = buildSync({
        entryPoints: [entries[role]],
        outfile: path.join(staging, `${role}.js`),
        absWorkingDir: ROOT,
        bundle: true,
        platform: "node",
        target: `node${NODE_MAJOR}`,
        format: "cjs",
        sourcemap: false,
        legalComments: "none",
        logLevel: "silent",
        metafile: true,
        define: { __RESILIENT_FEED_MIGRATIONS__: JSON.stringify(migrations) },
        // native / optional add-ons some drivers probe for at runtime; absent is fine
        external: ["pino-pretty", "cardinal", "pg-native"],
      });
      if (result.errors.length > 0) throw new Error(`AppBundle: esbuild failed for ${entries[role]}: ${result.errors.map((e) => e.text).join("; ")}`);
      // files only: other namespaces ("<define:...>", "(disabled):...") have no file to hash
      for (const input of Object.keys(result.metafile!.inputs)) if (!/^(<|\(|[a-z-]+:)/.test(input)) inputs.add(path.resolve(ROOT, input));
    }
    const manifest: Manifest = { inputs: [...inputs].sort() };
    const hash = sourceHash(settings, manifest.inputs)!;
    const target = path.join(cacheDir, hash);
    try {
      fs.renameSync(staging, target);
    } catch (e) {
      // another process finished the same build first: its folder holds the same bytes
      if (!["ENOTEMPTY", "EEXIST"].includes((e as NodeJS.ErrnoException).code ?? "")) throw e;
    }
    fs.mkdirSync(path.dirname(manifestFile), { recursive: true });
    fs.writeFileSync(manifestFile, JSON.stringify(manifest));
    prune(cacheDir);
    return readBuild(target)!;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

function readBuild(dir: string): BuiltBundle | null {
  const files: Partial<Record<(typeof ROLES)[number], BuiltFile>> = {};
  for (const role of ROLES) {
    const file = path.join(dir, `${role}.js`);
    if (!fs.existsSync(file)) return null;
    const data = fs.readFileSync(file);
    files[role] = { path: file, sha256: sha256(data), bytes: data.length };
  }
  const now = new Date();
  fs.utimesSync(dir, now, now);
  return { server: files.server!, worker: files.worker!, hash: sha256(`${files.server!.sha256}\n${files.worker!.sha256}`) };
}

/** Keeps the most recently used builds; a cache that grows with every edit would fill the disk. */
function prune(cacheDir: string): void {
  const builds = fs.readdirSync(cacheDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /^[0-9a-f]{64}$/.test(d.name))
    .map((d) => ({ dir: path.join(cacheDir, d.name), used: fs.statSync(path.join(cacheDir, d.name)).mtimeMs }))
    .sort((a, b) => b.used - a.used);
  for (const old of builds.slice(KEEP_BUILDS)) fs.rmSync(old.dir, { recursive: true, force: true });
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
  } catch {
    return null;
  }
}
