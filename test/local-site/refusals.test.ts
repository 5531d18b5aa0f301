import { strict as assert } from "node:assert";
import { drillRefusal, type SiteFacts } from "../../local/gameday/preconditions";
import { drillInProgress, reuseConflict } from "../../local/site/reuse";

// What `npm start` and the game day refuse up front, with what to do instead: a running site of
// another mode (start used to hand it over silently), a drill that makes no sense in the site's
// state (lose-site again after a failover killed the only serving site), a drill in progress.

const healthy: SiteFacts = { mode: "warm-standby", activeSite: "primary", fenced: [], otherSiteDb: "replica", inSiteStandby: true, firstApiRunning: true, cacheRunning: true };
const failedOver: SiteFacts = { ...healthy, activeSite: "secondary", fenced: ["primary"], otherSiteDb: "stopped" };

describe("local site: a running site that is not the one asked for", () => {
  const running = { stack: "prod", mode: "warm-standby" as const, activeSite: "primary" as const, supervisorPid: 4242 };

  it("--mode active-active on a warm-standby site: refused, naming the running mode and both ways to switch", () => {
    const why = reuseConflict(running, { stack: "prod", mode: "active-active" });
    assert.ok(why);
    assert.match(why, /runs \(stack prod, mode warm-standby, writer site primary; supervisor pid 4242\)/);
    assert.match(why, /npm run gameday -- switch-mode --to active-active/);
    assert.match(why, /npm stop, then npm start -- --mode active-active/);
  });

  it("flags that match, or are not given, reuse it; another stack or writer site is refused", () => {
    assert.equal(reuseConflict(running, { stack: "prod", mode: "warm-standby", activeSite: "primary" }), undefined);
    assert.equal(reuseConflict(running, { stack: "prod" }), undefined);
    assert.match(reuseConflict(running, { stack: "dev" }) ?? "", /npm stop, then npm start -- --stack dev/);
    assert.match(reuseConflict(running, { activeSite: "secondary" }) ?? "", /--active-site secondary/);
  });

  it("a drill in progress (its game day alive) blocks; a dead game day's leftover status does not", () => {
    const st = { status: "drill" as const, drill: { pid: 77, scenario: "lose-site", since: "2026-12-03T16:00:00Z" } };
    assert.match(drillInProgress(st, () => true) ?? "", /game day \(pid 77\) is running the drill lose-site/);
    assert.equal(drillInProgress(st, () => false), undefined);
    assert.equal(drillInProgress({ status: "healthy" }, () => true), undefined);
  });
});

describe("game day: drills that make no sense in the site's state are refused", () => {
  it("lose-site on a site that already failed over: refused, pointing to failback", () => {
    const why = drillRefusal("lose-site", failedOver);
    assert.match(why ?? "", /site primary was lost in an earlier drill and is still fenced/);
    assert.match(why ?? "", /npm run gameday -- failback/);
    assert.match(drillRefusal("all", failedOver) ?? "", /^all: lose-site: /);
    // a failover that broke off half-way: the writer site itself is fenced
    assert.match(drillRefusal("lose-site", { ...healthy, fenced: ["primary"] }) ?? "", /writer site primary is fenced: an earlier failover did not finish/);
  });

  it("failback with no lost site; lose-site without a replica to promote (but backup-restore restores)", () => {
    assert.match(drillRefusal("failback", healthy) ?? "", /no site was lost/);
    assert.equal(drillRefusal("failback", failedOver), undefined);
    assert.match(drillRefusal("lose-site", { ...healthy, otherSiteDb: "stopped" }) ?? "", /holds no replica/);
    assert.equal(drillRefusal("lose-site", { ...healthy, mode: "backup-restore", otherSiteDb: "stopped" }), undefined);
  });

  it("in-site drills need what they break; switch-mode needs another mode", () => {
    assert.match(drillRefusal("kill-db-primary", { ...healthy, inSiteStandby: false }) ?? "", /no running in-site standby/);
    assert.match(drillRefusal("kill-api-instance", { ...healthy, firstApiRunning: false }) ?? "", /API #1/);
    assert.match(drillRefusal("lose-cache", { ...healthy, cacheRunning: false }) ?? "", /runs no Redis/);
    assert.match(drillRefusal("switch-mode", healthy, "warm-standby") ?? "", /already runs warm-standby/);
    for (const s of ["all", "kill-api-instance", "lose-cache", "kill-db-primary", "lose-site"] as const) assert.equal(drillRefusal(s, healthy), undefined, s);
  });
});
