import { createHash } from "node:crypto";
import * as path from "node:path";
import { buildSync } from "esbuild";
import { NODE_MAJOR } from "../facts/node-runtime";

// The ops runner's tool (ops-tool/cli.ts) and mysql2 in one CommonJS file, built once per process
// and shipped in the private release bucket next to the app's bundle (checked by its SHA-256 at
// boot, like the app).

export interface OpsBundle {
  readonly code: string;
  readonly sha256: string;
}

let built: OpsBundle | undefined;

export function opsBundle(): OpsBundle {
  if (!built) {
    const code = buildSync({
      entryPoints: [path.join(__dirname, "ops-tool", "cli.ts")],
      bundle: true,
      platform: "node",
      target: `node${NODE_MAJOR}`,
      format: "cjs",
      write: false,
      legalComments: "none",
      logLevel: "silent",
    }).outputFiles[0].text;
    built = { code, sha256: createHash("sha256").update(code).digest("hex") };
  }
  return built;
}
