import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { alive } from "../../local/site/proc";
import { writeState, type LocalSiteState } from "../../local/site/state";
import { processesNaming, stopRecorded } from "../../local/site/supervisor";

// A drill that fails between starting a process and saving the state leaves a process no state
// records (found by a backup-restore lose-site run). Stopping the site also stops every process
// whose command line names a path in the state folder, and nothing else.

describe("local site: stopping finds unrecorded processes of the state folder", function () {
  this.timeout(30_000);
  let dir: string;
  const started: number[] = [];
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rf-orphans-"));
  });
  after(() => {
    for (const p of started) if (alive(p)) process.kill(p, "SIGKILL");
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const idle = (marker: string) => {
    const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)", marker], { detached: true, stdio: "ignore" });
    child.unref();
    started.push(child.pid!);
    return child.pid!;
  };

  it("stops the orphan naming the folder, leaves a look-alike outside it running", async () => {
    const orphan = idle(path.join(dir, "db", "secondary-a", "mysqld.sock"));
    const outsider = idle(`${dir}-other/db/secondary-a/mysqld.sock`);
    writeState(dir, { supervisorPid: 0, dbs: {}, sites: {} } as unknown as LocalSiteState);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(processesNaming(dir), [orphan]);
    assert.equal(await stopRecorded(dir), 1);
    assert.equal(alive(orphan), false);
    assert.equal(alive(outsider), true);
  });
});
