import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as path from "node:path";
import type { DrMode, SiteKey } from "../../infra/topology/types";

// The policy pack passes on the prod stack in all 8 DR states (4 modes × 2 active sites), run the
// way a user runs it: `npm run policy -- --stack prod --mode M --active-site A`. The one exception
// is backup-restore failed over without a recovery point to restore from: a config error (exit 2)
// naming dr.restoreFromSnapshot, before anything is planned. The failback stages pass too.

const ROOT = path.resolve(__dirname, "../..");
const MODES: DrMode[] = ["backup-restore", "pilot-light", "warm-standby", "active-active"];
const SITES: SiteKey[] = ["primary", "secondary"];

interface Run { code: number; stdout: string; stderr: string }

function review(mode: DrMode, activeSite: SiteKey, set: string[] = []): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", "tools/policy-review/cli.ts", "--stack", "prod", "--mode", mode, "--active-site", activeSite, ...set.flatMap((s) => ["--set", s])],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024, timeout: 240_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr }));
  });
}

/** Runs the reviews two at a time (the CLI spends most of its time loading the program). */
/** The failback stages (dr.databaseGeneration), reviewed in warm-standby and active-active. */
const FAILBACK: { name: string; mode: DrMode; site: SiteKey; set: string[] }[] = (["warm-standby", "active-active"] as const).flatMap((mode) => [
  { name: `${mode} failback 1 (re-seed the primary)`, mode, site: "secondary" as const, set: ["dr.databaseGeneration.primary=1"] },
  { name: `${mode} failback 2 (switch back)`, mode, site: "primary" as const, set: ["dr.databaseGeneration.primary=1"] },
  { name: `${mode} failback 3 (re-seed the secondary)`, mode, site: "primary" as const, set: ["dr.databaseGeneration.primary=1", "dr.databaseGeneration.secondary=1"] },
]);

async function all(): Promise<Map<string, Run>> {
  const states = [...MODES.flatMap((m) => SITES.map((s) => ({ name: `${m}/${s}`, mode: m, site: s, set: [] as string[] }))), ...FAILBACK];
  const out = new Map<string, Run>();
  const worker = async () => {
    for (let next = states.shift(); next; next = states.shift()) out.set(next.name, await review(next.mode, next.site, next.set));
  };
  await Promise.all([worker(), worker()]);
  return out;
}

describe("policy review over the 8 prod DR states and the failback stages", function () {
  this.timeout(900_000);
  let runs: Map<string, Run>;
  before(async () => {
    runs = await all();
  });

  for (const stage of FAILBACK) {
    it(`${stage.name}: exit 0, no mandatory violation`, () => {
      const r = runs.get(stage.name)!;
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /Result: PASS/);
    });
  }

  for (const mode of MODES) {
    for (const site of SITES) {
      const key = `${mode}/${site}`;
      if (key === "backup-restore/secondary") {
        it(`${key} without dr.restoreFromSnapshot: exit 2, the key named before anything is planned`, () => {
          const r = runs.get(key)!;
          assert.equal(r.code, 2, r.stdout + r.stderr);
          assert.match(r.stderr, /resilient-feed:dr\.restoreFromSnapshot/);
        });
      } else {
        it(`${key}: exit 0, no mandatory violation`, () => {
          const r = runs.get(key)!;
          assert.equal(r.code, 0, r.stdout + r.stderr);
          assert.match(r.stdout, /Result: PASS/);
        });
      }
    }
  }
});
