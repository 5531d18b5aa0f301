import { strict as assert } from "node:assert";
import { parseProjectConfig } from "../../infra/config/parse";
import { buildTopology } from "../../infra/topology/build";
import { cidrsOverlap, cidrContains } from "../../infra/config/cidr";
import { planSubnets } from "../../infra/topology/subnet-plan";
import type { DrMode, SiteKey, SiteTopology, Topology } from "../../infra/topology/types";
import { TOKYO_RECOVERY_POINT, devOnAws, drState, prodWith, stackRaw } from "../support/config-fixtures";

function prodTopology(mode: DrMode, activeSite: SiteKey): Topology {
  return buildTopology(parseProjectConfig(prodWith((c) => (c.dr = drState(mode, activeSite)))));
}
const siteOf = (t: Topology, key: SiteKey): SiteTopology => t.sites.find((s) => s.key === key)!;

interface Expected {
  role: string; serves: boolean; api: [boolean, number, number, number]; db: string; readReplicas: number; cache: [boolean, number];
}
// prod as shipped: api 3..12, 2 read replicas, cache with 1 replica.
const full = (role: "active" | "standby", serves: boolean, db: string): Expected => ({ role, serves, api: [true, 3, 12, 3], db, readReplicas: 2, cache: [true, 1] });

const STANDBY: Record<DrMode, Expected> = {
  "backup-restore": { role: "standby", serves: false, api: [false, 0, 0, 0], db: "none", readReplicas: 0, cache: [false, 0] },
  "pilot-light": { role: "standby", serves: false, api: [true, 0, 12, 0], db: "replica", readReplicas: 0, cache: [false, 0] },
  "warm-standby": { role: "standby", serves: false, api: [true, 1, 12, 1], db: "replica", readReplicas: 0, cache: [true, 0] },
  "active-active": { role: "active", serves: true, api: [true, 3, 12, 3], db: "replica", readReplicas: 0, cache: [true, 1] },
};

function assertSite(site: SiteTopology, e: Expected): void {
  assert.deepEqual(
    { role: site.role, serves: site.servesTraffic, api: [site.api.provisioned, site.api.min, site.api.max, site.api.desired], db: site.database.role, readReplicas: site.database.readReplicas, cache: [site.cache.enabled, site.cache.replicas] },
    e,
    `site ${site.key}`,
  );
}

