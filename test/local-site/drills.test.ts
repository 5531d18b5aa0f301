import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../infra/config/stack-file";
import { runGameday } from "../../local/gameday/run";
import type { DrillResult } from "../../local/gameday/drills";
import { alive } from "../../local/site/proc";
import { readState, recordedPids } from "../../local/site/state";

// The local site and its drills, for real: `npm start --detach` (the CLI), the whole chain of
// drills under load on one site, then `npm stop`. Invariants with loose bounds, not the targets.

function cli(args: string[], dir: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ["-r", "tsx/cjs", path.join(PROJECT_ROOT, "local/site/cli.ts"), ...args], { cwd: PROJECT_ROOT, env: { ...process.env, LOCAL_SITE_DIR: dir } });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (out += d));
    p.once("exit", (code) => resolve({ code: code ?? 1, out }));
  });
}

describe("local site: npm start, the drills, npm stop (real processes)", function () {
  this.timeout(600_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rf-local-site-"));
  const reports = path.join(dir, "reports");
  let drills: DrillResult[] = [];
  let pids: number[] = [];

  after(async () => {
    await cli(["stop"], dir);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("starts warm-standby detached and a second start reuses the healthy site", async () => {
    const first = await cli(["start", "--detach", "--mode", "warm-standby", "--backup-interval", "10"], dir);
    assert.equal(first.code, 0, first.out);
    assert.match(first.out, /semi-sync standby \(AFTER_SYNC\)/);
    assert.match(first.out, /URL: http:\/\/127\.0\.0\.1:\d+/);
    const second = await cli(["start", "--detach", "--mode", "warm-standby"], dir);
    assert.equal(second.code, 0, second.out);
    assert.match(second.out, /reusing it/);
  });

  it("runs the chained drills: every one recovers, nothing acknowledged is lost in-site, the edge never routes to the fenced site", async () => {
    const { report, files } = await runGameday({ dir, scenario: "all", mode: "warm-standby", tailSeconds: 1, reportDir: reports, clients: 4, ratePerClient: 8, progress: () => undefined });
    drills = report.drills;
    assert.deepEqual(drills.map((d) => d.scenario), ["kill-api-instance", "lose-cache", "kill-db-primary", "lose-site", "failback"]);
    for (const d of drills) {
      assert.ok(d.recovered, `${d.scenario} did not recover: ${JSON.stringify(d.measure.errorKinds)}`);
      assert.ok(d.measure.requests > 0, `${d.scenario}: no load recorded`);
    }
    const by = Object.fromEntries(drills.map((d) => [d.scenario, d]));
    for (const s of ["kill-api-instance", "lose-cache", "kill-db-primary"]) assert.equal(by[s].lostWrites, 0, `${s} lost acknowledged writes: ${by[s].lostMarkers}`);
    assert.ok(by["kill-db-primary"].writesAcknowledgedSoFar > 0);
    assert.equal(by["lose-site"].fencedAnswers, 0);
    assert.equal(by["lose-site"].writerSiteAfter, "secondary");
    assert.equal(by["failback"].writerSiteAfter, "primary");
    assert.ok(fs.existsSync(files.md) && fs.existsSync(files.json));
  });

  it("semi-sync was on before every fault at the writer site", () => {
    for (const d of drills.filter((d) => d.scenario !== "failback")) assert.equal(d.semiSyncBeforeFault, true, d.scenario);
  });

  it("npm stop leaves no process behind", async () => {
    pids = recordedPids(readState(dir)!);
    assert.ok(pids.length >= 12, `recorded ${pids.length} processes`);
    const r = await cli(["stop"], dir);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(pids.filter((p) => alive(p)), []);
    assert.equal(readState(dir), undefined);
  });
});
