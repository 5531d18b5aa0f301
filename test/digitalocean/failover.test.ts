import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { evaluateStack } from "../../tools/plan/evaluate";
import type { PlanResult } from "../../tools/plan/types";

// Backup-restore between two DigitalOcean sites: the standby holds only its VPC and project; a
// failover creates the secondary's database from the named cluster's backup or, empty, for its
// ops runner to load the named dump, never empty otherwise; the fenced primary keeps its
// resources as they were and gets no provider call (its cluster CA comes from the pin).

const SECONDARY = { cloud: "digitalocean", region: "syd1", cidr: "10.40.0.0/18" };
const CA = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUPinnedPrimaryCa000000000000000=\n-----END CERTIFICATE-----\n";
const DUMP = "dumps/primary/2026-12-03T18-00-00Z.sql.gz";
const unsecret = (v: any): any => (v && typeof v === "object" && v[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig ? v.value : v);
const inputsOf = (plan: PlanResult, type: string, name: string) => plan.resources.find((r) => r.type === `digitalocean:index/${type}` && r.name === name)!.inputs as Record<string, any>;
const failover = (restore: Record<string, unknown>) => evaluateStack({
  stack: "dev",
  configOverrides: { sites: { primary: { databaseCaCertificate: CA }, secondary: SECONDARY }, dr: { mode: "backup-restore", activeSite: "secondary", ...restore } },
});

describe("digitalocean: backup-restore between two DigitalOcean sites", function () {
  this.timeout(300_000);

  it("before: the standby holds its VPC and project only", async () => {
    const plan = await evaluateStack({ stack: "dev", configOverrides: { sites: { secondary: SECONDARY } } });
    const secondary = plan.resources.filter((r) => r.custom && r.name.startsWith("secondary-")).map((r) => r.type).sort();
    assert.deepEqual(secondary, ["digitalocean:index/project:Project", "digitalocean:index/tag:Tag", "digitalocean:index/vpc:Vpc"]);
  });

  it("failed over from a backup: the secondary's MySQL restores the named backup; the edge routes only to the secondary", async () => {
    const plan = await failover({ restoreFromBackup: { databaseName: "resilient-feed-dev-restore" } });
    assert.deepEqual(inputsOf(plan, "databaseCluster:DatabaseCluster", "secondary-db").backupRestore, { databaseName: "resilient-feed-dev-restore" });
    assert.equal(inputsOf(plan, "databaseCluster:DatabaseCluster", "secondary-db").region, "syd1");
    // the fenced primary keeps its cluster as it was (no restore source)
    assert.equal(inputsOf(plan, "databaseCluster:DatabaseCluster", "primary-db").backupRestore, undefined);
    const pools = plan.resources.filter((r) => r.type === "cloudflare:index/loadBalancerPool:LoadBalancerPool").map((r) => r.name);
    assert.deepEqual(pools, ["edge-secondary"]);
    assert.match(String(unsecret(inputsOf(plan, "droplet:Droplet", "secondary-ops").userData)), /\nRESTORE_KEY=\n/);
  });

  it("failed over from a dump: a new, empty cluster; the secondary's ops runner loads the named dump from the dump bucket; the objectives count the load", async () => {
    const plan = await failover({ restoreFromDump: { key: DUMP } });
    assert.equal(inputsOf(plan, "databaseCluster:DatabaseCluster", "secondary-db").backupRestore, undefined);
    const script = String(unsecret(inputsOf(plan, "droplet:Droplet", "secondary-ops").userData));
    assert.match(script, new RegExp(`\\nDUMP_SITE=secondary\\nHEARTBEAT_URL=\\nRESTORE_KEY=${DUMP.replace(/\./g, "\\.")}\\n`));
    assert.match(script, /-o "\$file" "https:\/\/resilient-feed-dev-dumps\.blr1\.digitaloceanspaces\.com\/\$\{RESTORE_KEY\}"/);
    assert.deepEqual(inputsOf(plan, "databaseFirewall:DatabaseFirewall", "secondary-db-fw").rules, [{ type: "tag", value: "api:resilient-feed-dev-secondary" }, { type: "droplet", value: "secondary-ops-id" }]);
    // one dump bucket for the stack, unchanged by the failover
    assert.deepEqual(plan.resources.filter((r) => r.type === "digitalocean:index/spacesBucket:SpacesBucket" && r.name === "dumps").map((r) => r.inputs.region), ["blr1"]);
    const rto = (plan.outputs.recoveryObjectives as any).breakdown.rto.map((t: any) => t.name);
    assert.deepEqual(rto, ["detection", "cluster-create", "dump-load", "api-from-zero", "dns-ttl"]);
  });

  it("fencing: no getDatabaseCa for the fenced primary (its CA from sites.primary.databaseCaCertificate, exactly as deployed); the secondary's new cluster is asked", async () => {
    const normal = await evaluateStack({ stack: "dev" });
    const plan = await failover({ restoreFromDump: { key: DUMP } });
    assert.deepEqual(normal.invokes.filter((i) => i.token === "digitalocean:index/getDatabaseCa:getDatabaseCa").length, 1);
    assert.deepEqual(plan.invokes.filter((i) => i.token === "digitalocean:index/getDatabaseCa:getDatabaseCa").length, 1);
    const fencedPool = String(unsecret(unsecret(inputsOf(plan, "dropletAutoscale:DropletAutoscale", "primary-api").dropletTemplate).userData));
    assert.ok(fencedPool.includes(CA.trim()), "the fenced pool's user data carries the pinned CA");
    const fencedOps = String(unsecret(inputsOf(plan, "droplet:Droplet", "primary-ops").userData));
    assert.ok(fencedOps.includes(CA.trim()));
    assert.equal((normal.outputs.sites as any).primary.pins.databaseCaCertificate, "-----BEGIN CERTIFICATE-----\nTU9DSy1DQS1wcmltYXJ5LWRiLWlk\n-----END CERTIFICATE-----\n");
  });
});

// A DigitalOcean writer with an AWS standby (backup-restore, the only mode across clouds): the
// standby is planned without a writer to replicate from, and a failover restores a named RDS
// snapshot (made from a dump by the README's runbook), never an empty database.
describe("digitalocean: a DigitalOcean writer with an AWS backup-restore standby", function () {
  this.timeout(300_000);
  const AWS_SECONDARY = { cloud: "aws", region: "ap-southeast-1", cidr: "10.40.0.0/16" };
  const SNAPSHOT = "arn:aws:rds:ap-southeast-1:123456789012:snapshot:feed-from-dump-2026-12-03";
  const awsCustom = (plan: PlanResult) => plan.resources.filter((r) => r.custom && r.type.startsWith("aws:"));

  it("before: the standby is a network and no database or API (no replication source on DigitalOcean)", async () => {
    const plan = await evaluateStack({ stack: "dev", configOverrides: { sites: { secondary: AWS_SECONDARY } } });
    const types = new Set(awsCustom(plan).map((r) => r.type));
    assert.ok(types.has("aws:ec2/vpc:Vpc"));
    for (const absent of ["aws:rds/instance:Instance", "aws:autoscaling/group:Group", "aws:lb/loadBalancer:LoadBalancer"]) assert.ok(!types.has(absent), `${absent} on the standby`);
    assert.deepEqual(awsCustom(plan).filter((r) => r.type === "aws:ec2/vpc:Vpc").map((r) => r.inputs.cidrBlock), ["10.40.0.0/16"]);
  });

  it("failed over: the RDS writer restores dr.restoreFromSnapshot", async () => {
    const plan = await evaluateStack({
      stack: "dev",
      configOverrides: { sites: { primary: { databaseCaCertificate: CA }, secondary: AWS_SECONDARY }, dr: { mode: "backup-restore", activeSite: "secondary", restoreFromSnapshot: SNAPSHOT } },
    });
    const writers = awsCustom(plan).filter((r) => r.type === "aws:rds/instance:Instance" && r.inputs.replicateSourceDb === undefined);
    assert.equal(writers.length, 1);
    assert.equal(writers[0].inputs.snapshotIdentifier, SNAPSHOT);
  });
});
