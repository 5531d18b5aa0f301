import { strict as assert } from "node:assert";
import { evaluateStack } from "../../tools/plan/evaluate";

// Backup-restore between two DigitalOcean sites: the standby holds only its VPC and project; a
// failover creates the secondary's database from the named cluster's backup, never empty, and
// leaves the fenced primary's resources as they were.

const SECONDARY = { cloud: "digitalocean", region: "syd1", cidr: "10.40.0.0/18" };

describe("digitalocean: backup-restore between two DigitalOcean sites", function () {
  this.timeout(300_000);

  it("before: the standby holds its VPC and project only", async () => {
    const plan = await evaluateStack({ stack: "dev", configOverrides: { sites: { secondary: SECONDARY } } });
    const secondary = plan.resources.filter((r) => r.custom && r.name.startsWith("secondary-")).map((r) => r.type).sort();
    assert.deepEqual(secondary, ["digitalocean:index/project:Project", "digitalocean:index/tag:Tag", "digitalocean:index/vpc:Vpc"]);
  });

  it("failed over: the secondary's MySQL restores the named backup; the edge routes only to the secondary", async () => {
    const plan = await evaluateStack({
      stack: "dev",
      configOverrides: { sites: { secondary: SECONDARY }, dr: { mode: "backup-restore", activeSite: "secondary", restoreFromBackup: { databaseName: "resilient-feed-dev-restore" } } },
    });
    const cluster = plan.resources.find((r) => r.type === "digitalocean:index/databaseCluster:DatabaseCluster" && r.name === "secondary-db")!;
    assert.deepEqual(cluster.inputs.backupRestore, { databaseName: "resilient-feed-dev-restore" });
    assert.equal(cluster.inputs.region, "syd1");
    // the fenced primary keeps its cluster as it was (no restore source)
    const fenced = plan.resources.find((r) => r.type === "digitalocean:index/databaseCluster:DatabaseCluster" && r.name === "primary-db")!;
    assert.equal(fenced.inputs.backupRestore, undefined);
    const pools = plan.resources.filter((r) => r.type === "cloudflare:index/loadBalancerPool:LoadBalancerPool").map((r) => r.name);
    assert.deepEqual(pools, ["edge-secondary"]);
  });
});
