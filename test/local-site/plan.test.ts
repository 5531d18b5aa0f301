import * as assert from "node:assert/strict";
import { loadTopology, localPlan, type LocalSitePlan } from "../../local/site/plan";
import { parseGtids } from "../../local/site/replication";
import { edgeConfig } from "../../local/site/proxy-config";

// The local realization reads the Topology: what each site runs in each mode and failover state.

const row = (s: LocalSitePlan) => [s.database, s.inSiteStandby, s.readReplica, s.lb, s.apis, s.redis, s.worker, s.edge];

describe("local site: plan from the prod Topology", () => {
  const cases: Array<[string, string, unknown[], unknown[]]> = [
    // mode, active site, primary [db, standby, reader, lb, apis, redis, worker, edge], secondary
    ["warm-standby", "primary", ["writer", true, true, true, 2, true, true, "active"], ["replica", false, false, true, 1, true, true, "backup"]],
    ["pilot-light", "primary", ["writer", true, true, true, 2, true, true, "active"], ["replica", false, false, true, 0, false, false, "backup"]],
    ["active-active", "primary", ["writer", true, true, true, 2, true, true, "active"], ["replica", false, false, true, 2, true, true, "active"]],
    ["backup-restore", "primary", ["writer", true, true, true, 2, true, true, "active"], ["none", false, false, false, 0, false, false, "none"]],
    ["warm-standby", "secondary", ["fenced", false, false, false, 0, false, false, "none"], ["writer", true, true, true, 2, true, true, "active"]],
  ];
  for (const [mode, active, primary, secondary] of cases) {
    it(`${mode}, writer ${active}`, () => {
      const plan = localPlan("prod", loadTopology("prod", { mode, activeSite: active }));
      assert.equal(plan.writerSite, active);
      assert.deepEqual(plan.sites.map(row), [primary, secondary]);
    });
  }

  it("API counts are the Topology's scaled down to at most 2 (prod desires 3)", () => {
    const plan = localPlan("prod", loadTopology("prod", { mode: "active-active" }));
    assert.equal(plan.topology.sites[0].api.desired, 3);
    assert.deepEqual(plan.sites.map((s) => s.apis), [2, 2]);
  });

  it("a bad mode fails before anything starts, naming the key", () => {
    assert.throws(() => loadTopology("prod", { mode: "hot-spare" }), /dr\.mode/);
  });

  it("the edge lists no fenced site and marks the standby as backup", () => {
    const cfg = edgeConfig({ socket: "/tmp/x.sock", port: 8000, sites: [{ key: "secondary", lbPort: 9001, backup: true }] });
    assert.match(cfg, /server secondary 127\.0\.0\.1:9001 check backup/);
    assert.doesNotMatch(cfg, /server primary/);
    assert.match(cfg, /option httpchk GET \/readyz/);
  });

  it("GTID lists: highest sequence per domain", () => {
    assert.deepEqual([...parseGtids("0-11-42,1-21-7, 0-12-40")], [[0, 42], [1, 7]]);
    assert.deepEqual([...parseGtids("")], []);
  });
});
