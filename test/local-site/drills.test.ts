import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../infra/config/stack-file";
import { runGameday } from "../../local/gameday/run";
import type { DrillResult } from "../../local/gameday/drills";
import { isMarked, markedProcesses } from "../../local/site/marks";
import { alive } from "../../local/site/proc";
import { waitCaughtUp } from "../../local/site/replication";
import { LocalSite } from "../../local/site/site";
import { readState, recordedPids, type LocalSiteState } from "../../local/site/state";
import { stopRecorded } from "../../local/site/supervisor";

// The local site and its drills, for real: `npm start -- --detach` (the CLI), the whole chain of
// drills under load on one site, then `npm stop`. Invariants with loose bounds, not the targets.
// Every process a drill starts is in the state at once (checked between drills), and after
// `npm stop` no process marked with the state folder is left (found through /proc/*/environ,
// so other sites on a shared machine do not matter).

function cli(args: string[], dir: string, script = "local/site/cli.ts"): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ["-r", "tsx/cjs", path.join(PROJECT_ROOT, script), ...args], { cwd: PROJECT_ROOT, env: { ...process.env, LOCAL_SITE_DIR: dir } });
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
  /** the state as saved when each drill of the chain began (▶ line), and when each fault was injected */
  const atStart: Record<string, LocalSiteState | undefined> = {};
  const atFault: Array<LocalSiteState | undefined> = [];
  /** what a drill started, as the state records it when the next drill begins: pid, alive and marked then */
  const replacements: Record<string, { pid?: number; ok: boolean }> = {};
  const lineTimes: number[] = [];

  after(async () => {
    await cli(["stop"], dir);
    // also in-process: a CLI that failed to load must not leave the site running
    await stopRecorded(dir);
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

  it("start with another mode while warm-standby runs: refused (exit 2), naming the running mode and how to switch", async () => {
    const other = await cli(["start", "--detach", "--mode", "active-active"], dir);
    assert.equal(other.code, 2, other.out);
    assert.match(other.out, /mode warm-standby/);
    assert.match(other.out, /switch-mode --to active-active/);
    assert.match(other.out, /npm stop/);
    assert.equal(readState(dir)?.mode, "warm-standby");
  });

  it("runs the chained drills: every one recovers, nothing acknowledged is lost in-site, the edge never routes to the fenced site", async () => {
    const progress = (l: string) => {
      lineTimes.push(Date.now());
      const started = /^▶ (\S+)/.exec(l);
      if (started) atStart[started[1]] = readState(dir);
      const check = (what: string, pid: number | undefined) => (replacements[what] = { pid, ok: !!pid && alive(pid) && isMarked(pid, dir) });
      if (started?.[1] === "lose-cache") check("kill-api-instance's API", atStart["lose-cache"]?.sites.primary.apiPids[0]);
      if (started?.[1] === "kill-db-primary") check("lose-cache's Redis", atStart["kill-db-primary"]?.sites.primary.redisPid);
      if (/^ {2}fault: /.test(l)) atFault.push(readState(dir));
    };
    const { report, files } = await runGameday({ dir, scenario: "all", mode: "warm-standby", tailSeconds: 1, reportDir: reports, clients: 4, ratePerClient: 8, progress });
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
    assert.match(path.basename(files.md), /^gameday-all-\d{8}T\d{6}Z\.md$/);
    for (const d of drills) assert.ok(d.measure.rtoErrorFreeSeconds >= d.measure.rtoFirstSuccessSeconds, d.scenario);
    // kill-db-primary: the recovery is measured on the writes, which failed, not on reads
    assert.ok(!by["kill-db-primary"].measure.errors || by["kill-db-primary"].measure.failedOperations.includes("write"));
    assert.doesNotMatch(fs.readFileSync(files.md, "utf8"), /503 503|issue's targets/);
  });

  it("every process a drill started was in the state at once, alive and marked", () => {
    assert.deepEqual(Object.keys(replacements), ["kill-api-instance's API", "lose-cache's Redis"]);
    for (const [what, r] of Object.entries(replacements)) assert.ok(r.ok, `${what} (pid ${r.pid}) was not in the state, alive and marked, when the next drill began`);
  });

  it("while a drill runs the state says so; afterwards it is healthy only with /readyz answering", () => {
    assert.ok(atFault.length >= 4);
    for (const st of atFault) assert.equal(st?.status, "drill");
    assert.equal(readState(dir)?.status, "healthy");
  });

  it("progress lines keep coming during the drills (a heartbeat every 5 s at most)", () => {
    const gaps = lineTimes.slice(1).map((t, i) => t - lineTimes[i]);
    assert.ok(Math.max(...gaps) < 12_000, `longest silence ${Math.max(...gaps)} ms`);
  });

  it("failback on a site that never failed over: refused up front (exit 2), nothing run", async () => {
    const r = await cli(["failback", "--report-dir", reports], dir, "local/gameday/cli.ts");
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, /failback: no site was lost/);
    assert.equal(readState(dir)?.status, "healthy");
  });

  it("after failback the standby site's replica applies the writer's writes (a demoted writer waits for no semi-sync ack)", async () => {
    const site = new LocalSite(dir, readState(dir)!, () => undefined);
    const replica = site.dbsWith("replica", "secondary")[0];
    assert.ok(replica, "the secondary site has a cross-site replica");
    await waitCaughtUp(replica, site.writer(), 15_000);
  });

  it("semi-sync was on before every fault at the writer site", () => {
    for (const d of drills.filter((d) => d.scenario !== "failback")) assert.equal(d.semiSyncBeforeFault, true, d.scenario);
  });

  it("npm stop leaves no process behind: none recorded, none marked with the state folder", async () => {
    pids = recordedPids(readState(dir)!);
    assert.ok(pids.length >= 12, `recorded ${pids.length} processes`);
    const seen = [...Object.values(atStart), ...atFault].flatMap((st) => (st ? recordedPids(st) : [])).filter((p) => isMarked(p, dir));
    const r = await cli(["stop"], dir);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(pids.filter((p) => alive(p)), []);
    assert.deepEqual(seen.filter((p) => isMarked(p, dir)), [], "a process recorded during the drills");
    assert.deepEqual(markedProcesses(dir), []);
    assert.equal(readState(dir), undefined);
  });
});
