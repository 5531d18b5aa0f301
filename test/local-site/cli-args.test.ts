import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as path from "node:path";

// `npm start` / `npm stop` / `npm run gameday`: --help prints the usage and exits 0; a mistake in
// the arguments or the stack config gets one line (no trace) and exit 2, before anything starts.

const ROOT = path.resolve(__dirname, "../..");

function run(cli: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", cli, ...args], { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr }));
  });
}

describe("local site and gameday CLIs: help and user mistakes", function () {
  this.timeout(120_000);
  const site = "local/site/cli.ts";
  const gameday = "local/gameday/cli.ts";

  it("--help: the usage, exit 0", async () => {
    const s = await run(site, ["start", "--help"]);
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, /^usage: npm start .*--detach/m);
    const g = await run(gameday, ["--help"]);
    assert.equal(g.code, 0, g.stderr);
    assert.match(g.stdout, /^usage: npm run gameday -- <scenario>/m);
    assert.match(g.stdout, /kill-api-instance \| kill-db-primary \| lose-cache \| lose-site \| switch-mode \| failback \| all/);
  });

  it("mistakes: one line naming the problem, no stack trace, exit 2", async () => {
    const cases: [string, string[], RegExp][] = [
      [site, ["start", "--stak", "prod"], /^local site: Unknown option '--stak'.*\(see --help\)$/],
      [site, ["start", "--backup-interval", "2"], /^local site: --backup-interval 2: a whole number of seconds ≥ 5 \(see --help\)$/],
      [site, ["start", "--mode", "hot"], /resilient-feed:dr\.mode = "hot": not allowed/],
      [site, ["restart"], /^local site: the command is start or stop \(got restart\)/],
      [gameday, ["nosuch"], /^gameday: scenario: one of .* \(got nosuch\) \(see --help\)$/],
      [gameday, ["switch-mode"], /^gameday: switch-mode needs --to MODE/],
      [gameday, ["lose-site", "--mode", "hot-standby"], /^gameday: --mode hot-standby: one of backup-restore, pilot-light, warm-standby, active-active/],
      [gameday, ["lose-site", "--duration", "700"], /^gameday: --duration 700: seconds between 0 and 600/],
    ];
    for (const [cli, args, expected] of cases) {
      const r = await run(cli, args);
      assert.equal(r.code, 2, `${cli} ${args.join(" ")}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr.trim(), expected, args.join(" "));
      assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
    }
  });
});
