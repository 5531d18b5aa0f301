import { drillVerdict, type GamedayReport } from "./report";
import { verdictCell } from "./verdict";

// What the terminal shows after a game day, and whether it failed: a drill that did not recover,
// or drills left out because of it, make the game day fail (exit 1), said in the terminal.

const secs = (n: number | null) => (n === null ? "–" : `${n.toFixed(2)} s`);

export function terminalSummary(r: GamedayReport, files: { md: string; json: string }): { text: string; failures: string[] } {
  const d0 = r.designed;
  const lines = [
    "",
    `derived for ${d0.mode} with local parameters: RTO ${d0.rtoSeconds} s (${d0.rto}), RPO ${d0.rpoSeconds} s (${d0.rpo}); cloud parameters: RTO ${d0.cloud.rtoSeconds} s, RPO ${d0.cloud.rpoSeconds} s`,
    "drill              detect    RTO first success / error-free   errors      lost   verdict",
  ];
  for (const d of r.drills) {
    const m = d.measure;
    lines.push(
      `${d.scenario.padEnd(18)} ${secs(d.detectSeconds).padStart(7)}   ${secs(m.rtoFirstSuccessSeconds).padStart(8)} / ${secs(m.rtoErrorFreeSeconds).padEnd(8)}        ` +
        `${`${m.errors}/${m.requests}`.padEnd(10)}  ${`${d.lostWrites}/${d.writesAcknowledgedSoFar}`.padEnd(6)} ${verdictCell(drillVerdict(d, d0))}`,
    );
  }
  const failures = [
    ...r.drills.filter((d) => !d.recovered).map((d) => `${d.scenario} did NOT recover (${Object.entries(d.measure.errorKinds).map(([k, n]) => `${k} × ${n}`).join(", ") || "no answers"})`),
    ...(r.notRun.length ? [`not run because of it: ${r.notRun.join(", ")}`] : []),
  ];
  lines.push("", `report: ${files.md}`, `        ${files.json}`);
  return { text: lines.join("\n") + "\n", failures };
}
