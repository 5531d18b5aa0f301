import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import * as path from "node:path";
import { ConfigError } from "../../infra/config/errors";
import { evaluateStack } from "../../tools/plan/evaluate";
import { formatPlan, summarize } from "../../tools/plan/format";
import { RecordingMocks as RecordingMocksClass, type RecordingMocks } from "../../tools/plan/mocks";

const ROOT = path.resolve(__dirname, "..", "..");
const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");

describe("offline plan", function () {
  this.timeout(120_000);

  it("a bad config fails before any resource is registered", async () => {
    let mocks: RecordingMocks | undefined;
    await assert.rejects(
      evaluateStack({ stack: "prod", configOverrides: { sites: { secondary: { cidr: "10.10.0.0/16" } } }, observe: (m) => (mocks = m) }),
      (e: unknown) => e instanceof ConfigError && /resilient-feed:sites\.secondary\.cidr = "10\.10\.0\.0\/16": overlaps the primary site's 10\.10\.0\.0\/16/.test(e.message),
    );
    assert.ok(mocks);
    assert.deepEqual(mocks.resources, []);
    // the same mocks record resources when the config is good
    await evaluateStack({ stack: "dev", observe: (m) => (mocks = m) });
    assert.equal(mocks.resources.length, 49, "35 resources (29 in the DigitalOcean site; 6 global: the providers, the Cloudflare edge and the dump bucket) and 14 components");
  });

  it("prints rows grouped by site and component with key properties, and per-site totals", async () => {
    const plan = await evaluateStack({ stack: "prod" });
    const text = formatPlan(plan);
    assert.match(text, /^Plan for stack "prod": mode warm-standby, active site primary$/m);
    assert.match(text, /^== primary \(ap-northeast-2\): \d+ resources\n-- /m);
    assert.match(text, /^-- primary-net \(Network\)$/m);
    assert.match(text, /aws\.ec2\.Subnet\s+primary-net-private-data-0\s+cidrBlock=10\.10\.128\.0\/20\s+availabilityZone=ap-northeast-2a/);
    assert.match(text, /aws\.ec2\.NetworkAclRule\s+secondary-net-private-data-in-100\s+#100 in tcp 3306-3306 from 10\.20\.64\.0\/20/);
    // a region other than the section's is marked
    assert.match(text, /aws\.kms\.Key\s+edge-alarms-key\s+@us-east-1/);
    // every prod resource is attributed to one of the two sites or the stack-wide ones, and the totals add up
    const s = summarize(plan);
    assert.deepEqual(Object.keys(s.perSite).sort(), ["global", "primary", "secondary"]);
    assert.equal(s.perSite.global + s.perSite.primary + s.perSite.secondary, s.custom);
    assert.equal(s.custom, plan.resources.filter((r) => r.custom).length);
    assert.ok(s.perSite.secondary >= 90, "the secondary has at least its network and security chain");
    assert.match(text, new RegExp(`^  primary +${s.perSite.primary}$`, "m"));
    assert.match(text, new RegExp(`all +${s.custom} resources \\(\\+ ${s.components} component resources\\)`));
  });

  it("the failed-over plan keeps every primary resource and warns about the fenced primary", async () => {
    const before = await evaluateStack({ stack: "prod" });
    const after = await evaluateStack({ stack: "prod", activeSite: "secondary" });
    const names = (p: typeof before) => p.resources.filter((r) => r.name.startsWith("primary-")).map((r) => `${r.type} ${r.name} ${JSON.stringify(r.inputs)}`);
    // static stability: nothing in the failed primary region changes, tags included
    assert.deepEqual(names(after), names(before));
    assert.match(formatPlan(after), /warning: failed over: the primary is fenced/);
  });

  it("the CLI exits 2 with the validation message on a bad config, 0 with a plan", () => {
    const bad = spawnSync(TSX, ["tools/plan/cli.ts", "--stack", "prod", "--mode", "cold-standby"], { cwd: ROOT, encoding: "utf8" });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /resilient-feed:dr\.mode = "cold-standby": not allowed \(allowed: backup-restore \| pilot-light \| warm-standby \| active-active\)/);
    const ok = execFileSync(TSX, ["tools/plan/cli.ts", "--stack", "dev"], { cwd: ROOT, encoding: "utf8" });
    assert.match(ok, /^Sites:\n {2}primary {4}digitalocean sgp1: active, serves traffic$/m);
  });
});

describe("recording mocks", () => {
  it("record assets and other promise-holding inputs as plain, copyable data", async () => {
    const mocks = new RecordingMocksClass("resilient-feed", "test");
    await mocks.newResource({ type: "aws:s3/bucketObjectv2:BucketObjectv2", name: "bundle", custom: true, inputs: { region: "ap-northeast-2", source: { path: Promise.resolve("/tmp/server.js"), hash: () => "x" }, key: "releases/abc/server.js" } });
    const [r] = mocks.resources;
    assert.deepEqual(r.inputs, { region: "ap-northeast-2", source: { path: "/tmp/server.js" }, key: "releases/abc/server.js" });
    assert.deepEqual(structuredClone(r.inputs), r.inputs);
    assert.equal(r.region, "ap-northeast-2");
  });
});
