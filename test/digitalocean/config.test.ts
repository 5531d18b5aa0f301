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

  it("failed over onto a DigitalOcean secondary: dr.restoreFromBackup required, and the restored cluster carries it", () => {
    const failover = (restore?: object) => dev((r) => {
      r.sites.secondary = { cloud: "digitalocean", region: "syd1", cidr: "10.40.0.0/18" };
      r.dr = { mode: "backup-restore", activeSite: "secondary", ...(restore ? { restoreFromBackup: restore } : {}) };
    });
    has(problems(failover()), "resilient-feed:dr.restoreFromBackup = (missing): is required to fail over in backup-restore onto the digitalocean secondary");
    const t = buildTopology(parseProjectConfig(failover({ databaseName: "resilient-feed-dev-restore" })));
    const s = t.sites.find((x) => x.key === "secondary")!;
    assert.deepEqual([s.database.role, s.database.origin, s.database.restoreFromBackup], ["writer", "restored", { databaseName: "resilient-feed-dev-restore" }]);
    has(problems(dev((r) => (r.dr = { mode: "backup-restore", activeSite: "primary", restoreFromBackup: { databaseName: "x-restore" } }))), 'resilient-feed:dr.restoreFromBackup = {"databaseName":"x-restore"}: names a DigitalOcean backup');
  });
});
