import { strict as assert } from "node:assert";
import { evaluateStack } from "../../tools/plan/evaluate";
import type { PlannedResource, PlanResult } from "../../tools/plan/types";
import { reviewPlan } from "../../tools/policy-review/review";
import { allPolicies } from "../rules/all";
import { digitaloceanRules, doDatabaseFirewallNoAddress, doDatabaseHasFirewall, doFirewallNotOpen, doReleaseBucketPrivate, doReplicaHasFirewall } from "../rules/digitalocean";
import { find, variant } from "../../test/support/plan-variants";
import { checkResource, checkStack, type FakeResource } from "./util";

const API_TAG = "api:resilient-feed-dev-primary";
const TYPE = {
  firewall: "digitalocean:index/firewall:Firewall",
  databaseFirewall: "digitalocean:index/databaseFirewall:DatabaseFirewall",
  cluster: "digitalocean:index/databaseCluster:DatabaseCluster",
  replica: "digitalocean:index/databaseReplica:DatabaseReplica",
  bucket: "digitalocean:index/spacesBucket:SpacesBucket",
  object: "digitalocean:index/spacesBucketObject:SpacesBucketObject",
  bucketPolicy: "digitalocean:index/spacesBucketPolicy:SpacesBucketPolicy",
  cdn: "digitalocean:index/cdn:Cdn",
} as const;

