import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { openStack } from "../../tools/cloud-gameday/automation";
import { runCloudGameday } from "../../tools/cloud-gameday/runner";
import { Refusal } from "../../tools/cloud-gameday/stages";
import { DEPENDENCIES, engineEvents, failoverSteps } from "./support/events";
import { makeStandin, type Standin } from "./support/standin";
import { healthy, PINS, RELEASE, stackConfig, stackOutputs } from "./support/stack";

// The real Automation API library end to end, against a stand-in `pulumi` on PATH: the version
// check, config set/rm with --path, preview and up with engine events written to --event-log,
// outputs; every argv recorded and asserted. The stand-in answers 3.205.0 (at or above the
// library's minimum, the newest version for which the library tails an --event-log file) and, for
// the failover, also 3.210.0: newer CLIs get `--event-log tcp://127.0.0.1:PORT` and stream the
// events to the library's gRPC Events service, which the stand-in does too.

const VERSION = "v3.205.0";
// not in the library's typings: read from its module, so the test follows the installed library
const { minimumVersion } = require("@pulumi/pulumi/automation/minimumVersion") as { minimumVersion: { compare(v: string): number; toString(): string } };
const ROOT = path.resolve(__dirname, "../..");
const P = "resilient-feed:";

describe("cloud game day against a stand-in pulumi CLI (real Automation API)", function () {
  // each pulumi call is a node process; on a loaded machine a run of ~25 of them takes seconds
  this.timeout(180000);
  let s: Standin | undefined;
  const env = { PATH: process.env.PATH, STANDIN_DIR: process.env.STANDIN_DIR };
  const use = (standin: Standin) => {
    s = standin;
    process.env.PATH = `${standin.bin}${path.delimiter}${env.PATH}`;
    process.env.STANDIN_DIR = standin.dir;
  };
  afterEach(() => {
    process.env.PATH = env.PATH;
    if (env.STANDIN_DIR === undefined) delete process.env.STANDIN_DIR;
    else process.env.STANDIN_DIR = env.STANDIN_DIR;
    s?.cleanup();
    s = undefined;
  });
  const standin = (over: Partial<Parameters<typeof makeStandin>[0]> = {}) => makeStandin({
    version: VERSION, loggedIn: true, stack: "prod", config: stackConfig({ mode: "warm-standby", activeSite: "primary" }), outputs: stackOutputs("warm-standby"),
    preview: [engineEvents(failoverSteps(), "preview")], up: [engineEvents(failoverSteps(), "up")], ...over,
  });

  it("the stand-in's version is at least the library's minimum", () => {
    assert.ok(minimumVersion.compare(VERSION.slice(1)) <= 0, `${minimumVersion} > ${VERSION}`);
  });

  for (const [version, transport] of [[VERSION, /eventlog\.txt$/], ["v3.210.0", /^tcp:\/\/127\.0\.0\.1:\d+$/]] as const) it(`failover (CLI ${version}): the exact commands and arguments the library runs, the events it reads back, the config it leaves`, async () => {
    use(standin({ version }));
    const lines: string[] = [];
    const ws = await openStack(s!.workDir, "prod");
    const { report, exitCode } = await runCloudGameday(ws, { action: "failover", dryRun: false, yes: true, progress: (l) => lines.push(l), probe: healthy, dependencies: async () => DEPENDENCIES });
    assert.equal(exitCode, 0, lines.join("\n"));
    assert.equal(report.stages[0].stepCheck?.steps, 5);
    assert.ok(lines.some((l) => /done +delete +aws:route53\/healthCheck:HealthCheck edge-primary-readyz/.test(l)), lines.join("\n"));

    const calls = s!.calls().map((a) => a.map((x) => (transport.test(x) ? "<event-log>" : x)));
    const NI = "--non-interactive";
    const config = ["config", "--show-secrets", "--json", "--stack", "prod", NI];
    const outputs = [["stack", "output", "--json", "--stack", "prod", NI], ["stack", "output", "--json", "--show-secrets", "--stack", "prod", NI]];
    const set = (k: string, v: string) => ["config", "set", "--path", `${P}${k}`, "--stack", "prod", "--plaintext", NI, "--", v];
    assert.deepEqual(calls, [
      ["version"], ["whoami", "--json", NI], ["version"], ["stack", "select", "--stack", "prod", NI],
      config, ...outputs, config,
      set("dr.fencedRelease.server", RELEASE.server), set("dr.fencedRelease.worker", RELEASE.worker), set("sites.primary.amiId", PINS.amiId),
      ["config", "rm", `${P}sites.primary.availabilityZones`, "--stack", "prod", "--path", NI],
      ...PINS.availabilityZones.map((z, i) => set(`sites.primary.availabilityZones[${i}]`, z)),
      set("dr.activeSite", "secondary"),
      config,
      ["preview", "--exec-kind", "auto.local", "--event-log", "<event-log>", "--stack", "prod", NI],
      ["up", "--yes", "--skip-preview", "--exec-kind", "auto.local", "--event-log", "<event-log>", "--stack", "prod", NI],
      ...outputs, ["stack", "history", "--json", "--show-secrets", "--page-size", "1", "--page", "1", "--stack", "prod", NI],
      ...outputs,
    ]);
    const dr = s!.state().config[`${P}dr`] as Record<string, unknown>;
    assert.deepEqual(dr, { mode: "warm-standby", activeSite: "secondary", fencedRelease: RELEASE });
    assert.deepEqual((s!.state().config[`${P}sites`] as any).primary.availabilityZones, PINS.availabilityZones);
    // one event log (file or gRPC stream) per preview and per up
    assert.equal(calls.filter((a) => a.includes("<event-log>")).length, 2);
  });

  it("a refused preview puts the config back through config rm/set --path", async () => {
    use(standin({ preview: [engineEvents(failoverSteps({ touchFailedSite: true }), "preview")] }));
    const before = s!.state().config;
    const ws = await openStack(s!.workDir, "prod");
    const { exitCode } = await runCloudGameday(ws, { action: "failover", dryRun: false, yes: true, progress: () => undefined, probe: healthy, dependencies: async () => DEPENDENCIES });
    assert.equal(exitCode, 3);
    assert.deepEqual(s!.state().config, before);
    const tail = s!.calls().slice(-4);
    assert.deepEqual(tail, [
      ["config", "set", "--path", `${P}dr.activeSite`, "--stack", "prod", "--plaintext", "--non-interactive", "--", "primary"],
      ["config", "rm", `${P}sites.primary.availabilityZones`, "--stack", "prod", "--path", "--non-interactive"],
      ["config", "rm", `${P}sites.primary.amiId`, "--stack", "prod", "--path", "--non-interactive"],
      ["config", "rm", `${P}dr.fencedRelease`, "--stack", "prod", "--path", "--non-interactive"],
    ]);
  });

  it("a failed up keeps the config; the CLI's error reaches the report in one line", async () => {
    use(standin({ failUp: 0 }));
    const ws = await openStack(s!.workDir, "prod");
    const { report, exitCode } = await runCloudGameday(ws, { action: "failover", dryRun: false, yes: true, progress: () => undefined, probe: healthy, dependencies: async () => DEPENDENCIES });
    assert.equal(exitCode, 1);
    assert.match(report.stages[0].upError ?? "", /InvalidParameterCombination: Cannot delete protected DB Instance/);
    assert.equal((s!.state().config[`${P}dr`] as any).activeSite, "secondary");
  });

  it("not logged in: a Refusal saying what is needed", async () => {
    use(standin({ loggedIn: false }));
    await assert.rejects(openStack(s!.workDir, "prod"), (e: unknown) => e instanceof Refusal && /needs Pulumi credentials: run `pulumi login`/.test(e.message));
  });

  describe("the CLI (a child process)", () => {
    const cli = (args: string[], extraEnv: Record<string, string>) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ["--require", "tsx/cjs", path.join(ROOT, "tools/cloud-gameday/cli.ts"), ...args], { cwd: ROOT, env: { ...process.env, ...extraEnv } }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
      });
    });

    it("without a pulumi CLI on PATH: exit 2 and one line, no trace", async () => {
      const r = await cli(["--cloud", "--stack", "prod", "failover"], { PATH: path.join(ROOT, "no-such-dir") });
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stderr, "gameday --cloud: needs the Pulumi CLI on PATH (https://www.pulumi.com/docs/install/); none was found\n");
    });

    it("with cloud credentials, a dry run previews, checks, restores the config and writes a report", async () => {
      use(standin());
      const reportDir = path.join(s!.root, "reports");
      const ok = await cli(["--cloud", "--stack", "prod", "failover", "--dry-run", "--report-dir", reportDir], {
        PATH: process.env.PATH!, STANDIN_DIR: s!.dir, GAMEDAY_WORKDIR: s!.workDir, AWS_ACCESS_KEY_ID: "AKIA-TEST", GAMEDAY_OFFLINE_DEPENDENCIES: "0",
      });
      // without the program's dependencies the deletes are walked in every order: accepted here (the deleted record names no deleted check)
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      assert.match(ok.stdout, /dry-run: stage 1\. dr\.activeSite secondary previewed and accepted/);
      const files = fs.readdirSync(reportDir).sort();
      assert.equal(files.length, 2);
      assert.match(files[0], /^gameday-cloud-failover-\d{8}T\d{6}Z\.json$/);
      assert.equal((s!.state().config[`${P}dr`] as any).activeSite, "primary");
    });
  });
});
