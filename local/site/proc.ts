import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { portOpen } from "../services/ports";
import { markEnv } from "./marks";

// Every process of the local site runs in its own process group (detached), is recorded by its id
// in the state file and is stopped by that id: never by name, so nothing else on the machine is touched.

export interface Spawned {
  pid: number;
  /** resolves with the exit code (or signal name) */
  exited: Promise<string>;
}

/** siteDir: the state folder whose mark the process carries (marks.ts), so `npm stop` always finds it. */
export function spawnGroup(cmd: string, args: string[], opts: { siteDir: string; env?: NodeJS.ProcessEnv; logFile: string; cwd?: string }): Spawned {
  const out = fs.openSync(opts.logFile, "a");
  const env = markEnv(opts.siteDir, opts.env ?? process.env);
  const child = spawn(cmd, args, { cwd: opts.cwd, env, detached: true, stdio: ["ignore", out, out] });
  fs.closeSync(out);
  if (child.pid === undefined) throw new Error(`could not start ${cmd}`);
  const exited = new Promise<string>((resolve) => child.once("exit", (code, sig) => resolve(sig ?? String(code))));
  child.unref();
  return { pid: child.pid, exited };
}

export function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // a zombie still answers kill(0); it is gone for our purposes
  try {
    return !/^\S+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
}

/** The process's command line (empty when gone): checked before signalling a recorded id. */
export function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Signals the process group led by pid; SIGKILL after graceMs. Resolves when the leader is gone. */
export async function stopGroup(pid: number, graceMs = 10_000, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  const send = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* gone */
      }
    }
  };
  if (!alive(pid)) return; // gone: its id may belong to someone else by now
  send(signal);
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await sleep(50);
  send("SIGKILL");
  while (alive(pid)) await sleep(20);
}

/** The process group of pid (from /proc; undefined when gone). */
export function processGroup(pid: number | "self"): number | undefined {
  try {
    // "pid (comm) state ppid pgrp …"; comm may hold spaces and parentheses
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
  } catch {
    return undefined;
  }
}

export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${what}: not ready within ${timeoutMs / 1000} s`);
    await sleep(everyMs);
  }
}

export const waitPort = (what: string, port: number, timeoutMs = 60_000) => waitFor(`${what} on port ${port}`, () => portOpen(port), timeoutMs);

/** GET http://127.0.0.1:port/path → status (0 when unreachable). */
export async function httpStatus(port: number, path: string, timeoutMs = 1000): Promise<number> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
    await r.arrayBuffer();
    return r.status;
  } catch {
    return 0;
  }
}

export { sleep };
