import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { markdown, writeReport } from "../../tools/cloud-gameday/report";
import { runCloudGameday, type RunOptions } from "../../tools/cloud-gameday/runner";
import { Refusal } from "../../tools/cloud-gameday/stages";
import { printStatus } from "../../tools/cloud-gameday/status";
import { DEPENDENCIES, engineEvents, failoverSteps, recordAndCheckDeleted, releaseSteps, switchDownSteps, writerReplacedSteps } from "./support/events";
import { FakeWorkspace } from "./support/fake-workspace";
import { healthy, PINS, RELEASE, stackConfig, stackOutputs } from "./support/stack";

// The runner's orchestration behind an injected workspace: the order of config changes, previews
// and ups, refusals on a bad preview, config put back when aborted before an `up` and kept after
// a failed one, and what the report says.

const lines: string[] = [];
const base = (o: Partial<RunOptions> & Pick<RunOptions, "action">): RunOptions => ({
  dryRun: false, yes: true, progress: (l) => lines.push(l), probe: healthy, dependencies: async () => DEPENDENCIES, ...o,
});
const P = "resilient-feed:";

describe("cloud game day runner (injected workspace)", () => {
  beforeEach(() => (lines.length = 0));

  it("failover: pins the fenced primary from the outputs, sets activeSite, previews, checks, runs up, probes, reports", async () => {
    const ws = new FakeWorkspace(stackConfig({ mode: "warm-standby", activeSite: "primary" }), {
      previews: [engineEvents(failoverSteps(), "preview")], ups: [engineEvents(failoverSteps(), "up")], outputs: stackOutputs("warm-standby"),
    });
    const { report, exitCode } = await runCloudGameday(ws, base({ action: "failover" }));
    assert.equal(exitCode, 0, lines.join("\n"));
    assert.deepEqual(ws.calls, [
      `set ${P}dr.fencedRelease.server ${RELEASE.server}`, `set ${P}dr.fencedRelease.worker ${RELEASE.worker}`, `set ${P}sites.primary.amiId ${PINS.amiId}`,
      `rm ${P}sites.primary.availabilityZones`, ...PINS.availabilityZones.map((z, i) => `set ${P}sites.primary.availabilityZones[${i}] ${z}`),
      `set ${P}dr.activeSite secondary`, "preview", "up",
    ]);
    assert.deepEqual((ws.config[`${P}sites`] as any).primary.availabilityZones, PINS.availabilityZones);
    assert.equal(report.outcome, "completed");
    assert.equal(report.stages[0].stepCheck?.steps, 5);
    assert.deepEqual(report.stages[0].totals?.primary, { create: 0, delete: 0, update: 0, replace: 0, unchanged: 1 });
    assert.deepEqual(report.designed, { mode: "warm-standby", rtoSeconds: 390 });
    assert.equal(report.rto?.met, true);
    assert.ok(lines.some((l) => /done +update +aws:route53\/record:Record edge-failover-primary/.test(l)), lines.join("\n"));
    const md = markdown(report);
    assert.match(md, /^# Cloud game day: failover \(stack prod\)/);
    assert.match(md, /\| preview \| up \| time to healthy \| total \| designed RTO \(warm-standby\) \| verdict \|/);
    assert.match(md, /RTO met: .* of 390 s/);
    assert.match(md, /\| 1\. dr\.activeSite secondary \| dr\.fencedRelease\.server = "a{64}"; .*dr\.activeSite = "secondary" \| .* \| global 0\/2\/2\/0, primary 0\/0\/0\/0, secondary 0\/0\/1\/0 \| 5 steps, 0 refused \|/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cloud-gameday-report-"));
    try {
      const files = writeReport(dir, report);
      assert.equal(JSON.parse(fs.readFileSync(files.json, "utf8")).outcome, "completed");
      assert.match(path.basename(files.md), /^gameday-cloud-failover-\d{8}T\d{6}Z\.md$/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("failover: refuses when the preview changes anything in the failed site, and restores the config", async () => {
    const config = stackConfig({ mode: "warm-standby", activeSite: "primary" });
    const original = JSON.parse(JSON.stringify(config));
    const ws = new FakeWorkspace(config, { previews: [engineEvents(failoverSteps({ touchFailedSite: true }), "preview")], outputs: stackOutputs("warm-standby") });
    const { report, exitCode } = await runCloudGameday(ws, base({ action: "failover" }));
    assert.equal(exitCode, 3);
    assert.equal(report.outcome, "refused");
    assert.ok(!ws.calls.includes("up"));
    assert.deepEqual(ws.config, original);
    assert.ok(report.stages[0].refusals.some((r) => /would change aws:ec2\/launchTemplate:LaunchTemplate primary-api-lt in the failed site primary/.test(r)), report.stages[0].refusals.join("\n"));
    // the step check names the same call into the fenced region
    assert.ok(lines.some((l) => /calls the fenced region ap-northeast-2: update aws:ec2\/launchTemplate:LaunchTemplate primary-api-lt/.test(l)), lines.join("\n"));
    assert.ok(report.stages[0].configRestored);
  });

  it("the step check orders deletes by the program's dependencies; without them it walks every order and refuses", async () => {
    const run = async (dependencies: RunOptions["dependencies"]) => {
      const ws = new FakeWorkspace(stackConfig({ mode: "warm-standby", activeSite: "primary" }), {
        previews: [engineEvents(recordAndCheckDeleted(), "preview")], ups: [engineEvents(recordAndCheckDeleted(), "up")], outputs: stackOutputs("warm-standby"),
      });
      return runCloudGameday(ws, base({ action: "switch-mode", to: "active-active", dependencies }));
    };
    assert.equal((await run(async () => DEPENDENCIES)).exitCode, 0, lines.join("\n"));
    lines.length = 0;
    assert.equal((await run(undefined)).exitCode, 3);
    assert.ok(lines.some((l) => /refused: delete edge-secondary-readyz: .*uses health check edge-secondary-readyz-id, which does not exist/.test(l)), lines.join("\n"));
  });

  it("switch to backup-restore: release, switch, clean up in order; the data-deleting stage needs --yes", async () => {
    const script = {
      previews: [engineEvents(releaseSteps(), "preview"), engineEvents(switchDownSteps(), "preview"), engineEvents([], "preview")],
      ups: [engineEvents(releaseSteps(), "up"), engineEvents(switchDownSteps(), "up"), engineEvents([], "up")],
      outputs: stackOutputs("backup-restore", 3900),
    };
    const refused = new FakeWorkspace(stackConfig({ mode: "warm-standby", activeSite: "primary" }), script);
    const r1 = await runCloudGameday(refused, base({ action: "switch-mode", to: "backup-restore", yes: false, confirm: async () => true }));
    assert.equal(r1.exitCode, 3);
    assert.deepEqual(refused.calls, [`set ${P}dr.releaseProtection secondary`, "preview", "up", `set ${P}dr.mode backup-restore`, "preview", `set ${P}dr.mode warm-standby`]);
    // stage 1 was applied and stays; stage 2 was put back
    assert.deepEqual(refused.config[`${P}dr`], { mode: "warm-standby", activeSite: "primary", releaseProtection: "secondary" });
    assert.match(r1.report.message, /removes data \(2 item\(s\), listed\); run again with --yes/);
    assert.deepEqual(r1.report.stages[1].dataLoss.map((d) => d.split(":")[0]), ["deletes aws", "deletes aws"]);

    const accepted = new FakeWorkspace(stackConfig({ mode: "warm-standby", activeSite: "primary" }), script);
    const r2 = await runCloudGameday(accepted, base({ action: "switch-mode", to: "backup-restore", yes: true }));
    assert.equal(r2.exitCode, 0, lines.join("\n"));
    assert.deepEqual(accepted.calls, [
      `set ${P}dr.releaseProtection secondary`, "preview", "up", `set ${P}dr.mode backup-restore`, "preview", "up", `rm ${P}dr.releaseProtection`, "preview", "up",
    ]);
    assert.deepEqual(accepted.config[`${P}dr`], { mode: "backup-restore", activeSite: "primary" });
    assert.equal(r2.report.rto?.objectiveSeconds, 3900);
  });

  it("a mode switch that replaces the writer database is refused without --yes", async () => {
    const ws = new FakeWorkspace(stackConfig({ mode: "warm-standby", activeSite: "primary" }), { previews: [engineEvents(writerReplacedSteps(), "preview")], outputs: stackOutputs("warm-standby") });
    const { report, exitCode } = await runCloudGameday(ws, base({ action: "switch-mode", to: "active-active", yes: false, confirm: async () => true }));
    assert.equal(exitCode, 3);
    assert.deepEqual(ws.calls, [`set ${P}dr.mode active-active`, "preview", `set ${P}dr.mode warm-standby`]);
    assert.match(report.stages[0].dataLoss[0], /^replaces the writer database primary-db \(primary\) on engineVersion/);
  });

  it("a failed up keeps the new config and says how to resume", async () => {
    const ws = new FakeWorkspace(stackConfig({ mode: "warm-standby", activeSite: "primary" }), {
      previews: [engineEvents(releaseSteps(), "preview")], ups: [engineEvents(releaseSteps(), "up")], failUp: 0, outputs: stackOutputs("warm-standby"),
    });
    const { report, exitCode } = await runCloudGameday(ws, base({ action: "switch-mode", to: "backup-restore" }));
    assert.equal(exitCode, 1);
    assert.equal(report.outcome, "up-failed");
    assert.deepEqual(ws.calls, [`set ${P}dr.releaseProtection secondary`, "preview", "up"]);
    assert.equal((ws.config[`${P}dr`] as any).releaseProtection, "secondary");
    assert.match(report.stages[0].upError ?? "", /InvalidParameterCombination/);
    assert.ok(report.resume.some((l) => l.includes("npm run gameday:cloud -- --stack prod switch-mode --to backup-restore --from-stage 1 (runs the remaining stages 2..3 after it)")), report.resume.join("\n"));
    assert.match(markdown(report), /- resume: or by hand: pulumi up --stack prod/);
  });

  it("--dry-run stops after the preview and puts the config back; so does a run without a terminal and without --yes", async () => {
    for (const o of [{ dryRun: true, yes: false }, { dryRun: false, yes: false }]) {
      const config = stackConfig({ mode: "warm-standby", activeSite: "primary" });
      const original = JSON.parse(JSON.stringify(config));
      const ws = new FakeWorkspace(config, { previews: [engineEvents(failoverSteps(), "preview")], outputs: stackOutputs("warm-standby") });
      const { report, exitCode } = await runCloudGameday(ws, base({ action: "failover", ...o }));
      assert.equal(exitCode, o.dryRun ? 0 : 1);
      assert.equal(report.outcome, o.dryRun ? "dry-run" : "aborted");
      assert.ok(!ws.calls.includes("up"));
      assert.deepEqual(ws.config, original);
    }
  });

  it("refuses a failover up front when a prerequisite can be neither found nor set, naming each", async () => {
    const ws = new FakeWorkspace(stackConfig({ mode: "backup-restore", activeSite: "primary" }), { previews: [], outputs: { drMode: "backup-restore" } });
    await assert.rejects(runCloudGameday(ws, base({ action: "failover" })), (e: unknown) => {
      assert.ok(e instanceof Refusal);
      for (const key of ["dr.fencedRelease.server", "dr.fencedRelease.worker", "sites.primary.amiId", "sites.primary.availabilityZones", "dr.restoreFromSnapshot"]) assert.match(e.message, new RegExp(`resilient-feed:${key.replace(/\./g, "\\.")} `));
      return true;
    });
    assert.deepEqual(ws.calls, []);
  });

  it("status: the deployed and configured DR state, the newest report, why the replica lag is not read without the state", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cloud-gameday-status-"));
    try {
      fs.writeFileSync(path.join(dir, "gameday-cloud-failover-20261203T161500Z.md"), "# report\n");
      const ws = new FakeWorkspace(stackConfig({ mode: "warm-standby", activeSite: "secondary" }), { previews: [], outputs: { ...stackOutputs("warm-standby"), activeSite: "primary" } });
      const out: string[] = [];
      assert.equal(await printStatus(ws, dir, (l) => out.push(l)), 0);
      assert.deepEqual(out.slice(0, 4), [
        "stack prod",
        "  deployed: mode warm-standby, active primary; designed RTO 390 s, RPO 60 s",
        "  config:   mode warm-standby, active secondary, primary fenced",
        `  last game day: ${path.join(dir, "gameday-cloud-failover-20261203T161500Z.md")}`,
      ]);
      assert.equal(out[4], "  replica lag of the secondary (ap-northeast-1): not read: the stack's state cannot be read here");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
