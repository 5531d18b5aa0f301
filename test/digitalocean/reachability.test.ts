import { strict as assert } from "node:assert";
import { evaluateStack } from "../../tools/plan/evaluate";
import { CLOUDFLARE_IPV4_SAMPLE } from "../../tools/plan/mocks";
import { apiDropletTags, dataStoreExposure, dropletExposure, loadBalancerExposure, opsRunnerExposure, siteLoadBalancer } from "../../tools/plan/reachability-digitalocean";
import type { PlanResult } from "../../tools/plan/types";
import { find, variant } from "../support/plan-variants";

// Reachability of the dev stack's DigitalOcean site (tools/plan/reachability-digitalocean.ts), as
// test/aws/network.test.ts does for AWS: no path as shipped, and each hole a broken variant opens
// is found with its exact reason.

const API_TAG = "api:resilient-feed-dev-primary";
/** the one other client of the writer: the ops runner's droplet (grants, dumps, restores), by id */
const RUNNER = { "primary-db": [{ type: "droplet", value: "primary-ops-id" }] };
const T = {
  firewall: "digitalocean:index/firewall:Firewall",
  databaseFirewall: "digitalocean:index/databaseFirewall:DatabaseFirewall",
  loadBalancer: "digitalocean:index/loadBalancer:LoadBalancer",
} as const;