describe("topology: DR-mode matrix", () => {
  const modes: DrMode[] = ["backup-restore", "pilot-light", "warm-standby", "active-active"];
  for (const mode of modes) {
    it(`${mode}, active primary: primary is the full-size writer, secondary per the matrix`, () => {
      const t = prodTopology(mode, "primary");
      assert.equal(t.writerSite, "primary");
      assertSite(siteOf(t, "primary"), full("active", true, "writer"));
      assertSite(siteOf(t, "secondary"), STANDBY[mode]);
      assert.equal(siteOf(t, "primary").database.multiAz, true);
      assert.equal(siteOf(t, "primary").database.deletionProtection, true);
    });

    it(`${mode}, failed over to secondary: secondary is the full-size writer, primary fenced untouched`, () => {
      const before = prodTopology(mode, "primary");
      const t = prodTopology(mode, "secondary");
      assert.equal(t.writerSite, "secondary");
      assertSite(siteOf(t, "secondary"), full("active", true, "writer"));
      assertSite(siteOf(t, "primary"), full("standby", false, "fenced"));
      // static stability: the failed site's capacity is what it was before failover
      assert.deepEqual(siteOf(t, "primary").api, siteOf(before, "primary").api);
      assert.deepEqual(siteOf(t, "primary").cache, siteOf(before, "primary").cache);
      assert.deepEqual(t.replication, []);
      assert.ok(t.warnings.some((w) => /failed over: the primary is fenced/.test(w)));
      // only backup-restore restores the new writer from a recovery point; the others promote their replica
      assert.equal(siteOf(t, "secondary").database.restoreFromSnapshot, mode === "backup-restore" ? TOKYO_RECOVERY_POINT : undefined);
    });
  }

  it("replication links per mode", () => {
    assert.deepEqual(prodTopology("warm-standby", "primary").replication.map((l) => `${l.kind}:${l.from}->${l.to}`), [
      "rds-cross-region-replica:primary->secondary",
      "s3-cross-region-replication:primary->secondary",
    ]);
    assert.deepEqual(prodTopology("backup-restore", "primary").replication.map((l) => l.kind), ["backup-cross-region-copy", "s3-cross-region-replication"]);
  });

  it("derived RTO/RPO per mode from prod's edge settings (10 s × 3, TTL 60) and 100 GB database", () => {
    assert.deepEqual(
      modes.map((m) => [m, prodTopology(m, "primary").objectives.rtoSeconds, prodTopology(m, "primary").objectives.rpoSeconds]),
      [["backup-restore", 3270, 5400], ["pilot-light", 570, 60], ["warm-standby", 390, 60], ["active-active", 390, 60]],
    );
    const o = prodTopology("pilot-light", "primary").objectives;
    assert.deepEqual(o.breakdown.rto.map((t) => [t.name, t.seconds]), [["detection", 30], ["replica-promotion", 300], ["api-from-zero", 180], ["dns-ttl", 60]]);
    assert.equal(o.rto, "≤ 9 min 30 s (detection 30 s + replica-promotion 5 min + api-from-zero 3 min + dns-ttl 1 min)");
    assert.equal(o.rpo, "≤ 1 min (replica-lag 1 min)");
  });

  it("edge routing per mode", () => {
    assert.deepEqual(modes.map((m) => prodTopology(m, "primary").edge.routing), ["single", "failover", "failover", "latency"]);
    // the edge routes on site readiness; load balancers use liveness (/healthz)
    assert.equal(prodTopology("warm-standby", "primary").edge.healthCheckPath, "/readyz");
    const geo = buildTopology(parseProjectConfig(prodWith((c) => {
      c.dr.mode = "active-active";
      c.edge.geo = [{ country: "JP", site: "secondary" }, { continent: "AS", site: "primary" }];
    })));
    assert.equal(geo.edge.routing, "geo");
  });

  it("dev as shipped: one DigitalOcean site, single zone, single NAT, no replication", () => {
    const t = buildTopology(parseProjectConfig(stackRaw("dev")));
    assert.equal(t.sites.length, 1);
    const s = t.sites[0];
    assert.deepEqual([s.cloud, s.region, s.azCount, s.natGateways, s.siteId], ["digitalocean", "sgp1", 1, "single", 1]);
    assert.deepEqual([s.api.min, s.api.max, s.database.multiAz, s.database.readReplicas, s.cache.replicas], [1, 2, false, 0, 0]);
    assert.equal(t.edge.routing, "single");
    assert.deepEqual(t.replication, []);
  });

  it("dev on AWS: 2 AZs, single NAT", () => {
    const s = buildTopology(parseProjectConfig(devOnAws())).sites[0];
    assert.deepEqual([s.cloud, s.azCount, s.natGateways], ["aws", 2, "single"]);
  });
});

describe("topology: subnet plan", () => {
  it("carves a /16 into /20 tier × AZ subnets with the 4th tier block reserved", () => {
    const plan = planSubnets("10.10.0.0/16", 3);
    assert.deepEqual(plan.public, ["10.10.0.0/20", "10.10.16.0/20", "10.10.32.0/20"]);
    assert.deepEqual(plan["private-app"], ["10.10.64.0/20", "10.10.80.0/20", "10.10.96.0/20"]);
    assert.deepEqual(plan["private-data"], ["10.10.128.0/20", "10.10.144.0/20", "10.10.160.0/20"]);
    assert.deepEqual(plan.reserved, ["10.10.48.0/20", "10.10.112.0/20", "10.10.176.0/20", "10.10.192.0/18"]);
  });

  it("never overlaps and stays inside the site CIDR, for every AZ count and prefix", () => {
    for (const cidr of ["10.0.0.0/16", "172.16.0.0/18", "192.168.0.0/20"]) {
      for (let azs = 1; azs <= 6; azs++) {
        const plan = planSubnets(cidr, azs);
        const all = [...plan.public, ...plan["private-app"], ...plan["private-data"], ...plan.reserved];
        assert.equal(plan.public.length, azs);
        for (const c of all) assert.ok(cidrContains(cidr, c), `${c} outside ${cidr}`);
        for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) assert.ok(!cidrsOverlap(all[i], all[j]), `${all[i]} overlaps ${all[j]}`);
      }
    }
    // more than 4 AZs: 8 slots per tier block, so /21 subnets
    assert.deepEqual(planSubnets("10.0.0.0/16", 6).public, ["10.0.0.0/21", "10.0.8.0/21", "10.0.16.0/21", "10.0.24.0/21", "10.0.32.0/21", "10.0.40.0/21"]);
  });
});
