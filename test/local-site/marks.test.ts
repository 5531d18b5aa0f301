import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startRedis } from "../../local/site/components";
import { environMarks, markedProcesses, markEnv, SITE_MARK } from "../../local/site/marks";
import { alive, stopGroup } from "../../local/site/proc";
import type { LocalSiteState, StateHandle } from "../../local/site/state";
import { stopRecorded } from "../../local/site/supervisor";
import { freePort } from "../../local/services/ports";

// Every process the local site starts carries its state folder's mark in its environment, and
// stopping the site finds marked processes through /proc/*/environ, recorded or not: Redis
// included, whose command line names no path. Exact folder only, so other sites on a shared
// machine are never touched.

describe("local site: processes marked with the state folder", function () {
  this.timeout(30_000);
  let dir: string;
  const started: number[] = [];
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rf-marks-"));
  });
  after(async () => {
    for (const p of started) if (alive(p)) await stopGroup(p, 0, "SIGKILL");
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const idle = (env: NodeJS.ProcessEnv) => {
    const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { detached: true, stdio: "ignore", env });
    child.unref();
    started.push(child.pid!);
    return child.pid!;
  };

  it("the mark is the exact absolute folder", () => {
    const block = (v: string) => ["PATH=/usr/bin", `${SITE_MARK}=${v}`, "X=1"].join("\0") + "\0";
    assert.equal(environMarks(block(path.resolve(dir)), dir), true);
    assert.equal(environMarks(block(`${path.resolve(dir)}-other`), dir), false);
    assert.equal(environMarks(block(path.dirname(path.resolve(dir))), dir), false);
    assert.equal(environMarks("PATH=/usr/bin\0", dir), false);
  });

  it("npm stop's sweep finds and stops a marked process no state records, and only it", async () => {
    const ours = idle(markEnv(dir, process.env));
    const otherSite = idle(markEnv(`${dir}-other`, process.env));
    const unmarked = idle({ ...process.env });
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(markedProcesses(dir), [ours]);
    assert.equal(await stopRecorded(dir), 1); // no state.json at all
    assert.equal(alive(ours), false);
    assert.equal(alive(otherSite), true);
    assert.equal(alive(unmarked), true);
  });

  it("a Redis the site starts is saved into the state at once and found by its mark (its command line names no path)", async () => {
    const st = { sites: { primary: { redisPort: await freePort() } } } as unknown as LocalSiteState;
    const saved: Array<number | undefined> = [];
    const h: StateHandle = { dir, st, save: () => saved.push(st.sites.primary.redisPid) };
    await startRedis(h, "primary");
    const pid = st.sites.primary.redisPid!;
    started.push(pid);
    assert.deepEqual(saved, [pid], "saved once, with its id, before the wait for its port");
    assert.deepEqual(markedProcesses(dir), [pid]);
    assert.equal(await stopRecorded(dir), 1);
    assert.equal(alive(pid), false);
  });
});
