import { strict as assert } from "node:assert";
import { parseProjectConfig } from "../../infra/config/parse";
import { devOnAws, prodWith, stackRaw, rejection } from "../support/config-fixtures";


describe("stack config validation", () => {
  it("accepts the shipped prod and dev stacks and the dev-on-AWS variant", () => {
    const prod = parseProjectConfig(stackRaw("prod"));
    assert.equal(prod.dr.mode, "warm-standby");
    assert.equal(prod.sites.secondary?.region, "ap-northeast-1");
    assert.equal(prod.network.natGateways, "per-az");
    const dev = parseProjectConfig(stackRaw("dev"));
    assert.equal(dev.sites.primary.cloud, "digitalocean");
    assert.equal(dev.sites.primary.azCount, 1);
    const devAws = parseProjectConfig(devOnAws());
    assert.equal(devAws.sites.primary.azCount, 2);
    assert.equal(devAws.network.natGateways, "single");
    assert.equal(devAws.database.backupRetentionDays, 1);
  });

  it("rejects an unknown DR mode, naming key, value and allowed modes", () => {
    const msg = rejection(prodWith((c) => (c.dr.mode = "hot-standby")));
    assert.match(msg, /resilient-feed:dr\.mode = "hot-standby": not allowed \(allowed: backup-restore \| pilot-light \| warm-standby \| active-active\)/);
  });

  it("rejects an unknown cloud", () => {
    const msg = rejection(prodWith((c) => (c.sites.secondary.cloud = "gcp")));
    assert.match(msg, /resilient-feed:sites\.secondary\.cloud = "gcp": not allowed \(allowed: aws \| digitalocean\)/);
  });

  it("rejects a malformed CIDR", () => {
    assert.match(rejection(prodWith((c) => (c.sites.primary.cidr = "10.10.0.0/33"))), /resilient-feed:sites\.primary\.cidr = "10\.10\.0\.0\/33": is not an IPv4 CIDR/);
    assert.match(rejection(prodWith((c) => (c.sites.primary.cidr = "10.300.0.0/16"))), /sites\.primary\.cidr = "10\.300\.0\.0\/16": is not an IPv4 CIDR/);
    assert.match(rejection(prodWith((c) => (c.sites.primary.cidr = "10.10.1.0/16"))), /has host bits set \(allowed: a network address, e\.g\. 10\.10\.0\.0\/16\)/);
    assert.match(rejection(prodWith((c) => (c.sites.primary.cidr = "10.10.0.0/24"))), /has prefix \/24 \(allowed: \/16 to \/20/);
  });

  it("dr.databaseGeneration: one step apart, integers, replicating modes only; each message names key, value and what is allowed", () => {
    assert.match(rejection(prodWith((c) => (c.dr.databaseGeneration = { primary: 0, secondary: 1 }))), /resilient-feed:dr\.databaseGeneration\.primary = 0: must equal dr\.databaseGeneration\.secondary \(1\) or be one more.*\(allowed: 1 or 2\)/);
    assert.match(rejection(prodWith((c) => (c.dr.databaseGeneration = { primary: 3, secondary: 1 }))), /dr\.databaseGeneration\.primary = 3: .*\(allowed: 1 or 2\)/);
    assert.match(rejection(prodWith((c) => (c.dr.databaseGeneration = { primary: 1.5 }))), /resilient-feed:dr\.databaseGeneration\.primary = 1\.5/);
    assert.match(rejection(prodWith((c) => (c.dr.databaseGeneration = { primary: -1 }))), /resilient-feed:dr\.databaseGeneration\.primary = -1/);
    const br = rejection(prodWith((c) => ((c.dr.mode = "backup-restore"), (c.dr.databaseGeneration = { primary: 1 }))));
    assert.match(br, /resilient-feed:dr\.databaseGeneration = \{"primary":1,"secondary":0\}: re-seeds a site .*dr\.mode is backup-restore \(allowed here: \{ primary: 0, secondary: 0 \}\)/);
    const ok = parseProjectConfig(prodWith((c) => ((c.dr.activeSite = "secondary"), (c.dr.databaseGeneration = { primary: 1 }))));
    assert.deepEqual(ok.dr.databaseGeneration, { primary: 1, secondary: 0 });
    assert.deepEqual(parseProjectConfig(stackRaw("prod")).dr.databaseGeneration, { primary: 0, secondary: 0 });
  });

  it("rejects overlapping site CIDRs", () => {
    const msg = rejection(prodWith((c) => (c.sites.secondary.cidr = "10.10.128.0/17")));
    assert.match(msg, /resilient-feed:sites\.secondary\.cidr = "10\.10\.128\.0\/17": overlaps the primary site's 10\.10\.0\.0\/16/);
  });

  it("rejects a secondary region equal to the primary's on the same cloud", () => {
    const msg = rejection(prodWith((c) => (c.sites.secondary.region = "ap-northeast-2")));
    assert.match(msg, /resilient-feed:sites\.secondary\.region = "ap-northeast-2": equals the primary site's region on the same cloud/);
  });

  it("rejects azCount < 2 in prod and > the region's AZs", () => {
    assert.match(rejection(prodWith((c) => (c.sites.primary.azCount = 1))), /resilient-feed:sites\.primary\.azCount = 1: prod needs at least 2 availability zones per site \(allowed: 2\.\.4\)/);
    assert.match(rejection(prodWith((c) => (c.sites.secondary.azCount = 4))), /resilient-feed:sites\.secondary\.azCount = 4: ap-northeast-1 has only 3 availability zones \(allowed: 1\.\.3\)/);
  });

  it("rejects an unknown region", () => {
    assert.match(rejection(prodWith((c) => (c.sites.primary.region = "ap-northeast-9"))), /sites\.primary\.region = "ap-northeast-9": not a known aws region \(allowed: us-east-1, /);
  });

  for (const mode of ["pilot-light", "warm-standby", "active-active"]) {
    it(`rejects ${mode} without a secondary site`, () => {
      const msg = rejection(prodWith((c) => {
        delete c.sites.secondary;
        c.dr.mode = mode;
      }));
      assert.match(msg, new RegExp(`resilient-feed:dr\\.mode = "${mode}": needs a standby site, but sites\\.secondary is not set \\(allowed without a secondary: backup-restore\\)`));
    });
  }

  it("rejects activeSite: secondary without a secondary site", () => {
    const raw = stackRaw("dev");
    raw.dr.activeSite = "secondary";
    assert.match(rejection(raw), /resilient-feed:dr\.activeSite = "secondary": points at sites\.secondary, which is not set \(allowed: primary\)/);
  });

  it("rejects a replicating mode across two clouds, saying there is no replication path", () => {
    const msg = rejection(prodWith((c) => (c.sites.secondary = { cloud: "digitalocean", region: "sgp1", cidr: "10.40.0.0/16", azCount: 1 })));
    assert.match(msg, /resilient-feed:dr\.mode = "warm-standby": replicates the database to the standby, but the sites are on aws and digitalocean: there is no managed replication path between clouds/);
  });

  it("allows backup-restore across clouds", () => {
    const raw = stackRaw("dev");
    raw.sites.secondary = { cloud: "aws", region: "ap-southeast-1", cidr: "10.40.0.0/16", azCount: 2 };
    assert.equal(parseProjectConfig(raw).sites.secondary?.cloud, "aws");
  });

  it("rejects api min > max", () => {
    const msg = rejection(prodWith((c) => ((c.api.minSize = 8), (c.api.maxSize = 4))));
    assert.match(msg, /resilient-feed:api\.minSize = 8: is greater than api\.maxSize 4 \(allowed: 1\.\.4\)/);
  });

  it("rejects backup retention outside 1..35", () => {
    assert.match(rejection(prodWith((c) => (c.database.backupRetentionDays = 0))), /resilient-feed:database\.backupRetentionDays = 0: outside what RDS keeps \(allowed: 1\.\.35 days/);
    assert.match(rejection(prodWith((c) => (c.database.backupRetentionDays = 36))), /resilient-feed:database\.backupRetentionDays = 36: outside what RDS keeps/);
    assert.match(rejection(prodWith((c) => (c.database.backupRetentionDays = 3))), /backupRetentionDays = 3: too short for prod \(allowed: 7\.\.35\)/);
  });

  it("rejects an unknown key in a structured object, listing the allowed keys", () => {
    const msg = rejection(prodWith((c) => (c.sites.primary.azcount = 3)));
    assert.match(msg, /^  - resilient-feed:sites\.primary\.azcount = 3: unknown key \(allowed keys: cloud, region, cidr, azCount, certificateArn, certificateDomains, amiId, availabilityZones, prefixLists, databaseCaCertificate\)$/m);
    // a top-level key: the key, then its value (not the namespace alone with the key as the value)
    const top = rejection(prodWith((c) => (c.monitoring = { enabled: true })));
    assert.match(top, /^  - resilient-feed:monitoring = \{"enabled":true\}: unknown key \(allowed keys: environment, sites, dr, edge, network, api, database, cache, cdn, alerts, digitalocean\)$/m);
    // two unknown keys in one object: one line each
    const two = rejection(prodWith((c) => ((c.api.minsize = 2), (c.api.maxsize = 4))));
    assert.match(two, /2 problems/);
    assert.match(two, /resilient-feed:api\.minsize = 2: unknown key/);
    assert.match(two, /resilient-feed:api\.maxsize = 4: unknown key/);
  });

  it("checks each cron field's range in api.schedules[].recurrence", () => {
    const msg = rejection(prodWith((c) => (c.api.schedules = [{ name: "peak", recurrence: "99 99 99 99 99", min: 3, max: 6, desired: 3 }])));
    assert.match(msg, /1 problem\b/);
    assert.match(msg, /resilient-feed:api\.schedules\[0\]\.recurrence = "99 99 99 99 99": minute "99" is outside 0\.\.59; hour "99" is outside 0\.\.23; day of month "99" is outside 1\.\.31; month "99" is outside 1\.\.12; day of week "99" is outside 0\.\.6 \(allowed: 5 fields: minute 0-59, hour 0-23, day of month 1-31, month 1-12 or JAN-DEC, day of week 0-6 or SUN-SAT; each \*, N, N-M, \*\/S or N-M\/S, or a comma list of those; in UTC\)/);
    assert.match(rejection(prodWith((c) => (c.api.schedules = [{ name: "x", recurrence: "0 8 * *", min: 1, max: 2, desired: 1 }]))), /recurrence = "0 8 \* \*": has 4 fields, not 5/);
    assert.match(rejection(prodWith((c) => (c.api.schedules = [{ name: "x", recurrence: "0 18-9 * * MON-FUN", min: 1, max: 2, desired: 1 }]))), /recurrence = "0 18-9 \* \* MON-FUN": hour "18-9" has a range that runs backwards; day of week "MON-FUN" has "FUN", not a number or name \(allowed: 0\.\.6 or SUN\.\.SAT\)/);
    for (const ok of ["0 8 * * 1-5", "*/15 0-6/2 1,15 JAN-jun MON-FRI", "30 0 1 1,6,12 *"]) {
      assert.equal(parseProjectConfig(prodWith((c) => (c.api.schedules = [{ name: "ok", recurrence: ok, min: 3, max: 6, desired: 3 }]))).api.schedules[0].recurrence, ok);
    }
  });

  it("reports every problem in one pass: a schema error does not hide a cross-key rule", () => {
    const seoul = "arn:aws:acm:ap-northeast-2:123456789012:certificate/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
    const msg = rejection(prodWith((c) => {
      c.dr.mode = "cold";
      c.api.port = "8080";
      c.cdn.certificateArn = seoul;
      c.sites.secondary.cidr = "10.10.0.0/16";
      c.database.backupRetentionDays = 3;
    }));
    assert.match(msg, /5 problems/);
    assert.match(msg, /resilient-feed:dr\.mode = "cold": not allowed/);
    assert.match(msg, /resilient-feed:api\.port = "8080": wrong type/);
    assert.match(msg, /resilient-feed:cdn\.certificateArn = "arn:aws:acm:ap-northeast-2:[^"]+": is in ap-northeast-2, but CloudFront only uses certificates from us-east-1/);
    assert.match(msg, /resilient-feed:sites\.secondary\.cidr = "10\.10\.0\.0\/16": overlaps the primary site's 10\.10\.0\.0\/16/);
    assert.match(msg, /resilient-feed:database\.backupRetentionDays = 3: too short for prod/);
  });

  it("min > max blames minSize only, not a desiredSize the user never set", () => {
    const msg = rejection(prodWith((c) => ((c.api.minSize = 10), (c.api.maxSize = 5), delete c.api.desiredSize)));
    assert.match(msg, /1 problem\b/);
    assert.match(msg, /resilient-feed:api\.minSize = 10: is greater than api\.maxSize 5 \(allowed: 1\.\.5\)/);
    assert.doesNotMatch(msg, /desiredSize|10\.\.5/);
    // a desiredSize the user did set, outside a valid range, is still reported
    assert.match(rejection(prodWith((c) => ((c.api.minSize = 2), (c.api.maxSize = 5), (c.api.desiredSize = 9)))), /resilient-feed:api\.desiredSize = 9: must be within api\.minSize\.\.api\.maxSize \(allowed: 2\.\.5\)/);
  });

  it("rejects a certificate from another region and a prod AWS site without one", () => {
    const tokyoCert = "arn:aws:acm:ap-northeast-1:123456789012:certificate/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
    assert.match(rejection(prodWith((c) => (c.sites.primary.certificateArn = tokyoCert))), /resilient-feed:sites\.primary\.certificateArn = "arn:aws:acm:ap-northeast-1:[^"]+": is in ap-northeast-1, but ACM certificates are regional and the primary load balancer is in ap-northeast-2 \(allowed: a certificate from ap-northeast-2\)/);
    assert.match(rejection(prodWith((c) => delete c.sites.secondary.certificateArn)), /resilient-feed:sites\.secondary\.certificateArn = \(missing\): prod serves HTTPS only/);
    assert.match(rejection(prodWith((c) => (c.sites.primary.certificateArn = "arn:aws:iam::1:cert"))), /sites\.primary\.certificateArn = "arn:aws:iam::1:cert": must be an ACM certificate ARN/);
  });

  it("rejects a CloudFront certificate outside us-east-1 and a prod stack without one", () => {
    const seoul = "arn:aws:acm:ap-northeast-2:123456789012:certificate/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
    assert.match(rejection(prodWith((c) => (c.cdn.certificateArn = seoul))), /resilient-feed:cdn\.certificateArn = "arn:aws:acm:ap-northeast-2:[^"]+": is in ap-northeast-2, but CloudFront only uses certificates from us-east-1/);
    assert.match(rejection(prodWith((c) => delete c.cdn.certificateArn)), /resilient-feed:cdn\.certificateArn = \(missing\): prod needs a viewer certificate so CloudFront can enforce TLS ≥ 1\.2/);
  });

  it("rejects a wrong type and reports every problem at once", () => {
    const msg = rejection(prodWith((c) => {
      c.api.port = "8080";
      c.dr.mode = "cold";
    }));
    assert.match(msg, /2 problems/);
    assert.match(msg, /resilient-feed:api\.port = "8080": wrong type \(expected number\)/);
    assert.match(msg, /resilient-feed:dr\.mode = "cold"/);
  });

  it("rejects geo rules outside active-active and a missing required key", () => {
    assert.match(rejection(prodWith((c) => (c.edge.geo = [{ country: "JP", site: "secondary" }]))), /resilient-feed:edge\.geo = 1: geo routing sends users to both sites, which only active-active serves/);
    assert.match(rejection(prodWith((c) => delete c.environment)), /resilient-feed:environment = \(missing\): /);
  });
});
