import { strict as assert } from "node:assert";
import { runCli } from "../support/cli";

// `plan --diff` as a user runs it: the step check is printed after the diff, and a transition
// the clouds would refuse exits 3 (documented in --help), one they accept exits 0.

const plan = (args: string[]) => runCli("plan", ["--stack", "prod", ...args]);

describe("plan --diff: the step check's exit code", function () {
  this.timeout(300_000);

  it("warm-standby → backup-restore in one run: exit 3, the 4 refused deletes named", () => {
    const r = plan(["--diff", "--mode", "backup-restore"]);
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stdout, /refused steps: 0, refused deletes: 4, calls into a fenced region: 0/);
    for (const name of ["secondary-db", "secondary-api", "secondary-api-alb-logs", "secondary-app-artifacts"]) assert.match(r.stdout, new RegExp(`refused delete: \\S+ ${name}: `));
  });

  it("the failover: exit 0, 0 findings, the provider functions listed by region with none in the fenced primary's", () => {
    const r = plan(["--diff", "--active-site", "secondary"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /refused steps: 0, refused deletes: 0, calls into a fenced region: 0/);
    const regions = /provider functions by region: (.*)/.exec(r.stdout)?.[1] ?? "";
    assert.match(regions, /ap-northeast-1 \d+/);
    assert.doesNotMatch(regions, /ap-northeast-2/);
  });

  it("--help documents exit code 3", () => {
    const r = plan(["--help"]);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /3 \(--diff\) the step check/);
  });
});
