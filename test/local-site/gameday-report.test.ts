import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { DrillResult } from "../../local/gameday/drills";
import { heartbeat } from "../../local/gameday/heartbeat";
import type { Sample } from "../../local/gameday/load";
import { errorKind, lostWindow, measureWindow } from "../../local/gameday/measure";
import { compactUtc, markdown, writeReport, type GamedayReport } from "../../local/gameday/report";
import { drillLine } from "../../local/gameday/run";
import { terminalSummary } from "../../local/gameday/summary";
import { verdict, verdictCell } from "../../local/gameday/verdict";
import type { Designed } from "../../local/site/objectives";

// Game-day figures and reports, from recorded requests (no site needed): how RTO is defined (so
// error-free is never below first success, and only failed operations count), how errors are
// labelled, the verdict against the derived objectives, the report's words and file names, what
// the terminal says about a drill that did not recover, and progress during long waits.

const sample = (kind: Sample["kind"], t0: number, t1: number, status: number, extra: Partial<Sample> = {}): Sample =>
  ({ kind, t0, t1, status, route: kind, site: "primary", client: "vu0", ...extra });

const designed: Designed = {
  mode: "warm-standby", rtoSeconds: 3, rpoSeconds: 1, rto: "detection 2 s + replica-promotion 1 s", rpo: "replica-lag 1 s",
  terms: { rto: [], rpo: [] }, cloud: { rtoSeconds: 390, rpoSeconds: 60 }, basis: "deriveObjectives with the local parameters",
};

function drill(over: Partial<DrillResult> = {}, samples: Sample[] = [sample("read", 1100, 1200, 200)]): DrillResult {
  return {
    scenario: "lose-site", mode: "warm-standby", writerSiteBefore: "primary", writerSiteAfter: "secondary", startedAt: "2026-12-03T16:15:00.000Z",
    semiSyncBeforeFault: true, detectSeconds: 2, recoveryActionsSeconds: 3, recovered: true, measure: measureWindow(samples, 1000, 9000),
    writesAcknowledgedSoFar: 10, lostWrites: 0, lostMarkers: [], rpoSeconds: 0, lostAfterFault: 0, fencedAnswers: 0, notes: [], ...over,
  };
}

function report(drills: DrillResult[], over: Partial<GamedayReport> = {}): GamedayReport {
  return {
    runId: "abc123", scenario: "all", startedAt: "2026-12-03T16:15:00.123Z", finishedAt: "2026-12-03T16:17:00.000Z", stack: "prod",
    host: { cpus: 2, loadAverage: [1, 1, 1], note: "" }, load: { clients: 6, ratePerClient: 10, writeShare: 0.3, requests: 100 },
    designed, localParameters: { healthCheckIntervalSeconds: 1, healthCheckFailureThreshold: 2, dnsTtlSeconds: 0, replicaPromotionSeconds: 1, apiBootSeconds: 3, backupIntervalSeconds: 30, backupCopySeconds: 1, replicaLagBoundSeconds: 1, restoreSecondsPerGb: 600, databaseSizeGb: 0.01 },
    drills, notRun: [], ...over,
  };
}

