import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ROOT, runCli } from "../support/cli";

// The offline CLIs run as processes, as a user runs them: a user mistake prints one clear line on
// stderr (no stack trace) and exits 2; --help prints the usage and exits 0.

const run = runCli;

/** exit 2, exactly one line on stderr matching `message`, no trace, nothing on stdout */
function assertMistake(r: ReturnType<typeof run>, message: RegExp): void {
  assert.equal(r.status, 2, `exit code (stderr: ${r.stderr})`);
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line, got:\n${r.stderr}`);
  assert.match(lines[0], message);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  assert.equal(r.stdout, "");
}

describe("offline CLIs: user mistakes", function () {
  this.timeout(60_000);
  // a broken stack file has to live in the project root, where the CLIs look for stacks
  const brokenStack = `cli-test-${process.pid}`;
  const brokenFile = path.join(ROOT, `Pulumi.${brokenStack}.yaml`);
  before(() => fs.writeFileSync(brokenFile, "config:\n  resilient-feed:environment: prod\n   resilient-feed:dr: [\n"));
  after(() => fs.rmSync(brokenFile, { force: true }));

  for (const cli of ["plan", "policy"] as const) {
    describe(`npm run ${cli}`, () => {
      it("--help prints the usage and exits 0", () => {
        const r = run(cli, ["--help"]);
        assert.equal(r.status, 0);
        assert.match(r.stdout, new RegExp(`^usage: npm run ${cli} -- \\[--stack NAME\\]`));
        assert.match(r.stdout, /--stack NAME\s+stack whose Pulumi\.NAME\.yaml is read \(default: prod\)/);
        assert.match(r.stdout, /-h, --help/);
        assert.equal(r.stderr, "");
      });
      it("an unknown option is named by parseArgs' own message", () => {
        assertMistake(run(cli, ["--stak", "prod"]), new RegExp(`^${cli}: Unknown option '--stak'.* \\(see --help\\)$`));
      });
      it("an option without its value", () => {
        assertMistake(run(cli, ["--stack"]), new RegExp(`^${cli}: Option '--stack <value>' argument missing`));
      });
      it("a stray positional argument", () => {
        assertMistake(run(cli, ["prod"]), new RegExp(`^${cli}: Unexpected argument 'prod'`));
      });
      it("an unknown stack lists the stacks there are", () => {
        assertMistake(run(cli, ["--stack", "nosuch"]), new RegExp(`^${cli}: unknown stack "nosuch": no Pulumi\\.nosuch\\.yaml \\(stacks: [^)]*\\bdev, .*prod\\b`));
      });
      it("a YAML syntax error in the stack file names the file and the position", () => {
        assertMistake(run(cli, ["--stack", brokenStack]), new RegExp(`^${cli}: Pulumi\\.${brokenStack}\\.yaml: invalid YAML: .* at line 2, column \\d+ \\(see --help\\)$`));
      });
      it("a bad config value names the key, the value and what is allowed", () => {
        const r = run(cli, ["--stack", "prod", "--mode", "cold-standby"]);
        assert.equal(r.status, 2);
        assert.equal(r.stderr, 'invalid stack config (1 problem):\n  - resilient-feed:dr.mode = "cold-standby": not allowed (allowed: backup-restore | pilot-light | warm-standby | active-active)\n');
      });
    });
  }

  describe("npm run policy options", () => {
    let dir: string;
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "cli-test-"))));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("a missing --config file", () => {
      assertMistake(run("policy", ["--config", path.join(dir, "none.json")]), /^policy: --config .*none\.json: no such file \(see --help\)$/);
    });
    it("a --config file that is not JSON", () => {
      const file = path.join(dir, "bad.json");
      fs.writeFileSync(file, "{ enforcement: ");
      assertMistake(run("policy", ["--config", file]), /^policy: --config .*bad\.json: not valid JSON \(/);
    });
    it("an unknown --format", () => {
      assertMistake(run("policy", ["--format", "html"]), /^policy: --format must be text, markdown or both, got "html"/);
    });
  });
});
