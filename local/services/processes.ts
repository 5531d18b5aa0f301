import { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import { portOpen } from "./ports";

// Child processes of the test/bench services: tracked so a parent that exits without tearing
// down (failed test run, ^C) still kills them, and restartable on a fixed port.

export interface RunningService {
  readonly port: number;
  readonly dir: string;
  /** Teardown: stop the process and remove the temp dir. Idempotent. */
  stop(): Promise<void>;
  /** Outage: stop the process, keep data and port. */
  halt(): Promise<void>;
  /** Start again after halt() on the same port with the same data. */
  restart(): Promise<void>;
  readonly running: boolean;
}

const children = new Set<ChildProcess>();
let exitHookInstalled = false;
export function track(child: ChildProcess): void {
  children.add(child);
  child.once("exit", () => children.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const c of children) {
        try {
          c.kill("SIGKILL");
        } catch {
          /* already gone */
        }
      }
    });
  }
}

export async function waitForPort(port: number, child: ChildProcess, what: string, logFile?: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const log = logFile && fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").slice(-2000) : "";
      throw new Error(`${what} exited with code ${child.exitCode ?? child.signalCode}\n${log}`);
    }
    if (await portOpen(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

/** Resolves true when the child exits within ms (the timer never outlives the wait). */
export function exitedWithin(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => (child.off("exit", onExit), resolve(false)), ms);
    const onExit = () => (clearTimeout(t), resolve(true));
    child.once("exit", onExit);
  });
}

export async function killChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  if (await exitedWithin(child, 15_000)) return;
  child.kill("SIGKILL");
  await exitedWithin(child, 5_000);
}

/** A restartable child process on a fixed port. */
export function managed(what: string, port: number, dir: string, spawnIt: () => ChildProcess, logFile?: string) {
  let child: ChildProcess | undefined;
  let removed = false;
  const start = async () => {
    if (removed) throw new Error(`${what}: already torn down`);
    child = spawnIt();
    track(child);
    await waitForPort(port, child, what, logFile);
  };
  const svc = {
    port,
    dir,
    get running() {
      return !!child && child.exitCode === null && child.signalCode === null;
    },
    halt: async () => killChild(child),
    restart: async () => {
      if (svc.running) return;
      await start();
    },
    stop: async () => {
      await killChild(child);
      if (!removed) fs.rmSync(dir, { recursive: true, force: true });
      removed = true;
    },
  };
  return { svc, start };
}
