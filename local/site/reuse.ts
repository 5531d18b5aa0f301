import { alive } from "./proc";
import type { LocalSiteState } from "./state";

// When a local site already runs, `npm start` and the game day use it only if it is the site that
// was asked for; otherwise they refuse (exit 2) and say how to get the one asked for, instead of
// silently handing over a different mode.

/** A request the running site cannot serve; the CLIs print its message and exit 2. */
export class Refusal extends Error {
  override name = "Refusal";
}

export interface Asked {
  stack?: string;
  mode?: string;
  activeSite?: string;
}

type Running = Pick<LocalSiteState, "stack" | "mode" | "activeSite" | "supervisorPid">;

/** Why the running site is not the one asked for (undefined: it is). Only flags given are compared. */
export function reuseConflict(running: Running, asked: Asked): string | undefined {
  const runs = `a local site already runs (stack ${running.stack}, mode ${running.mode}, writer site ${running.activeSite}; supervisor pid ${running.supervisorPid}) and was left as it is`;
  if (asked.stack !== undefined && asked.stack !== running.stack) {
    return `${runs}. To run stack ${asked.stack}: npm stop, then npm start -- --stack ${asked.stack}`;
  }
  if (asked.mode !== undefined && asked.mode !== running.mode) {
    return `${runs}. To run ${asked.mode}: switch it live with npm run gameday -- switch-mode --to ${asked.mode}, or npm stop, then npm start -- --mode ${asked.mode}`;
  }
  if (asked.activeSite !== undefined && asked.activeSite !== running.activeSite) {
    return `${runs}. To make ${asked.activeSite} the writer site: npm stop, then npm start -- --active-site ${asked.activeSite} (or fail over live: npm run gameday -- lose-site, failback)`;
  }
  return undefined;
}

/** A game day is running a drill on the site now (its process is alive): nobody else may act on it. */
export function drillInProgress(st: Pick<LocalSiteState, "status" | "drill">, isAlive: (pid: number) => boolean = alive): string | undefined {
  if (st.status !== "drill" || !st.drill || !isAlive(st.drill.pid)) return undefined;
  return `a game day (pid ${st.drill.pid}) is running the drill ${st.drill.scenario} on the local site since ${st.drill.since}; wait for it to finish, or npm stop`;
}
