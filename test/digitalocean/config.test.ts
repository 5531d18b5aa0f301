import { strict as assert } from "node:assert";
import { ConfigError } from "../../infra/config/errors";
import { parseProjectConfig } from "../../infra/config/parse";
import { buildTopology } from "../../infra/topology/build";
import { prodWith, stackRaw } from "../support/config-fixtures";

// What a DigitalOcean site cannot do is refused before anything registers, naming the key.

function problems(raw: Record<string, any>): string[] {
  try {
    parseProjectConfig(raw);
  } catch (e) {
    if (e instanceof ConfigError) return e.message.split("\n").slice(1).map((l) => l.trim().replace(/^- /, ""));
    throw e;
  }
  return [];
}
const dev = (edit: (raw: Record<string, any>) => void): Record<string, any> => {
  const raw = stackRaw("dev");
  edit(raw);
  return raw;
};
const CA = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUPinnedCaForTests0000000000000000=\n-----END CERTIFICATE-----\n";
const DUMP = "dumps/primary/2026-12-03T18-00-00Z.sql.gz";
const has = (found: string[], prefix: string) => assert.ok(found.some((p) => p.startsWith(prefix)), `no problem starting with ${prefix}:\n${found.join("\n")}`);

describe("digitalocean: config validation", () => {
  it("dev as shipped parses, and the topology carries the DigitalOcean plan", () => {
    const t = buildTopology(parseProjectConfig(stackRaw("dev")), "2026-05-01");
    assert.deepEqual(t.digitalocean?.database, { size: "db-s-1vcpu-2gb", nodeCount: 1, version: "8", readReplica: true, backupHour: 19 });
    assert.deepEqual(t.digitalocean?.certificate, { name: "dev-feed-origin-ca", issuer: "cloudflare-origin-ca" });
    assert.ok(t.warnings.some((w) => w.startsWith("DigitalOcean MySQL 8 runs MySQL 8.0, past upstream standard support")), t.warnings.join("\n"));
  });

  it("refuses arm64, schedules, a drain beyond the pool's shutdown window, naming each key", () => {
    const found = problems(dev((r) => {
      r.api.arch = "arm64";
      r.api.drainSeconds = 55;
      r.api.schedules = [{ name: "night", recurrence: "0 22 * * *", min: 1, max: 1, desired: 1 }];
    }));
    has(found, 'resilient-feed:api.arch = "arm64": every droplet plan is x86-64');
    has(found, 'resilient-feed:api.schedules = ["night"]: Droplet Autoscale pools scale on CPU and memory targets only');
    has(found, "resilient-feed:api.drainSeconds = 55: does not fit the pool's 60 s between shutting a droplet down and destroying it");
  });

  it("refuses a minimum of 0 instances (the schema), sizes that are not DigitalOcean slugs, versions DigitalOcean does not offer", () => {
    const found = problems(dev((r) => {
      r.api.minSize = 0;
      r.digitalocean.dropletSize = "t4g.small";
      r.digitalocean.database.version = "9";
      r.digitalocean.cache.version = "7";
      r.digitalocean.database.size = "db.t4g.micro";
    }));
    has(found, "resilient-feed:api.minSize = 0: too small");
    has(found, 'resilient-feed:digitalocean.dropletSize = "t4g.small": must be a droplet size slug');
    has(found, 'resilient-feed:digitalocean.database.size = "db.t4g.micro": must be a managed database size slug');
  });

  it("refuses MySQL and Valkey versions outside DigitalOcean's table", () => {
    const found = problems(dev((r) => {
      r.digitalocean.database.version = "9";
      r.digitalocean.cache.version = "7";
    }));
    has(found, 'resilient-feed:digitalocean.database.version = "9": is not a MySQL version DigitalOcean offers (allowed: 8 (MySQL 8.0))');
    has(found, 'resilient-feed:digitalocean.cache.version = "7": is not a Valkey version DigitalOcean offers (allowed: 8)');
  });

  it("requires the digitalocean section, the Cloudflare edge, a Spaces region and a VPC that fits the node ids", () => {
    const found = problems(dev((r) => {
      delete r.digitalocean;
      r.sites.primary.region = "nyc1";
      r.sites.primary.cidr = "10.30.0.0/16";
      r.edge = { dns: "route53", domain: "dev.feed.example.com" };
    }));
    has(found, "resilient-feed:digitalocean = (missing): is required with a digitalocean site");
    has(found, 'resilient-feed:sites.primary.region = "nyc1": has no Spaces');
    has(found, 'resilient-feed:sites.primary.cidr = "10.30.0.0/16": is a /16, but a droplet\'s NODE_ID is its private IPv4 offset in the VPC');
    has(found, 'resilient-feed:edge.dns = "route53": a DigitalOcean site\'s load balancer admits only Cloudflare\'s address ranges');
  });

  it("prod: a DigitalOcean site is refused by its own rule, with the reasons", () => {
    const found = problems(prodWith((c) => {
      c.sites.secondary = { cloud: "digitalocean", region: "sgp1", cidr: "10.40.0.0/18" };
      c.dr = { mode: "backup-restore", activeSite: "primary" };
    }));
    has(found, 'resilient-feed:sites.secondary.cloud = "digitalocean": prod sites run on aws: a DigitalOcean region is one zone');
    assert.ok(!found.some((p) => p.startsWith("resilient-feed:sites.secondary.azCount")), found.join("\n"));
  });

  it("two DigitalOcean sites: replicating modes refused, naming the mode and the reason", () => {
    for (const mode of ["pilot-light", "warm-standby", "active-active"]) {
      const found = problems(dev((r) => {
        r.sites.secondary = { cloud: "digitalocean", region: "syd1", cidr: "10.40.0.0/18" };
        r.dr = { mode, activeSite: "primary" };
      }));
      has(found, `resilient-feed:dr.mode = "${mode}": keeps a promotable replica in the standby, but promotion of a DigitalOcean replica exists only in the API and doctl, not in the Pulumi provider`);
    }
  });

  it("the bug: a DigitalOcean primary failed over in backup-restore onto AWS needs dr.restoreFromSnapshot (never an empty RDS writer)", () => {
    const found = problems(dev((r) => {
      r.sites.secondary = { cloud: "aws", region: "ap-southeast-2", cidr: "10.40.0.0/16" };
      r.dr = { mode: "backup-restore", activeSite: "secondary" };
    }));
    has(found, "resilient-feed:dr.restoreFromSnapshot = (missing): is required to fail over in backup-restore: the secondary has no database and is created from a recovery point, never empty; the primary is on digitalocean");
  });

  it("failed over onto a DigitalOcean secondary: a restore source (a dump or a backup) is required, exactly one, and the restored cluster carries it", () => {
    const failover = (dr: object) => dev((r) => {
      r.sites.secondary = { cloud: "digitalocean", region: "syd1", cidr: "10.40.0.0/18" };
      r.sites.primary.databaseCaCertificate = CA;
      r.dr = { mode: "backup-restore", activeSite: "secondary", ...dr };
    });
    assert.deepEqual(problems(failover({})), ["resilient-feed:dr.restoreFromDump = (missing): is required to fail over in backup-restore onto the digitalocean secondary (or dr.restoreFromBackup): its database is restored, never empty (allowed: { key: dumps/<site>/<time>.sql.gz }, the newest object under dumps/primary/ in the dump bucket; or dr.restoreFromBackup: { databaseName } while the primary's cluster still answers)"]);
    assert.deepEqual(problems(failover({ restoreFromDump: { key: DUMP }, restoreFromBackup: { databaseName: "x-restore" } })), [`resilient-feed:dr.restoreFromDump = {"key":"${DUMP}"}: and dr.restoreFromBackup are both set: the new cluster has one restore source (allowed: one of the two)`]);
    has(problems(failover({ restoreFromDump: { key: "dumps/latest.sql" } })), 'resilient-feed:dr.restoreFromDump.key = "dumps/latest.sql": must be a dump object key');
    const fromBackup = buildTopology(parseProjectConfig(failover({ restoreFromBackup: { databaseName: "resilient-feed-dev-restore" } }))).sites.find((x) => x.key === "secondary")!;
    assert.deepEqual([fromBackup.database.role, fromBackup.database.origin, fromBackup.database.restoreFromBackup], ["writer", "restored", { databaseName: "resilient-feed-dev-restore" }]);
    const fromDump = buildTopology(parseProjectConfig(failover({ restoreFromDump: { key: DUMP } }))).sites.find((x) => x.key === "secondary")!;
    assert.deepEqual([fromDump.database.origin, fromDump.database.restoreFromDump, fromDump.database.restoreFromBackup], ["restored", { key: DUMP }, undefined]);
    has(problems(dev((r) => (r.dr = { mode: "backup-restore", activeSite: "primary", restoreFromBackup: { databaseName: "x-restore" } }))), 'resilient-feed:dr.restoreFromBackup = {"databaseName":"x-restore"}: names a DigitalOcean backup');
    assert.deepEqual(problems(dev((r) => (r.dr = { mode: "backup-restore", activeSite: "primary", restoreFromDump: { key: DUMP } }))), [`resilient-feed:dr.restoreFromDump = {"key":"${DUMP}"}: only backup-restore failed over onto a digitalocean secondary restores a dump (allowed here: not set)`]);
  });

  it("onto AWS a dump is refused by key: RDS cannot load it, the runbook snapshots it first", () => {
    const found = problems(dev((r) => {
      r.sites.secondary = { cloud: "aws", region: "ap-southeast-2", cidr: "10.40.0.0/16" };
      r.sites.primary.databaseCaCertificate = CA;
      r.dr = { mode: "backup-restore", activeSite: "secondary", restoreFromDump: { key: DUMP } };
    }));
    has(found, `resilient-feed:dr.restoreFromDump = {"key":"${DUMP}"}: RDS cannot load a logical dump: load it into an RDS instance with the ops tool, snapshot it and name the snapshot in dr.restoreFromSnapshot`);
  });

  it("the dump bucket: required, a Spaces region, never a site's region; the interval within 15..1440 minutes", () => {
    assert.deepEqual(problems(dev((r) => (r.digitalocean.dumps.region = "sgp1"))), ['resilient-feed:digitalocean.dumps.region = "sgp1": is a region of this stack\'s sites, and the dumps exist to outlive a regional outage (allowed: a Spaces region no site is in: nyc3, sfo2, sfo3, ams3, fra1, syd1, blr1, lon1, tor1)']);
    assert.deepEqual(problems(dev((r) => (r.digitalocean.dumps.region = "nyc1"))), ['resilient-feed:digitalocean.dumps.region = "nyc1": has no Spaces (allowed: nyc3, sfo2, sfo3, ams3, fra1, syd1, blr1, lon1, tor1)']);
    has(problems(dev((r) => (r.digitalocean.dumps.intervalMinutes = 5))), "resilient-feed:digitalocean.dumps.intervalMinutes = 5:");
    has(problems(dev((r) => (r.digitalocean.dumps.heartbeatUrl = "http://hc-ping.com/x"))), 'resilient-feed:digitalocean.dumps.heartbeatUrl = "http://hc-ping.com/x":');
    has(problems(dev((r) => delete r.digitalocean.dumps)), "resilient-feed:digitalocean.dumps = (missing):");
  });

  it("a two-site stack warns, naming the stack output, while its DigitalOcean writer (the site a failover fences) has no CA pin", () => {
    const twoSites = (pin: boolean) => buildTopology(parseProjectConfig(dev((r) => {
      r.sites.secondary = { cloud: "digitalocean", region: "syd1", cidr: "10.40.0.0/18" };
      if (pin) r.sites.primary.databaseCaCertificate = CA;
    }))).warnings;
    assert.deepEqual(twoSites(false).filter((w) => w.includes("is not pinned")), ["sites.primary is not pinned: a failover that fences it needs its MySQL cluster's CA without a call to sgp1; copy the stack output sites.primary.pins.databaseCaCertificate into sites.primary.databaseCaCertificate now"]);
    assert.deepEqual(twoSites(true).filter((w) => w.includes("is not pinned")), []);
  });

  it("fencing: a fenced DigitalOcean site's cluster CA comes from config, required by key; never on an AWS site", () => {
    const found = problems(dev((r) => {
      r.sites.secondary = { cloud: "digitalocean", region: "syd1", cidr: "10.40.0.0/18" };
      r.dr = { mode: "backup-restore", activeSite: "secondary", restoreFromDump: { key: DUMP } };
    }));
    assert.deepEqual(found, ["resilient-feed:sites.primary.databaseCaCertificate = (missing): is required while the primary is fenced (dr.activeSite: secondary): its region may be down, and the getDatabaseCa call there fails the whole run (allowed: the PEM the site runs, stack output sites.primary.pins.databaseCaCertificate from before the failover)"]);
    has(problems(dev((r) => (r.sites.primary.databaseCaCertificate = "not a certificate"))), 'resilient-feed:sites.primary.databaseCaCertificate = "not a certificate": must be one PEM certificate');
    const onAws = problems(dev((r) => (r.sites.secondary = { cloud: "aws", region: "ap-southeast-2", cidr: "10.40.0.0/16", databaseCaCertificate: CA })));
    has(onAws, "resilient-feed:sites.secondary.databaseCaCertificate = \"(a certificate)\": pins a DigitalOcean cluster's CA, and the secondary is on aws (allowed: only on digitalocean sites)");
  });
});
