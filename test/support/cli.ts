import { spawnSync } from "node:child_process";
import * as path from "node:path";

// The offline CLIs run as a user runs them: a child process from the project root.

export const ROOT = path.resolve(__dirname, "..", "..");
const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");
export const CLIS = { plan: "tools/plan/cli.ts", policy: "tools/policy-review/cli.ts" } as const;

export interface CliRun { status: number | null; stdout: string; stderr: string }

export function runCli(cli: keyof typeof CLIS, args: string[], env: NodeJS.ProcessEnv = process.env): CliRun {
  const r = spawnSync(TSX, [CLIS[cli], ...args], { cwd: ROOT, encoding: "utf8", env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
