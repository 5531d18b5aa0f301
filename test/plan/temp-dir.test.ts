import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

// A plan (the program evaluated for prod, as `npm run plan` and `npm run policy` do) must leave the
// system temp dir as it found it. Other processes share the real temp dir, so the plan runs in a
// child whose TMPDIR is a fresh, empty folder (os.tmpdir() follows TMPDIR), loaded through tsx's
// require hook with tsx's own compile cache off, so anything found there was left by the program.

const ROOT = path.resolve(__dirname, "..", "..");

describe("offline plan: temp files", function () {
  this.timeout(240_000);
  let tmp: string;
  before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-tmpdir-"))));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("npm run plan -- --stack prod leaves nothing in the temp dir", () => {
    const r = spawnSync(process.execPath, ["-r", "tsx/cjs", "tools/plan/cli.ts", "--stack", "prod"], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, TMPDIR: tmp, TSX_DISABLE_CACHE: "1" },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Plan for stack "prod": mode /m);
    assert.deepEqual(fs.readdirSync(tmp), []);
  });
});