describe("game day: how recovery is measured", () => {
  it("error-free is never smaller than first success (a failure answered before a concurrent success)", () => {
    // the old definitions gave first success 4.22 s (B's answer) and error-free 4.21 s (A's answer)
    const m = measureWindow([sample("read", 100, 4210, 503, { error: "db_unavailable" }), sample("read", 150, 4220, 200)], 0, 9000);
    assert.equal(m.rtoFirstSuccessSeconds, 4.22);
    assert.equal(m.rtoErrorFreeSeconds, 4.22);
  });

  it("holds for any interleaving of failures and successes", () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let run = 0; run < 200; run++) {
      const samples = Array.from({ length: 30 }, () => {
        const t0 = Math.floor(rnd() * 5000);
        return sample(rnd() < 0.5 ? "read" : "write", t0, t0 + Math.floor(rnd() * 3000), rnd() < 0.4 ? 503 : 200);
      });
      const m = measureWindow(samples, 1000, 9000);
      assert.ok(m.rtoErrorFreeSeconds >= m.rtoFirstSuccessSeconds, JSON.stringify(m));
      for (const r of Object.values(m.perOperation)) assert.ok(r!.errorFreeSeconds >= r!.firstSuccessSeconds);
    }
  });

  it("kill-db-primary: recovery is measured on the writes that failed, not on reads that never did", () => {
    const samples = [
      sample("read", 1050, 1060, 200), // a read right after the fault: it never failed
      sample("write", 1010, 1300, 503, { error: "db_unavailable" }),
      sample("read", 1400, 1410, 200),
      sample("write", 1500, 1600, 503, { error: "db_unavailable" }),
      sample("write", 1700, 1750, 201, { id: "1", marker: "m1" }),
    ];
    const m = measureWindow(samples, 1000, 9000);
    assert.deepEqual(m.failedOperations, ["write"]);
    assert.equal(m.rtoFirstSuccessSeconds, 0.75); // not 0.06 s, the read's answer
    assert.equal(m.rtoErrorFreeSeconds, 0.75);
    assert.equal(m.perOperation.read, undefined);
  });

  it("planned changes: the clock starts at the first failed request, not at the start of the change", () => {
    const samples = [sample("write", 5000, 5100, 503, { error: "db_unavailable" }), sample("write", 5600, 5900, 201, { id: "1", marker: "m" })];
    assert.equal(measureWindow(samples, 0, 9000).rtoErrorFreeSeconds, 5.9);
    const planned = measureWindow(samples, 0, 9000, "first failure");
    assert.equal(planned.clockStart, "first failure");
    assert.equal(planned.rtoFirstSuccessSeconds, 0.9);
    assert.equal(planned.rtoErrorFreeSeconds, 0.9);
  });

  it("error kinds name the API's code, or say the answer came from a proxy, never '503 503'", () => {
    assert.equal(errorKind({ status: 503, error: "db_unavailable" }), "503 db_unavailable");
    assert.equal(errorKind({ status: 503, error: "503" }), "503 Service Unavailable (proxy, no API error code)");
    assert.equal(errorKind({ status: 502 }), "502 Bad Gateway (proxy, no API error code)");
    assert.equal(errorKind({ status: 0, error: "timeout" }), "no answer (timeout)");
    const m = measureWindow([sample("read", 1100, 1200, 503, { error: "503" })], 1000, 9000);
    assert.deepEqual(Object.keys(m.errorKinds), ["503 Service Unavailable (proxy, no API error code)"]);
  });

  it("RPO: the age at the fault of the oldest lost acknowledged write; writes lost after the fault are counted apart", () => {
    const samples = [sample("write", 0, 200, 201, { id: "1", marker: "a" }), sample("write", 600, 700, 201, { id: "2", marker: "b" }), sample("write", 1500, 1600, 201, { id: "3", marker: "c" })];
    assert.deepEqual(lostWindow(samples, ["a", "b"], 1000), { rpoSeconds: 0.8, lostAfterFault: 0 });
    assert.deepEqual(lostWindow(samples, ["c"], 1000), { rpoSeconds: 0, lostAfterFault: 1 });
    assert.deepEqual(lostWindow(samples, [], 1000), { rpoSeconds: 0, lostAfterFault: 0 });
  });
});

