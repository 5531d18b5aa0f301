import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT, runCli } from "../support/cli";

// Issue 18 §3: a value only a component checked used to end `npm run plan` / `npm run policy` in a
// component's stack trace with exit 1 (for the policy tool: a mandatory violation). Each rule moved
// into config validation (infra/config/component-rules.ts, docs/component-invariants.md) is driven
// here through the CLI as a user runs it: exit 2, one problem naming the key and the value.

const run = runCli;

/** exit 2, the config error alone on stderr: one problem naming `key` = `value`, what is allowed, no trace */
function assertConfigProblem(r: ReturnType<typeof run>, key: string, value: string, message: RegExp): void {
  assert.equal(r.status, 2, `exit code (stderr: ${r.stderr})`);
  assert.equal(r.stdout, "");
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  const lines = r.stderr.trimEnd().split("\n");
  assert.deepEqual(lines.length, 2, `one problem, got:\n${r.stderr}`);
  assert.equal(lines[0], "invalid stack config (1 problem):");
  assert.ok(lines[1].startsWith(`  - resilient-feed:${key} = ${value}: `), lines[1]);
  assert.match(lines[1], message);
  assert.match(lines[1], /\(allowed[^:()]*: [^)]+\)$/);
}

describe("offline CLIs: rules once checked only by a component (issue 18 §3)", function () {
  this.timeout(240_000);
  // dev on two AWS sites behind Cloudflare, no api section: the stack the dev-side rules need. It
  // has to live in the project root, where the CLIs look for stacks.
  const stack = `component-rules-${process.pid}`;
  const file = path.join(ROOT, `Pulumi.${stack}.yaml`);
  before(() => fs.writeFileSync(file, [
    "config:",
    "  resilient-feed:environment: dev",
    "  resilient-feed:sites:",
    "    primary: { cloud: aws, region: ap-northeast-2, cidr: 10.30.0.0/16 }",
    "    secondary: { cloud: aws, region: ap-northeast-1, cidr: 10.40.0.0/16 }",
    "  resilient-feed:dr: { mode: warm-standby, activeSite: primary }",
    "  resilient-feed:edge:",
    "    dns: cloudflare",
    "    domain: dev.feed.example.com",
    "    zoneId: 0123456789abcdef0123456789abcdef",
    "    cloudflare: { accountId: fedcba9876543210fedcba9876543210 }",
    "",
  ].join("\n")));
  after(() => fs.rmSync(file, { force: true }));

  for (const cli of ["plan", "policy"] as const) {
    it(`npm run ${cli} -- --stack prod --set database.multiAz=false: the prod replica's Multi-AZ (was CrossRegionReplica)`, () => {
      assertConfigProblem(run(cli, ["--stack", "prod", "--set", "database.multiAz=false"]), "database.multiAz", "false", /dr\.mode warm-standby keeps a cross-region replica .* must be Multi-AZ/);
    });
  }

  it("an AWS site with one AZ (was Database / CrossRegionReplica / ApiLoadBalancer / Cache)", () => {
    assertConfigProblem(run("plan", ["--stack", stack, "--set", "sites.secondary.azCount=1"]), "sites.secondary.azCount", "1", /at least 2 availability zones/);
  });

  it("a schedule above api.maxSize (was ApiFleet)", () => {
    const schedules = JSON.stringify([{ name: "peak", recurrence: "30 4 * * MON-FRI", min: 6, max: 20, desired: 6 }]);
    assertConfigProblem(run("plan", ["--stack", "prod", "--set", `api.schedules=${schedules}`]), "api.schedules[0].max", "20", /exceeds api\.maxSize 12/);
  });

  it("api.minSize above 100 with api.maxSize unset (was ApiFleet)", () => {
    assertConfigProblem(run("plan", ["--stack", stack, "--set", "api.minSize=150"]), "api.minSize", "150", /leaves api\.maxSize unset/);
  });

  it("HTTPS on one site and HTTP on the other behind one Cloudflare monitor (was CloudflareEdge)", () => {
    const r = run("plan", [
      "--stack", stack,
      "--set", "sites.primary.certificateArn=arn:aws:acm:ap-northeast-2:123456789012:certificate/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
      "--set", 'sites.primary.certificateDomains=["dev.feed.example.com"]',
    ]);
    assertConfigProblem(r, "sites.secondary.certificateArn", "(missing)", /one monitor .*the primary's serves HTTPS/);
  });

  it("the stack itself plans (the rules refuse only the values above)", () => {
    const r = run("plan", ["--stack", stack]);
    assert.equal(r.status, 0, r.stderr);
  });
});
