import { strict as assert } from "node:assert";
import { ConfigError, type ConfigProblem } from "../../infra/config/errors";
import { parseProjectConfig } from "../../infra/config/parse";
import { devOnAws, prodWith, stackRaw } from "../support/config-fixtures";

// The rules that were once only a component's `throw` (infra/config/component-rules.ts,
// docs/component-invariants.md): each refuses the config with one problem naming key and value,
// and accepts the neighbouring configs the components build.

function problems(raw: Record<string, unknown>): readonly ConfigProblem[] {
  try {
    parseProjectConfig(raw);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    return e.problems;
  }
  return [];
}

/** exactly one problem, on `key` with `value`, whose message matches */
function assertOne(raw: Record<string, unknown>, key: string, value: unknown, message: RegExp): void {
  const found = problems(raw);
  assert.equal(found.length, 1, `one problem, got:\n${found.map((p) => `${p.key}: ${p.message}`).join("\n")}`);
  assert.equal(found[0].key, `resilient-feed:${key}`);
  assert.deepEqual(found[0].value, value);
  assert.match(found[0].message, message);
  assert.match(found[0].message, /\(allowed[^:()]*: [^)]+\)$/);
}

function assertAccepted(raw: Record<string, unknown>): void {
  assert.deepEqual(problems(raw).map((p) => `${p.key}: ${p.message}`), []);
}

const SECONDARY_AWS = { cloud: "aws", region: "ap-northeast-1", cidr: "10.40.0.0/16" };
const SEOUL_CERT = "arn:aws:acm:ap-northeast-2:123456789012:certificate/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
const TOKYO_CERT = "arn:aws:acm:ap-northeast-1:123456789012:certificate/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";

/** dev on two AWS sites behind the shipped Cloudflare edge, in `mode` */
function devTwoAwsSites(mode: string, edit: (raw: Record<string, any>) => void = () => {}): Record<string, any> {
  const raw = stackRaw("dev");
  raw.sites = { primary: { cloud: "aws", region: "ap-northeast-2", cidr: "10.30.0.0/16" }, secondary: { ...SECONDARY_AWS } };
  raw.dr = { mode, activeSite: "primary" };
  edit(raw);
  return raw;
}

describe("config: rules the components need (component-rules.ts)", () => {
  describe("database.multiAz: a prod cross-region replica may be promoted", () => {
    for (const mode of ["pilot-light", "warm-standby", "active-active"]) {
      it(`refuses false in prod with ${mode}`, () => {
        assertOne(prodWith((c) => ((c.dr.mode = mode), (c.database.multiAz = false))), "database.multiAz", false, new RegExp(`dr\\.mode ${mode} keeps a cross-region replica .* Multi-AZ .*allowed in prod with ${mode}: true; false only with dr\\.mode backup-restore`));
      });
    }
    it("refuses it in every state of the mode: failed over, and re-seeded", () => {
      assertOne(prodWith((c) => ((c.dr.activeSite = "secondary"), (c.database.multiAz = false))), "database.multiAz", false, /Multi-AZ/);
      assertOne(prodWith((c) => ((c.dr.activeSite = "secondary"), (c.dr.databaseGeneration = { primary: 1 }), (c.database.multiAz = false))), "database.multiAz", false, /Multi-AZ/);
    });
    it("accepts false in prod backup-restore (no replica) and in dev with a replica", () => {
      assertAccepted(prodWith((c) => ((c.dr.mode = "backup-restore"), (c.database.multiAz = false))));
      assertAccepted(devTwoAwsSites("warm-standby", (c) => (c.database = { multiAz: false })));
    });
  });

  describe("sites.<site>.azCount: an AWS site needs 2 AZs", () => {
    it("refuses 1 on the dev AWS writer", () => {
      const raw = devOnAws();
      raw.sites.primary.azCount = 1;
      assertOne(raw, "sites.primary.azCount", 1, /RDS subnet group and load balancer need subnets in at least 2 availability zones.*allowed on aws: 2\.\.3; 1 only on digitalocean/);
    });
    it("refuses 1 on an AWS standby, a replica's or a backup-restore one's (it becomes the writer on failover)", () => {
      for (const mode of ["warm-standby", "backup-restore"]) {
        assertOne(devTwoAwsSites(mode, (c) => (c.sites.secondary.azCount = 1)), "sites.secondary.azCount", 1, /allowed on aws: 2\.\.3/);
      }
    });
    it("accepts 2 on AWS and 1 on DigitalOcean; prod keeps its own message", () => {
      assertAccepted(devTwoAwsSites("warm-standby", (c) => (c.sites.secondary.azCount = 2)));
      assertAccepted(stackRaw("dev"));
      assertOne(prodWith((c) => ((c.sites.primary.azCount = 1), delete c.sites.primary.availabilityZones)), "sites.primary.azCount", 1, /prod needs at least 2 availability zones per site/);
    });
  });

  describe("api: the Auto Scaling group's bounds", () => {
    const schedule = (max: number) => ({ name: "peak", recurrence: "0 4 * * MON-FRI", min: 3, max, desired: 3 });
    it("refuses a schedule whose max exceeds api.maxSize", () => {
      assertOne(prodWith((c) => (c.api.schedules = [schedule(12), schedule(20)])), "api.schedules[1].max", 20, /exceeds api\.maxSize 12, .*allowed: 0\.\.12, or raise api\.maxSize/);
    });
    it("accepts a schedule up to api.maxSize", () => {
      assertAccepted(prodWith((c) => (c.api.schedules = [schedule(12)])));
    });
    it("refuses an api.minSize above 100 when api.maxSize is unset (it follows minSize)", () => {
      assertOne(prodWith((c) => ((c.api.minSize = 150), delete c.api.maxSize, (c.api.schedules = []))), "api.minSize", 150, /leaves api\.maxSize unset.*allowed: 1\.\.100/);
      assertAccepted(prodWith((c) => ((c.api.minSize = 100), delete c.api.maxSize, (c.api.schedules = []))));
    });
  });

  describe("sites.<site>.certificateArn: one Cloudflare monitor checks both sites", () => {
    const cert = (c: Record<string, any>, site: "primary" | "secondary") => {
      c.sites[site].certificateArn = site === "primary" ? SEOUL_CERT : TOKYO_CERT;
      c.sites[site].certificateDomains = ["dev.feed.example.com"];
    };
    it("refuses HTTPS on one site and HTTP on the other when the edge routes to both, naming the site without", () => {
      assertOne(devTwoAwsSites("warm-standby", (c) => cert(c, "primary")), "sites.secondary.certificateArn", undefined, /one monitor .*the primary's serves HTTPS.*allowed: an ACM certificate ARN from ap-northeast-1 covering dev\.feed\.example\.com, or no certificate on either site/);
      assertOne(devTwoAwsSites("pilot-light", (c) => cert(c, "secondary")), "sites.primary.certificateArn", undefined, /the secondary's serves HTTPS/);
    });
    it("accepts both or neither, and a backup-restore standby (the edge routes to the writer only)", () => {
      assertAccepted(devTwoAwsSites("warm-standby", (c) => (cert(c, "primary"), cert(c, "secondary"))));
      assertAccepted(devTwoAwsSites("active-active"));
      assertAccepted(devTwoAwsSites("backup-restore", (c) => cert(c, "primary")));
    });
  });
});
