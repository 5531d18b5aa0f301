import * as fs from "node:fs";
import * as path from "node:path";

// Every process the local site starts carries SITE_MARK=<absolute state folder> in its
// environment. `npm stop` finds them through /proc/*/environ even when no state file records them
// and their command line names no path (Redis rewrites its own, so it runs with set-proc-title no,
// which also keeps its environment readable). Only the exact folder matches: another site's
// processes, in another folder, are never touched.

export const SITE_MARK = "RESILIENT_FEED_LOCAL_SITE";

/** `env` with the mark of the state folder `dir` added. */
export function markEnv(dir: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, [SITE_MARK]: path.resolve(dir) };
}

/** A NUL-separated environment block (as in /proc/PID/environ) carries the mark of `dir`. */
export function environMarks(environ: string, dir: string): boolean {
  const want = `${SITE_MARK}=${path.resolve(dir)}`;
  return environ.split("\0").includes(want);
}

/** The process's environment block ("" when gone, a zombie, or another user's). */
function environOf(pid: number, procRoot: string): string {
  try {
    return fs.readFileSync(path.join(procRoot, String(pid), "environ"), "latin1");
  } catch {
    return "";
  }
}

/** The process carries the mark of `dir` (checked before signalling a recorded id: ids get reused). */
export function isMarked(pid: number, dir: string, procRoot = "/proc"): boolean {
  return environMarks(environOf(pid, procRoot), dir);
}

/** Ids of the running processes marked for `dir`, lowest first. */
export function markedProcesses(dir: string, procRoot = "/proc"): number[] {
  let entries: string[];
  try {
    entries = fs.readdirSync(procRoot);
  } catch {
    return [];
  }
  return entries.filter((e) => /^\d+$/.test(e)).map(Number).filter((pid) => isMarked(pid, dir, procRoot)).sort((a, b) => a - b);
}
