import { strict as assert } from "node:assert";
import { evaluateStack } from "../../tools/plan/evaluate";
import { formatPlan } from "../../tools/plan/format";
import { wrap } from "../../tools/plan/layout";
import { placeResources } from "../../tools/plan/placement";
import type { PlanResult, PlannedResource } from "../../tools/plan/types";

// The plain plan a reviewer reads (issue 18 §5): it fits 120 columns, lists each resource with
// the component that creates it (no catch-all group), and opens with what each site runs.

const find = (p: PlanResult, type: string, name: string): PlannedResource => {
  const r = p.resources.find((x) => x.type === type && x.name === name);
  assert.ok(r, `${type} ${name} in the plan`);
  return r;
};

/** The `-- group` section of `text` holding `line`, as its lines. */
function groupOf(text: string, line: RegExp): string[] {
  const lines = text.split("\n");
  const at = lines.findIndex((l) => line.test(l));
  assert.ok(at >= 0, `no line ${line}`);
  let start = at;
  while (start > 0 && !/^(--|==) /.test(lines[start])) start--;
  let end = at + 1;
  while (end < lines.length && lines[end] !== "" && !/^(--|==) /.test(lines[end])) end++;
  return lines.slice(start, end);
}

describe("offline plan layout", function () {
  this.timeout(600_000);
  let prod: PlanResult;
  let failedOver: PlanResult;
  before(async () => {
    prod = await evaluateStack({ stack: "prod" });
    failedOver = await evaluateStack({ stack: "prod", activeSite: "secondary" });
  });

  it("every line fits 120 columns, also when the terminal is wider", () => {
    for (const [plan, width] of [[prod, 120], [prod, 250], [failedOver, 250], [prod, 80]] as const) {
      const text = formatPlan(plan, width);
      for (const line of text.split("\n")) assert.ok(line.length <= Math.min(width, 120), `${line.length} > ${width}: ${line}`);
      assert.ok(!text.includes("…"), "nothing is cut off");
    }
  });

  it("records each resource's parent from the registration", () => {
    const session = find(prod, "resilient-feed:aws:SessionSecret", "session");
    assert.equal(find(prod, "aws:secretsmanager/secretVersion:SecretVersion", "session").parentUrn, session.urn);
    assert.equal(find(prod, "aws:secretsmanager/secret:Secret", "session").parentUrn, session.urn);
    assert.equal(find(prod, "resilient-feed:aws:Site", "primary").parentUrn, find(prod, "resilient-feed:index:Deployment", "resilient-feed-prod").urn);
  });

  it("groups by component: no 'other' group, the session SecretVersion with its Secret", () => {
    const text = formatPlan(prod);
    const headers = text.split("\n").filter((l) => /^(--|==) /.test(l));
    assert.ok(headers.length > 10);
    for (const h of headers) assert.doesNotMatch(h, /\bother\b/, h);
    const session = groupOf(text, /^ {2}aws\.secretsmanager\.SecretVersion +session$/);
    assert.equal(session[0], "-- session (stack-wide SessionSecret)");
    assert.ok(session.some((l) => /^ {2}aws\.secretsmanager\.Secret +session$/.test(l)), session.join("\n"));
    assert.ok(session.some((l) => /^ {2}random\.RandomPassword +session$/.test(l)), session.join("\n"));
    // every custom resource is listed exactly once
    const listing = text.slice(text.indexOf("\n== "), text.indexOf("\nTotals"));
    const rows = listing.split("\n").filter((l) => /^ {2}\S+\.\S+ +\S/.test(l)).length;
    assert.equal(rows, prod.resources.filter((r) => r.custom).length);
  });

  it("a bucket policy is in its bucket's site, under the component that writes it", () => {
    const place = placeResources(prod);
    const at = (type: string, name: string) => place.get(find(prod, type, name).urn)!;
    for (const [policy, bucket, site] of [["cdn-static-primary", "primary-cdn-static", "primary"], ["cdn-static-standby", "secondary-cdn-static", "secondary"]]) {
      assert.equal(at("aws:s3/bucketPolicy:BucketPolicy", policy).site, site);
      assert.equal(at("aws:s3/bucket:Bucket", bucket).site, site);
      assert.equal(at("aws:s3/bucketPolicy:BucketPolicy", policy).group, "cdn");
    }
    // the ALB log bucket's policy sits with the load balancer that writes to the bucket
    assert.deepEqual(at("aws:s3/bucketPolicy:BucketPolicy", "primary-api-alb-logs"), { site: "primary", group: "primary-api", groupType: "ApiService", shared: false });
    const text = formatPlan(prod);
    const secondary = text.slice(text.indexOf("\n== secondary"), text.indexOf("\n== global"));
    assert.match(secondary, /^ {2}aws\.s3\.BucketPolicy +cdn-static-standby$/m);
  });

  it("opens with what each site runs and how the edge routes, from the plan itself", () => {
    const text = formatPlan(prod);
    const head = text.slice(0, text.indexOf("\n== "));
    assert.match(head, /^ {2}primary {4}aws ap-northeast-2: active, serves traffic$/m);
    assert.match(head, /^ {2}secondary {2}aws ap-northeast-1: standby, no traffic$/m);
    assert.match(head, /^ {4}api {7}m7g\.large, min 3 \/ desired 3 \/ max 12; scheduled weekday-peak 6\/6\/12/m);
    assert.match(head, /^ {4}api {7}m7g\.large, min 1 \/ desired 1 \/ max 12$/m);
    assert.match(head, /^ {4}database {2}writer: primary-db, db\.r6g\.large Multi-AZ \+ 2 read replicas \(db\.r6g\.large\)$/m);
    assert.match(head, /^ {4}database {2}replica: secondary-db of primary-db, db\.r6g\.large Multi-AZ$/m);
    assert.match(head, /^ {4}cache {5}primary-cache cache\.r7g\.large × 2, automatic failover$/m);
    assert.match(head, /^ {4}network {3}3 NAT gateways$/m);
    assert.match(head, /^ {2}failover\.feed\.example\.com → PRIMARY primary \(health-checked\), SECONDARY secondary \(health-checked\)$/m);
    // read from the resources, not from config: a changed launch template shows
    const edited = { ...prod, resources: prod.resources.map((r) => (r.type === "aws:ec2/launchTemplate:LaunchTemplate" && r.name === "secondary-api" ? { ...r, inputs: { ...r.inputs, instanceType: "c7g.xlarge" } } : r)) };
    assert.match(formatPlan(edited), /^ {4}api {7}c7g\.xlarge, min 1 \/ desired 1 \/ max 12$/m);
  });

  it("the failed-over plan's summary shows the fenced primary and the promoted secondary", () => {
    const head = formatPlan(failedOver).split("\n== ")[0];
    assert.match(head, /^ {2}primary {4}aws ap-northeast-2: standby, fenced, no traffic$/m);
    assert.match(head, /^ {4}database {2}fenced: primary-db, db\.r6g\.large Multi-AZ \+ 2 read replicas/m);
    assert.match(head, /^ {4}database {2}writer: secondary-db, db\.r6g\.large Multi-AZ \+ 2 read replicas/m);
    assert.match(head, /^warning: failed over without dr\.fencedRelease/m);
  });

  it("summarizes a DigitalOcean site from its droplet pool and managed databases", () => {
    const urn = (type: string, name: string) => `urn:pulumi:dev::resilient-feed::${type}::${name}`;
    const r = (type: string, name: string, inputs: Record<string, unknown>, parent?: string): PlannedResource => ({ urn: urn(type, name), type, name, inputs, custom: !type.startsWith("resilient-feed:"), region: typeof inputs.region === "string" ? inputs.region : undefined, ...(parent ? { parentUrn: parent } : {}) });
    const root = r("resilient-feed:index:Deployment", "resilient-feed-dev", { sites: { primary: { role: "active", servesTraffic: true, database: "writer" } } });
    const site = r("resilient-feed:digitalocean:Site", "primary", {}, root.urn);
    const dev: PlanResult = {
      stack: "dev", config: { sites: { primary: { region: "sgp1" } } }, invokes: [],
      outputs: { drMode: "backup-restore", activeSite: "primary", sites: { primary: { cloud: "digitalocean", region: "sgp1" } } },
      resources: [root, site,
        r("digitalocean:index/dropletAutoscale:DropletAutoscale", "primary-api", { config: { minInstances: 1, maxInstances: 2 }, dropletTemplate: { value: { size: "s-1vcpu-2gb", region: "sgp1" } } }, site.urn),
        r("digitalocean:index/databaseCluster:DatabaseCluster", "primary-db", { engine: "mysql", size: "db-s-1vcpu-2gb", nodeCount: 1, region: "sgp1" }, site.urn),
        r("digitalocean:index/databaseReplica:DatabaseReplica", "primary-db-read", { size: "db-s-1vcpu-2gb", region: "sgp1" }, site.urn),
        r("digitalocean:index/databaseCluster:DatabaseCluster", "primary-cache", { engine: "valkey", size: "db-s-1vcpu-1gb", nodeCount: 1, region: "sgp1" }, site.urn)],
    };
    const text = formatPlan(dev);
    assert.match(text, /^ {4}api {7}s-1vcpu-2gb droplets, min 1 \/ max 2$/m);
    assert.match(text, /^ {4}database {2}writer: primary-db mysql db-s-1vcpu-2gb × 1 \+ 1 read replica \(db-s-1vcpu-2gb\)$/m);
    assert.match(text, /^ {4}cache {5}primary-cache valkey db-s-1vcpu-1gb × 1$/m);
    assert.match(text, /^-- primary \(Site\)$/m);
  });

  it("wrap breaks a word wider than the line instead of cutting it", () => {
    const word = "x".repeat(25);
    const lines = wrap(`key ${word}`, 10, "", "  ");
    assert.ok(lines.every((l) => l.length <= 10), lines.join("|"));
    assert.equal(lines.join("").replace(/ /g, ""), `key${word}`);
  });
});
