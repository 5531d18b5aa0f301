import type { DrMode, SiteKey } from "../../infra/topology/types";
import { alive } from "../site/proc";
import type { LocalSite } from "../site/site";
import type { DbRole } from "../site/state";
import { ALL_CHAIN, type Scenario } from "./drills";

// A drill that makes no sense in the site's current state is refused up front, before any load
// or fault, with what to do instead: lose-site on a site that already failed over would kill the
// only serving site and leave the edge routing to nothing.

export interface SiteFacts {
  mode: DrMode;
  activeSite: SiteKey;
  /** sites lost earlier and fenced (not failed back yet) */
  fenced: SiteKey[];
  /** the role of the other site's database (lose-site promotes it, unless backup-restore restores a backup) */
  otherSiteDb: DbRole;
  inSiteStandby: boolean;
  firstApiRunning: boolean;
  cacheRunning: boolean;
}

const other = (s: SiteKey): SiteKey => (s === "primary" ? "secondary" : "primary");

export function siteFacts(site: LocalSite): SiteFacts {
  const { st } = site;
  const rt = st.sites[st.activeSite];
  return {
    mode: st.mode,
    activeSite: st.activeSite,
    fenced: (Object.keys(st.sites) as SiteKey[]).filter((k) => st.sites[k].fenced),
    otherSiteDb: st.dbs[`${other(st.activeSite)}-a`]?.role ?? "stopped",
    inSiteStandby: !!site.standby()?.running,
    firstApiRunning: alive(rt.apiPids[0]),
    cacheRunning: alive(rt.redisPid),
  };
}

/** Why `scenario` cannot run on a site with these facts (undefined: it can). */
export function drillRefusal(scenario: Scenario | "all", f: SiteFacts, switchTo?: DrMode): string | undefined {
  if (scenario === "all") {
    for (const s of ALL_CHAIN.filter((s) => s !== "failback")) {
      const why = drillRefusal(s, f);
      if (why) return `all: ${why}`;
    }
    return undefined;
  }
  const w = f.activeSite;
  switch (scenario) {
    case "kill-api-instance":
      return f.firstApiRunning ? undefined : `kill-api-instance: API #1 of the writer site ${w} does not run; npm stop and start afresh`;
    case "lose-cache":
      return f.cacheRunning ? undefined : `lose-cache: the writer site ${w} runs no Redis; npm stop and start afresh`;
    case "kill-db-primary":
      return f.inSiteStandby ? undefined : `kill-db-primary: the writer in ${w} has no running in-site standby to promote; npm stop and start afresh`;
    case "lose-site": {
      if (f.fenced.includes(w)) {
        return `lose-site: the writer site ${w} is fenced: an earlier failover did not finish, so the site is in no state to lose another; npm stop and start afresh`;
      }
      if (f.fenced.length) {
        return `lose-site: site ${f.fenced.join(", ")} was lost in an earlier drill and is still fenced, so ${w} is the only site serving; losing it too leaves nothing to fail over to. Run npm run gameday -- failback first (or npm stop and start afresh)`;
      }
      if (f.mode !== "backup-restore" && f.otherSiteDb !== "replica") {
        return `lose-site: the standby site ${other(w)} holds no replica of the writer (its database is ${f.otherSiteDb}); nothing to promote`;
      }
      return undefined;
    }
    case "failback":
      return f.fenced.length ? undefined : `failback: no site was lost (none is fenced; the writer site is ${w}); failback returns the writes to a site lost in an earlier drill: run lose-site first`;
    case "switch-mode":
      return switchTo === f.mode ? `switch-mode: the site already runs ${f.mode}` : undefined;
  }
}
