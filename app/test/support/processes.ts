import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";

// Real app processes (server.ts, worker.ts) for tests: stdout JSON lines collected, stderr kept.

const ROOT = path.resolve(__dirname, "../../..");

export interface AppProcess {
  child: ChildProcess;
  logs: string[];
  stderr: string[];
  exited: Promise<number | null>;
  /** SIGKILL if still running, and wait for the exit. */
  kill(): Promise<void>;
}

/** METRICS_PORT defaults to 0 (any free port, in the "listening" line): tests run several servers at once. */
export function startAppProcess(env: Record<string, string>, script = "app/src/server.ts"): AppProcess {
  const child = spawn(process.execPath, ["-r", "tsx/cjs", script], { cwd: ROOT, env: { PATH: process.env.PATH ?? "", METRICS_PORT: "0", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const logs: string[] = [];
  const stderr: string[] = [];
  let buf = "";
  child.stdout!.on("data", (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split("\n");
    buf = lines.pop() ?? "";
    logs.push(...lines.filter(Boolean));
  });
  child.stderr!.on("data", (d: Buffer) => stderr.push(d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    logs,
    stderr,
    exited,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

export async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits for the server's "listening" log line. */
export const listening = (p: AppProcess) => until(() => p.logs.some((l) => l.includes('"listening"')), 30_000, `listening (stderr: ${p.stderr.join("")})`);