describe("game day: verdicts against the derived objectives", () => {
  it("met with the margin to spare, missed with the overrun", () => {
    const ok = verdict({ recovered: true, rtoErrorFreeSeconds: 0.64, lostWrites: 0, rpoSeconds: 0, lostAfterFault: 0 }, designed);
    assert.equal(ok.met, true);
    assert.equal(ok.rto.marginSeconds, 2.36);
    assert.equal(verdictCell(ok), "RTO met +2.36 s; RPO met +1.00 s");
    const slow = verdict({ recovered: true, rtoErrorFreeSeconds: 4.2, lostWrites: 3, rpoSeconds: 1.5, lostAfterFault: 0 }, designed);
    assert.equal(slow.met, false);
    assert.equal(verdictCell(slow), "RTO missed −1.20 s; RPO missed −0.50 s");
    const split = verdict({ recovered: true, rtoErrorFreeSeconds: 1, lostWrites: 1, rpoSeconds: 0, lostAfterFault: 1 }, designed);
    assert.equal(split.rpo.met, false);
    assert.equal(verdict({ recovered: false, rtoErrorFreeSeconds: 60, lostWrites: 0, rpoSeconds: 0, lostAfterFault: 0 }, designed).met, false);
  });
});

describe("game day: the report and the terminal", () => {
  it("every drill has a verdict with its margin, the definitions are printed, no words about 'the issue's targets'", () => {
    const md = markdown(report([drill({ scenario: "kill-api-instance", detectSeconds: 0.6 }), drill({ scenario: "failback", detectSeconds: null })]));
    assert.doesNotMatch(md, /issue/);
    assert.match(md, /\| kill-api-instance \| 0\.60 s \| .* \| RTO met \+3\.00 s; RPO met \+1\.00 s \| secondary \|/);
    assert.match(md, /\| failback \| – \|/);
    assert.match(md, /- verdict: objectives met\n {2}- RTO \(error-free\) met, 0\.00 s of 3 s \(3\.00 s to spare\)/);
    assert.match(md, /## How the figures are measured/);
    assert.match(md, /error-free is never smaller than first success/);
    assert.match(md, /a smaller fault .* must recover within them too/);
  });

  it("file names carry the scenario and the start time (UTC), and never overwrite", () => {
    assert.equal(compactUtc("2026-12-03T16:15:00.123Z"), "20261203T161500Z");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rf-reports-"));
    try {
      const r = report([drill()], { scenario: "lose-site" });
      const a = writeReport(dir, r);
      const b = writeReport(dir, r);
      assert.equal(path.basename(a.md), "gameday-lose-site-20261203T161500Z.md");
      assert.equal(path.basename(a.json), "gameday-lose-site-20261203T161500Z.json");
      assert.equal(path.basename(b.md), "gameday-lose-site-20261203T161500Z-2.md");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a drill that did not recover is a failure the terminal names (the CLI exits 1 on it)", () => {
    const bad = drill({ recovered: false }, [sample("read", 1100, 1200, 503, { error: "no_site" })]);
    const { text, failures } = terminalSummary(report([bad], { scenario: "lose-site", notRun: [] }), { md: "r.md", json: "r.json" });
    assert.deepEqual(failures, ["lose-site did NOT recover (503 no_site × 1)"]);
    assert.match(text, /NOT recovered/);
    const chain = terminalSummary(report([bad], { notRun: ["failback"] }), { md: "r.md", json: "r.json" });
    assert.equal(chain.failures.length, 2);
    assert.deepEqual(terminalSummary(report([drill()]), { md: "r.md", json: "r.json" }).failures, []);
  });

  it("planned changes print detect as –, never '– s'", () => {
    const d = drill({ scenario: "failback", detectSeconds: null });
    assert.match(drillLine(d), /detect –,/);
    const { text } = terminalSummary(report([d]), { md: "r.md", json: "r.json" });
    assert.doesNotMatch(text + drillLine(d), /– s/);
  });
});

describe("game day: progress during long waits", () => {
  it("a line every period while nothing else is printed, with what is awaited; none after stop", async () => {
    const lines: string[] = [];
    const hb = heartbeat((l) => lines.push(l), 100);
    hb.phase(() => "waiting for the edge");
    await new Promise((r) => setTimeout(r, 370));
    hb.progress("a real line");
    const beats = lines.filter((l) => l.includes("… waiting for the edge")).length;
    assert.ok(beats >= 2 && beats <= 4, lines.join("\n"));
    hb.stop();
    const n = lines.length;
    await new Promise((r) => setTimeout(r, 250));
    assert.equal(lines.length, n);
  });
});