describe("policies: DigitalOcean", () => {
  it("digitalocean-firewall-not-open: only the load balancer or internal sources", async () => {
    const fw = (inboundRules: unknown[]): FakeResource => ({ type: TYPE.firewall, name: "primary-net-api", stack: "dev", props: { inboundRules } });
    assert.deepEqual((await checkResource(doFirewallNotOpen, fw([{ protocol: "tcp", portRange: "8080", sourceLoadBalancerUids: ["lb-1"] }]))).violations, []);
    const open = await checkResource(doFirewallNotOpen, fw([{ protocol: "tcp", portRange: "22", sourceAddresses: ["0.0.0.0/0", "::/0"] }]));
    assert.match(open.violations[0], /^digitalocean:index\/Firewall "primary-net-api" inboundRules\[0\] admits tcp 22 from 0\.0\.0\.0\/0 and ::\/0\. Admit only the load balancer/);
  });

  it("digitalocean-database-firewall-no-address: rules trust a tag, droplet, k8s cluster or app, never an address", async () => {
    const dbfw = (rules: unknown[]): FakeResource => ({ type: TYPE.databaseFirewall, name: "primary-db-fw", stack: "dev", props: { clusterId: "c", rules } });
    const byResource = [{ type: "tag", value: API_TAG }, { type: "droplet", value: "4242" }, { type: "k8s", value: "k8s-uuid" }, { type: "app", value: "app-uuid" }];
    assert.deepEqual((await checkResource(doDatabaseFirewallNoAddress, dbfw(byResource))).violations, []);
    const fix = `Trust the API droplets' tag (type "tag"), or a droplet, k8s or app by id (allowed types: tag, droplet, k8s, app).`;
    const byAddress = await checkResource(doDatabaseFirewallNoAddress, dbfw([{ type: "tag", value: API_TAG }, { type: "ip_addr", value: "10.30.0.5" }, { type: "ip_addr", value: "0.0.0.0/0" }, { type: "ipAddr", value: "203.0.113.7" }]));
    assert.deepEqual(byAddress.violations, [
      `digitalocean:index/DatabaseFirewall "primary-db-fw" rules[1] trusts "ip_addr" "10.30.0.5": an address, not a resource. ${fix}`,
      `digitalocean:index/DatabaseFirewall "primary-db-fw" rules[2] trusts "ip_addr" "0.0.0.0/0", i.e. the whole internet: an address, not a resource. ${fix}`,
      `digitalocean:index/DatabaseFirewall "primary-db-fw" rules[3] trusts "ipAddr" "203.0.113.7": an address, not a resource. ${fix}`,
    ]);
    assert.match((await checkResource(doDatabaseFirewallNoAddress, dbfw([]))).violations[0], /has no rules; a managed database without trusted sources accepts connections from anywhere/);
  });

  it("digitalocean-database-has-firewall: every managed database cluster has a firewall", async () => {
    const cluster: FakeResource = { type: TYPE.cluster, name: "primary-db", stack: "dev", props: { engine: "mysql" } };
    const fw: FakeResource = { type: TYPE.databaseFirewall, name: "primary-db-fw", stack: "dev", props: { clusterId: "c-id", rules: [] }, deps: { clusterId: ["primary-db"] } };
    assert.deepEqual((await checkStack(doDatabaseHasFirewall, [cluster, fw])).violations, []);
    assert.match((await checkStack(doDatabaseHasFirewall, [cluster])).violations[0], /^digitalocean:index\/DatabaseCluster "primary-db" has no digitalocean\.DatabaseFirewall/);
  });

  describe("digitalocean-replica-has-firewall", () => {
    const cluster: FakeResource = { type: TYPE.cluster, name: "primary-db", stack: "dev", props: { engine: "mysql" } };
    const replica = (uuid?: string): FakeResource => ({ type: TYPE.replica, name: "primary-db-read", stack: "dev", props: { clusterId: "primary-db-id", ...(uuid ? { uuid } : {}) }, deps: { clusterId: ["primary-db"] } });
    const fw = (clusterId: string | undefined, from: string): FakeResource => ({ type: TYPE.databaseFirewall, name: "primary-db-read-fw", stack: "dev", props: { clusterId, rules: [{ type: "tag", value: API_TAG }] }, deps: { clusterId: [from] } });
    const message = `digitalocean:index/DatabaseReplica "primary-db-read" has no digitalocean.DatabaseFirewall keyed by its uuid, so the replica accepts connections from any address: a read-only node has its own trusted sources. ` +
      `Add one with clusterId: primary-db-read.uuid (not primary-db-read.clusterId, which is the cluster's) and rules trusting only the API droplets' tag.`;

    it("passes a firewall keyed by the replica's uuid: known and equal, or still unknown and taken from the replica", async () => {
      assert.deepEqual((await checkStack(doReplicaHasFirewall, [cluster, replica("r-uuid"), fw("r-uuid", "primary-db-read")])).violations, []);
      assert.deepEqual((await checkStack(doReplicaHasFirewall, [cluster, replica(), fw(undefined, "primary-db-read")])).violations, []);
    });

    it("fails a replica without a firewall, and one whose firewall is keyed by the cluster's id", async () => {
      const none = await checkStack(doReplicaHasFirewall, [cluster, replica("r-uuid")]);
      assert.deepEqual(none.violations, [message]);
      assert.deepEqual(none.urns, ["urn:pulumi:dev::resilient-feed::digitalocean:index/databaseReplica:DatabaseReplica::primary-db-read"]);
      // the replica's clusterId output is the cluster's id: the firewall would guard the cluster again
      assert.deepEqual((await checkStack(doReplicaHasFirewall, [cluster, replica(), fw("primary-db-id", "primary-db-read")])).violations, [message]);
      assert.deepEqual((await checkStack(doReplicaHasFirewall, [cluster, replica("r-uuid"), fw("other-uuid", "primary-db-read")])).violations, [message]);
      assert.match((await checkStack(doReplicaHasFirewall, [cluster])).notApplicable!, /no DigitalOcean database replicas/);
    });
  });

  describe("digitalocean-release-bucket-private", () => {
    const bucket = (name: string, acl?: string): FakeResource => ({ type: TYPE.bucket, name, stack: "dev", props: { name: `resilient-feed-dev-${name}`, region: "sgp1", ...(acl ? { acl } : {}) } });
    const cdn: FakeResource = { type: TYPE.cdn, name: "primary-static-cdn", stack: "dev", props: { origin: "resilient-feed-dev-primary-static.sgp1.digitaloceanspaces.com" } };
    const release = "primary-releases";

    it("passes the static site's public-read bucket behind a CDN endpoint and a private (or default) release bucket", async () => {
      assert.deepEqual((await checkStack(doReleaseBucketPrivate, [bucket("primary-static", "public-read"), cdn, bucket(release, "private")])).violations, []);
      assert.deepEqual((await checkStack(doReleaseBucketPrivate, [bucket("primary-static", "public-read"), cdn, bucket(release)])).violations, []);
      // the engine's property dependency names the origin bucket while its domain name is unknown
      const cdnByDependency: FakeResource = { ...cdn, props: {}, deps: { origin: ["primary-static"] } };
      assert.deepEqual((await checkStack(doReleaseBucketPrivate, [bucket("primary-static", "public-read"), cdnByDependency])).violations, []);
    });

    it("fails a public release bucket, a public object or an open bucket policy in it, and a public bucket no CDN serves", async () => {
      const publicRelease = await checkStack(doReleaseBucketPrivate, [bucket("primary-static", "public-read"), cdn, bucket(release, "public-read")]);
      assert.deepEqual(publicRelease.violations, [
        `digitalocean:index/SpacesBucket "${release}" is public-read but no CDN endpoint serves it: it holds private files (the release bundle), which anyone could download. ` +
        `Set acl: "private" (the droplets read it with their read-only Spaces key); only a bucket a digitalocean.Cdn serves (the static site's) may be public-read.`,
      ]);
      assert.deepEqual(publicRelease.urns, [`urn:pulumi:dev::resilient-feed::${TYPE.bucket}::${release}`]);
      const object: FakeResource = { type: TYPE.object, name: "primary-release-server", stack: "dev", props: { bucket: `resilient-feed-dev-${release}`, key: "releases/x/server.js", acl: "public-read" } };
      const openPolicy: FakeResource = {
        type: TYPE.bucketPolicy, name: "primary-release-policy", stack: "dev",
        props: { bucket: `resilient-feed-dev-${release}`, region: "sgp1", policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::x/*"] }] }) },
      };
      const inside = await checkStack(doReleaseBucketPrivate, [bucket(release, "private"), object, openPolicy]);
      assert.deepEqual(inside.violations, [
        `digitalocean:index/SpacesBucketObject "primary-release-server" in digitalocean:index/SpacesBucket "${release}", a bucket no CDN endpoint serves, is public-read: anyone could download it. Set the object's acl: "private".`,
        `digitalocean:index/SpacesBucketPolicy "primary-release-policy" on digitalocean:index/SpacesBucket "${release}", a bucket no CDN endpoint serves, allows anyone (Principal "*") in Statement[0]. Remove those statements; grant access with a Spaces key instead.`,
      ]);
      const uncovered = await checkStack(doReleaseBucketPrivate, [bucket("primary-static", "public-read")]);
      assert.match(uncovered.violations[0], /^digitalocean:index\/SpacesBucket "primary-static" is public-read but no CDN endpoint serves it/);
    });
  });
});

describe("policies: DigitalOcean over the dev plan", function () {
  this.timeout(300_000);
  let dev: PlanResult;
  const mandatory = async (plan: PlanResult) => (await reviewPlan(plan, allPolicies)).mandatory.map((v) => [v.policyName, v.resourceName]);
  const named = (type: string, name: string) => find(dev, `${type} ${name}`, (r) => r.type === type && r.name === name);

  before(async () => {
    dev = await evaluateStack({ stack: "dev" });
  });

  it("as shipped: every DigitalOcean rule runs (none is not applicable) and reports nothing", async () => {
    const review = await reviewPlan(dev, digitaloceanRules);
    assert.deepEqual(review.mandatory, []);
    assert.deepEqual(review.notApplicable.map((n) => n.policyName), []);
  });

  it("a database firewall rule by address: digitalocean-database-firewall-no-address only", async () => {
    const fw = named(TYPE.databaseFirewall, "primary-db-fw");
    // as shipped: the API tag, and the ops runner's droplet (grants as doadmin) by id
    assert.deepEqual(fw.inputs.rules, [{ type: "tag", value: API_TAG }, { type: "droplet", value: "primary-ops-id" }]);
    const broken = variant(dev, { target: fw, inputs: { rules: [...(fw.inputs.rules as unknown[]), { type: "ip_addr", value: "203.0.113.7" }] } });
    assert.deepEqual(await mandatory(broken), [["digitalocean-database-firewall-no-address", "primary-db-fw"]]);
  });

  it("a droplet firewall open to the world: digitalocean-firewall-not-open only", async () => {
    const fw = named(TYPE.firewall, "primary-api-fw");
    const ssh = { protocol: "tcp", portRange: "22", sourceAddresses: ["0.0.0.0/0", "::/0"] };
    const broken = variant(dev, { target: fw, inputs: { inboundRules: [...(fw.inputs.inboundRules as unknown[]), ssh] } });
    assert.deepEqual(await mandatory(broken), [["digitalocean-firewall-not-open", "primary-api-fw"]]);
  });

  it("a public release bucket: digitalocean-release-bucket-private only (the static bucket stays public-read)", async () => {
    const releaseBucket = named(TYPE.bucket, "primary-release");
    assert.deepEqual([releaseBucket.inputs.acl, named(TYPE.bucket, "primary-static").inputs.acl], ["private", "public-read"]);
    const broken = variant(dev, { target: releaseBucket, inputs: { acl: "public-read" } });
    assert.deepEqual(await mandatory(broken), [["digitalocean-release-bucket-private", "primary-release"]]);
  });

  it("a replica without its firewall, or with one keyed by the cluster's id: digitalocean-replica-has-firewall only", async () => {
    const fw = named(TYPE.databaseFirewall, "primary-db-read-fw");
    assert.equal(fw.inputs.clusterId, "primary-db-read-uuid");
    assert.deepEqual(await mandatory(variant(dev, { target: fw, inputs: null })), [["digitalocean-replica-has-firewall", "primary-db-read"]]);
    assert.deepEqual(await mandatory(variant(dev, { target: fw, inputs: { clusterId: "primary-db-id" } })), [["digitalocean-replica-has-firewall", "primary-db-read"]]);
  });

  it("the cache without its firewall: digitalocean-database-has-firewall only", async () => {
    const fw: PlannedResource = named(TYPE.databaseFirewall, "primary-cache-fw");
    assert.deepEqual(await mandatory(variant(dev, { target: fw, inputs: null })), [["digitalocean-database-has-firewall", "primary-cache"]]);
  });
});