describe("digitalocean: reachability of the dev site", function () {
  this.timeout(300_000);
  let dev: PlanResult;
  const named = (type: string, name: string) => find(dev, `${type} ${name}`, (r) => r.type === type && r.name === name);
  const edited = (type: string, name: string, inputs: Record<string, unknown> | null) => variant(dev, { target: named(type, name), inputs });

  before(async () => {
    dev = await evaluateStack({ stack: "dev" });
  });

  it("finds the site's parts: the pool's droplet tags and the load balancer joining them", () => {
    assert.deepEqual(apiDropletTags(dev, "primary"), [API_TAG, "project:resilient-feed", "environment:dev", "site:primary", "tier:api"]);
    assert.equal(siteLoadBalancer(dev, "primary")?.name, "primary-lb");
    assert.deepEqual(dataStoreExposure(dev, "secondary"), ["no load balancer joins the API droplets of secondary: the API tag is unknown"]);
    assert.deepEqual(dropletExposure(dev, "secondary"), ["no API pool found for secondary"]);
  });

  it("as shipped: MySQL, its replica and Valkey only from the API tag; the droplets only from the load balancer; the load balancer only from Cloudflare", () => {
    assert.deepEqual(dataStoreExposure(dev, "primary", RUNNER), []);
    assert.deepEqual(dropletExposure(dev, "primary"), []);
    assert.deepEqual(opsRunnerExposure(dev, "primary"), []);
    assert.deepEqual(loadBalancerExposure(dev, "primary", CLOUDFLARE_IPV4_SAMPLE), []);
  });

  describe("the data stores", () => {
    it("the ops runner's droplet is a path to the writer, and only there: found unless allowed on that store", () => {
      const runner = named("digitalocean:index/droplet:Droplet", "primary-ops");
      assert.ok((runner.inputs.tags as string[]).includes("tier:ops"));
      assert.deepEqual(dataStoreExposure(dev, "primary"), ["primary-db-fw rules[1]: droplet primary-ops-id may connect to primary-db"]);
      assert.deepEqual(dataStoreExposure(dev, "primary", { "primary-cache": RUNNER["primary-db"] }), ["primary-db-fw rules[1]: droplet primary-ops-id may connect to primary-db"]);
      const onCache = edited(T.databaseFirewall, "primary-cache-fw", { rules: [{ type: "tag", value: API_TAG }, ...RUNNER["primary-db"]] });
      assert.deepEqual(dataStoreExposure(onCache, "primary", RUNNER), ["primary-cache-fw rules[1]: droplet primary-ops-id may connect to primary-cache"]);
    });

    it("a rule by address or a broader tag: each rule found", () => {
      const rules = named(T.databaseFirewall, "primary-db-fw").inputs.rules as unknown[];
      const writer = edited(T.databaseFirewall, "primary-db-fw", { rules: [...rules, { type: "ip_addr", value: "203.0.113.7" }] });
      assert.deepEqual(dataStoreExposure(writer, "primary", RUNNER), ["primary-db-fw rules[2]: ip_addr 203.0.113.7 may connect to primary-db"]);
      // every droplet of the environment is not the API
      const cache = edited(T.databaseFirewall, "primary-cache-fw", { rules: [{ type: "tag", value: "environment:dev" }] });
      assert.deepEqual(dataStoreExposure(cache, "primary", RUNNER), ["primary-cache-fw rules[0]: tag environment:dev may connect to primary-cache"]);
    });

    it("a replica whose firewall is keyed by the cluster's id: the replica is open and the cluster has two firewalls", () => {
      const miskeyed = edited(T.databaseFirewall, "primary-db-read-fw", { clusterId: "primary-db-id" });
      assert.deepEqual(dataStoreExposure(miskeyed, "primary", RUNNER), [
        "primary-db: 2 database firewalls (primary-db-fw, primary-db-read-fw), each replacing the other's rules",
        "primary-db-read: no database firewall, so it accepts connections from any address",
      ]);
      assert.deepEqual(dataStoreExposure(edited(T.databaseFirewall, "primary-cache-fw", null), "primary", RUNNER), ["primary-cache: no database firewall, so it accepts connections from any address"]);
    });
  });

  describe("the droplets", () => {
    const inbound = () => named(T.firewall, "primary-api-fw").inputs.inboundRules as unknown[];

    it("SSH from the world, a source tag, or the load balancer to every port: each rule found", () => {
      const holes = edited(T.firewall, "primary-api-fw", {
        inboundRules: [
          { protocol: "tcp", portRange: "1-65535", sourceLoadBalancerUids: ["primary-lb-id"] },
          { protocol: "tcp", portRange: "22", sourceAddresses: ["0.0.0.0/0", "::/0"] },
          { protocol: "tcp", portRange: "8080", sourceTags: ["environment:dev"] },
          { protocol: "tcp", portRange: "8080", sourceLoadBalancerUids: ["other-lb-id"] },
          { protocol: "tcp", portRange: "22", sourceAddresses: ["0.0.0.0/0"], action: "deny" },
        ],
      });
      assert.deepEqual(dropletExposure(holes, "primary"), [
        "primary-api-fw inboundRules[0]: tcp 1-65535 from the load balancer, which sends only to tcp 8080",
        "primary-api-fw inboundRules[1]: tcp 22 from sourceAddresses 0.0.0.0/0, ::/0",
        "primary-api-fw inboundRules[2]: tcp 8080 from sourceTags environment:dev",
        "primary-api-fw inboundRules[3]: tcp 8080 from load balancers other-lb-id",
      ]);
      assert.deepEqual(inbound(), [{ protocol: "tcp", portRange: "8080", sourceLoadBalancerUids: ["primary-lb-id"] }]);
    });

    it("a firewall on none of the droplets' tags: nothing guards them", () => {
      const detached = edited(T.firewall, "primary-api-fw", { tags: ["api:someone-else"] });
      assert.deepEqual(dropletExposure(detached, "primary"), [
        `no cloud firewall on the API droplets (tags ${API_TAG}, project:resilient-feed, environment:dev, site:primary, tier:api): every port of their public interface is open`,
      ]);
    });
  });

  describe("the ops runner", () => {
    it("any inbound rule on its firewall, or no firewall on it: found", () => {
      assert.deepEqual(named(T.firewall, "primary-ops-fw").inputs.inboundRules ?? [], []);
      const ssh = edited(T.firewall, "primary-ops-fw", { inboundRules: [{ protocol: "tcp", portRange: "22", sourceTags: ["environment:dev"] }, { protocol: "tcp", portRange: "22", sourceAddresses: ["0.0.0.0/0"], action: "deny" }] });
      assert.deepEqual(opsRunnerExposure(ssh, "primary"), ["primary-ops-fw inboundRules[0]: tcp 22 admits traffic to primary-ops"]);
      assert.deepEqual(opsRunnerExposure(edited(T.firewall, "primary-ops-fw", { tags: ["ops:someone-else"] }), "primary"), ["primary-ops: no cloud firewall, so every port of its public interface is open"]);
      assert.deepEqual(opsRunnerExposure(dev, "secondary"), ["no ops runner found for secondary"]);
    });
  });

  describe("the load balancer", () => {
    const allows = (list: string[] | null) => edited(T.loadBalancer, "primary-lb", { firewall: list === null ? undefined : { allows: list } });

    it("a source outside Cloudflare's ranges, or no allow list: found; an address inside a range is not", () => {
      const cloudflare = CLOUDFLARE_IPV4_SAMPLE.map((c) => `cidr:${c}`);
      assert.deepEqual(loadBalancerExposure(allows([...cloudflare, "ip:173.245.48.1", "cidr:0.0.0.0/0", "ip:203.0.113.7"]), "primary", CLOUDFLARE_IPV4_SAMPLE), [
        "primary-lb firewall allows cidr:0.0.0.0/0, outside Cloudflare's ranges",
        "primary-lb firewall allows ip:203.0.113.7, outside Cloudflare's ranges",
      ]);
      assert.deepEqual(loadBalancerExposure(allows(null), "primary", CLOUDFLARE_IPV4_SAMPLE), ["primary-lb: no firewall allow list, so any address reaches it around the Cloudflare edge"]);
      // checked against the ranges given: the sample's second range removed, its allow entry is a hole
      assert.deepEqual(loadBalancerExposure(dev, "primary", [CLOUDFLARE_IPV4_SAMPLE[0]]), [`primary-lb firewall allows cidr:${CLOUDFLARE_IPV4_SAMPLE[1]}, outside Cloudflare's ranges`]);
    });

    it("only with a Cloudflare edge: another edge reaches the load balancer directly", () => {
      const route53 = { ...allows(null), config: { ...dev.config, edge: { ...(dev.config.edge as object), dns: "route53" } } };
      assert.deepEqual(loadBalancerExposure(route53, "primary", CLOUDFLARE_IPV4_SAMPLE), []);
    });
  });
});
