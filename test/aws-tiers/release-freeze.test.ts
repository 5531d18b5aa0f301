import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildAppBundle, releaseHash, type BuiltBundle } from "../../infra/aws/app-bundle";
import { ConfigError } from "../../infra/config/errors";
import { parseProjectConfig } from "../../infra/config/parse";
import { buildTopology } from "../../infra/topology/build";
import { prodWith } from "../support/config-fixtures";
import { deploySites } from "./support/deploy";
import { CERT_ARN, Recorded } from "./support/harness";
import { launchUserData } from "./support/user-data";

// A hotfix `pulumi up` while failed over: the active secondary gets the new release, the fenced
// primary keeps the one it ran (dr.fencedRelease), so nothing is written to the failed region.

function bundleOf(label: string, dir: string): BuiltBundle {
  fs.writeFileSync(path.join(dir, `${label}-server.ts`), `console.log('server ${label}');\n`);
  fs.writeFileSync(path.join(dir, `${label}-worker.ts`), `console.log('worker ${label}');\n`);
  return buildAppBundle({ server: path.join(dir, `${label}-server.ts`), worker: path.join(dir, `${label}-worker.ts`) }, fs.mkdtempSync(path.join(dir, `${label}-out-`)));
}

const topology = (dr: Record<string, unknown>) => buildTopology(parseProjectConfig(prodWith((c) => { c.dr = dr; c.sites.primary.certificateArn = CERT_ARN; })));
const primaryInputs = (r: Recorded) => new Map(r.custom.filter((x) => x.name.startsWith("primary-")).map((x) => [`${x.type}::${x.name}`, x.inputs]));

describe("release freeze of the fenced site (dr.fencedRelease)", function () {
  this.timeout(120_000);
  let dir: string;
  let v1: BuiltBundle;
  let v2: BuiltBundle;
  let active: Recorded;
  let hotfix: Recorded;
  let unpinned: Recorded;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "release-freeze-"));
    v1 = bundleOf("v1", dir);
    v2 = bundleOf("v2", dir);
    active = await deploySites(topology({ mode: "warm-standby", activeSite: "primary" }), v1);
    hotfix = await deploySites(topology({ mode: "warm-standby", activeSite: "secondary", fencedRelease: { server: v1.server.sha256, worker: v1.worker.sha256 } }), v2);
    unpinned = await deploySites(topology({ mode: "warm-standby", activeSite: "secondary" }), v2);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("pinned: every primary resource keeps its inputs (the launch template's user data included); only the artifact objects' local source differs, which they ignore", () => {
    assert.notEqual(v1.hash, v2.hash);
    const a = primaryInputs(active);
    const b = primaryInputs(hotfix);
    assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
    const changed = [...a.keys()].filter((k) => JSON.stringify(a.get(k)) !== JSON.stringify(b.get(k))).sort();
    assert.deepEqual(changed, ["aws:s3/bucketObjectv2:BucketObjectv2::primary-app-server", "aws:s3/bucketObjectv2:BucketObjectv2::primary-app-worker"]);
    for (const k of changed) assert.deepEqual({ ...b.get(k), source: undefined }, { ...a.get(k), source: undefined }, k);
    assert.equal(launchUserData(hotfix, "primary-api"), launchUserData(active, "primary-api"));
    assert.equal(hotfix.one("s3/bucketObjectv2:BucketObjectv2", "primary-app-server").inputs.key, `releases/${releaseHash(v1.server.sha256, v1.worker.sha256).slice(0, 16)}/server.js`);
    // the active secondary runs the hotfix
    assert.equal(hotfix.one("s3/bucketObjectv2:BucketObjectv2", "secondary-app-server").inputs.key, `releases/${v2.hash.slice(0, 16)}/server.js`);
  });

  it("unpinned, the same up would rewrite the fenced release (what the topology warns about)", () => {
    assert.notEqual(unpinned.one("s3/bucketObjectv2:BucketObjectv2", "primary-app-server").inputs.key, active.one("s3/bucketObjectv2:BucketObjectv2", "primary-app-server").inputs.key);
    assert.ok(topology({ mode: "warm-standby", activeSite: "secondary" }).warnings.some((w) => /failed over without dr\.fencedRelease/.test(w)));
  });

  it("config: each pinned hash is a 64-digit SHA-256", () => {
    assert.throws(() => topology({ mode: "warm-standby", activeSite: "secondary", fencedRelease: { server: "abc", worker: v1.worker.sha256 } }),
      (e: unknown) => e instanceof ConfigError && /resilient-feed:dr\.fencedRelease\.server = "abc": must be the server file's SHA-256 \(64 lower-case hex digits\)/.test(e.message));
  });
});
