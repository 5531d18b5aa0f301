import type { SiteKey } from "../../infra/topology/types";
import { designedObjectives } from "./objectives";
import { alive } from "./proc";
import type { LocalSite } from "./site";

// The table `npm start` prints: what runs where, the URL, the designed RTO/RPO.

export function summary(site: LocalSite): string {
  const { st, plan } = site;
  const rows: string[][] = [["site", "component", "address", "pid", "state"]];
  const add = (s: string, c: string, port: number | string, pid: number | undefined, state = alive(pid) ? "running" : "stopped") => rows.push([s, c, `127.0.0.1:${port}`, pid ? String(pid) : "-", state]);
  add("global", "edge (HAProxy, routes on /readyz)", st.edgePort, st.edgePid);
  for (const key of ["primary", "secondary"] as SiteKey[]) {
    const p = plan.sites.find((s) => s.key === key);
    const rt = st.sites[key];
    const tag = `${key}${rt.fenced ? " (fenced)" : key === st.activeSite ? " (writer)" : ""}`;
    for (const d of Object.values(st.dbs).filter((d) => d.site === key && d.role !== "stopped")) {
      add(tag, `MariaDB ${d.name}: ${d.role}${d.source ? ` of ${d.source}` : ""}`, d.port, d.pid);
    }
    if (rt.proxyPid) {
      add(tag, "load balancer (HAProxy, /healthz)", rt.lbPort, rt.proxyPid);
      add(tag, "DB endpoint: writer / reader", `${rt.dbWriterPort} / ${rt.dbReaderPort}`, rt.proxyPid);
    }
    if (rt.redisPid) add(tag, "Redis", rt.redisPort, rt.redisPid);
    rt.apiPids.forEach((pid, i) => pid && add(tag, `API #${i + 1}${rt.apiRemote[i] ? " (writer remote)" : ""}`, rt.apiPorts[i], pid));
    if (rt.workerPid) rows.push([tag, "fan-out worker", "-", String(rt.workerPid), alive(rt.workerPid) ? "running" : "stopped"]);
    if (p && p.edge === "none" && !rt.fenced && !rt.proxyPid) rows.push([tag, "(nothing runs here in this mode)", "", "", ""]);
  }
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => c.padEnd(w[i])).join("  ");
  const o = designedObjectives(plan, st);
  return [
    `stack ${st.stack}, mode ${st.mode}, writer site ${st.activeSite}`,
    fmt(rows[0]),
    w.map((n) => "-".repeat(n)).join("  "),
    ...rows.slice(1).map(fmt),
    "",
    `URL: http://127.0.0.1:${st.edgePort}   (demo users demo1..demo12, password ${st.seeded?.password ?? "?"})`,
    `designed RTO ${o.rtoSeconds} s = ${o.rto}; RPO ${o.rpoSeconds} s = ${o.rpo}  [${o.basis}; cloud: RTO ${o.cloud.rtoSeconds} s, RPO ${o.cloud.rpoSeconds} s]`,
    `backups every ${st.backupIntervalSeconds} s; state and logs in ${site.dir}`,
  ].join("\n");
}
