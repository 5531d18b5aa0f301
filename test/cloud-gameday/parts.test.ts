import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import type { AddressInfo } from "node:net";
import { checkAwsCredentials } from "../../tools/cloud-gameday/automation";
import { reverting } from "../../tools/cloud-gameday/config-paths";
import { adaptPreview, UNKNOWN } from "../../tools/cloud-gameday/events-adapter";
import { httpProber } from "../../tools/cloud-gameday/probe";
import { planAction, Refusal } from "../../tools/cloud-gameday/stages";
import { engineEvents, failoverRecord, failoverSteps, healthCheck, PRIMARY, SECONDARY } from "./support/events";
import { RELEASE, stackConfig, stackOutputs } from "./support/stack";

// The runner's parts: the engine-event adapter, the stages of each action, config restoring,
// the credentials check and the endpoint probe.

const project = (dr: Record<string, unknown>) => ({ sites: (stackConfig(dr)["resilient-feed:sites"]), dr });

describe("cloud game day parts", () => {
  describe("engine events → the plan's shape", () => {
    it("before/after resources, the engine's ops as the diff, sites by region, ids as the plan names them", () => {
      const cfg = project({ mode: "warm-standby", activeSite: "primary" });
      const a = adaptPreview(engineEvents(failoverSteps(), "preview"), { stack: "prod", configBefore: cfg, configAfter: { ...cfg, dr: { mode: "warm-standby", activeSite: "secondary" } }, fencedSite: "primary" });
      assert.deepEqual(a.diff.changes.map((c) => `${c.op} ${c.name} ${c.site}`).sort(), [
        "- edge-failover-secondary global", "- edge-primary-readyz global", "~ aws global", "~ edge-failover-primary global", "~ secondary-db secondary",
      ]);
      const record = a.after.resources.find((r) => r.name === "edge-failover-primary")!;
      assert.equal(record.inputs.healthCheckId, "edge-secondary-readyz-id");
      assert.equal(record.region, undefined);
      assert.equal(a.before.resources.find((r) => r.name === "primary-db")!.region, PRIMARY);
      assert.equal(a.after.outputs.fencedSite, "primary");
      assert.equal(a.before.resources.length, 7);
      assert.equal(a.after.resources.length, 5);
    });

    it("a replacement's three events are one +-; delete-replaced first means delete before replace; unknowns dropped", () => {
      const old = failoverRecord("PRIMARY", "primary");
      const now = { ...old, inputs: { ...old.inputs, type: "AAAA", healthCheckId: UNKNOWN } };
      const events = engineEvents([{ op: "replace", old, new: now, diffs: ["type"] }, { op: "same", old: healthCheck("primary"), new: healthCheck("primary") }], "preview");
      const pre = events.find((e) => e.resourcePreEvent)!;
      const m = pre.resourcePreEvent!.metadata;
      const triple = [{ ...pre, resourcePreEvent: { metadata: { ...m, op: "delete-replaced" as const } } }, pre, { ...pre, resourcePreEvent: { metadata: { ...m, op: "create-replacement" as const } } }];
      const cfg = project({ mode: "warm-standby" });
      const a = adaptPreview([...triple, ...events.filter((e) => e !== pre)], { stack: "prod", configBefore: cfg, configAfter: cfg });
      assert.deepEqual(a.diff.changes.map((c) => [c.op, c.name, c.replaceKeys]), [["+-", "edge-failover-primary", ["type"]]]);
      const after = a.after.resources.find((r) => r.name === "edge-failover-primary")!;
      assert.equal(after.deleteBeforeReplace, true);
      assert.equal("healthCheckId" in after.inputs, false);
      assert.deepEqual(a.unmapped, []);
    });
  });

  describe("stages", () => {
    it("a switch to backup-restore goes through dr.releaseProtection (tools/plan/transitions.ts)", () => {
      const plan = planAction("switch-mode", project({ mode: "active-active", activeSite: "primary" }), {}, "backup-restore");
      assert.deepEqual(plan.stages.map((s) => s.changes), [
        [{ path: "dr.releaseProtection", value: "secondary" }], [{ path: "dr.mode", value: "backup-restore" }], [{ path: "dr.releaseProtection", value: undefined }],
      ]);
      assert.deepEqual(planAction("switch-mode", project({ mode: "pilot-light" }), {}, "warm-standby").stages.map((s) => s.changes), [[{ path: "dr.mode", value: "warm-standby" }]]);
    });

    it("failback: three stages from the stack's generations, the release pin dropped when the primary is re-seeded", () => {
      const plan = planAction("failback", project({ mode: "warm-standby", activeSite: "secondary", databaseGeneration: { primary: 1, secondary: 1 }, fencedRelease: RELEASE }), {});
      assert.deepEqual(plan.stages.map((s) => s.changes), [
        [{ path: "dr.databaseGeneration.primary", value: 2 }, { path: "dr.fencedRelease", value: undefined }],
        [{ path: "dr.activeSite", value: "primary" }],
        [{ path: "dr.databaseGeneration.secondary", value: 2 }],
      ]);
    });

    it("failover in backup-restore needs dr.restoreFromSnapshot set; refusals for states that make no sense", () => {
      const plan = planAction("failover", project({ mode: "backup-restore", restoreFromSnapshot: `arn:aws:rds:${SECONDARY}:123456789012:snapshot:awsbackup:job-1` }), stackOutputs("backup-restore"));
      assert.deepEqual(plan.stages[0].changes.map((c) => c.path), ["dr.fencedRelease.server", "dr.fencedRelease.worker", "sites.primary.amiId", "sites.primary.availabilityZones", "dr.activeSite"]);
      assert.equal(plan.failedSite, "primary");
      assert.throws(() => planAction("failover", project({ mode: "warm-standby", activeSite: "secondary" }), {}), (e: unknown) => e instanceof Refusal && /already failed over/.test(e.message));
      assert.throws(() => planAction("failback", project({ mode: "warm-standby" }), {}), (e: unknown) => e instanceof Refusal && /not failed over/.test(e.message));
      assert.throws(() => planAction("switch-mode", project({ mode: "warm-standby" }), {}, "warm-standby"), Refusal);
    });
  });

  it("restoring: previous values back, a key whose parent did not exist removed with its parent", () => {
    const before = { dr: { mode: "warm-standby" } };
    assert.deepEqual(reverting([{ path: "dr.fencedRelease.server", value: "a" }, { path: "dr.fencedRelease.worker", value: "b" }, { path: "dr.mode", value: "pilot-light" }], before), [
      { path: "dr.mode", value: "warm-standby" }, { path: "dr.fencedRelease", value: undefined },
    ]);
  });

  it("AWS credentials: refused with no sign of any, accepted from the environment, ~/.aws or the stack", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "cloud-gameday-home-"));
    try {
      assert.throws(() => checkAwsCredentials({}, {}, home), (e: unknown) => e instanceof Refusal && /^needs AWS credentials: none found \(AWS_PROFILE, AWS_ACCESS_KEY_ID/.test(e.message));
      checkAwsCredentials({}, { AWS_PROFILE: "gameday" }, home);
      checkAwsCredentials({ "aws:profile": { value: "gameday" } }, {}, home);
      fs.mkdirSync(path.join(home, ".aws"));
      fs.writeFileSync(path.join(home, ".aws", "credentials"), "[default]\n");
      checkAwsCredentials({}, {}, home);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it("the probe waits for /readyz, then writes a post and reads it back", async () => {
    let ready = 0;
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      const json = (status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      if (req.url === "/readyz") return json(++ready < 3 ? 503 : 200, {});
      if (req.url === "/auth/login") return json(200, { token: "t" });
      if (req.url === "/posts") return json(req.headers.authorization === "Bearer t" ? 201 : 401, { post: { id: "p1" } });
      if (req.url === "/posts/p1") return json(200, { post: { id: "p1" } });
      return json(404, {});
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const port = (server.address() as AddressInfo).port;
      const r = await httpProber({ baseUrl: `http://127.0.0.1:${port}`, user: { handle: "gameday", password: "pw" }, intervalMs: 10 })(10);
      assert.equal(r.healthy, true);
      assert.equal(r.attempts, 3);
      assert.deepEqual(seen.slice(-4), ["GET /readyz", "POST /auth/login", "POST /posts", "GET /posts/p1"]);
    } finally {
      await new Promise((r) => server.close(r));
    }
    // nothing answers: not healthy at the deadline, with what the last attempt saw
    const down = await httpProber({ baseUrl: "http://127.0.0.1:9/", intervalMs: 10 })(0.05);
    assert.equal(down.healthy, false);
    assert.match(down.last, /^no answer/);
    assert.match(down.readWrite, /^not probed \(set GAMEDAY_HANDLE and GAMEDAY_PASSWORD\)/);
  });
});
