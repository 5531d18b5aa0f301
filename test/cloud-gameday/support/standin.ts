import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

// Puts the stand-in `pulumi` (pulumi-standin.js) on a fresh bin folder with its state, for the
// Automation API to find on PATH; `calls()` reads back every argv it received.

export interface StandinState {
  version: string;
  loggedIn: boolean;
  stack: string;
  config: Record<string, unknown>;
  outputs: Record<string, unknown>;
  preview: unknown[][];
  up: unknown[][];
  failUp?: number;
  runs: Record<string, number>;
}

export interface Standin {
  readonly root: string;
  readonly bin: string;
  readonly dir: string;
  readonly workDir: string;
  calls(): string[][];
  state(): StandinState;
  cleanup(): void;
}

export function makeStandin(state: Omit<StandinState, "runs">): Standin {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "cloud-gameday-standin-"));
  const bin = path.join(root, "bin");
  const dir = path.join(root, "state");
  const workDir = path.join(root, "project");
  for (const d of [bin, dir, workDir]) fs.mkdirSync(d);
  const script = path.join(__dirname, "pulumi-standin.js");
  fs.writeFileSync(path.join(bin, "pulumi"), `#!/bin/sh\nexec "${process.execPath}" "${script}" "$@"\n`, { mode: 0o755 });
  fs.writeFileSync(path.join(dir, "state.json"), JSON.stringify({ ...state, runs: {} }, null, 2));
  fs.writeFileSync(path.join(dir, "calls.jsonl"), "");
  return {
    root, bin, dir, workDir,
    calls: () => fs.readFileSync(path.join(dir, "calls.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as string[]),
    state: () => JSON.parse(fs.readFileSync(path.join(dir, "state.json"), "utf8")) as StandinState,
    cleanup: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}
