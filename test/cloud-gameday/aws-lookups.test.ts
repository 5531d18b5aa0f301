import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { backupVaultName } from "../../infra/aws/backup";
import { PROJECT } from "../../infra/topology/build";
import type { Topology } from "../../infra/topology/types";
import { newestRecoveryPoint, replicaLagLine, vaultNameOf, type MetricsClient, type RecoveryPointsClient } from "../../tools/cloud-gameday/aws-lookups";
import { runCloudGameday, type RunOptions } from "../../tools/cloud-gameday/runner";
import { Refusal } from "../../tools/cloud-gameday/stages";
import { printStatus, standbyReplica } from "../../tools/cloud-gameday/status";
import { DEPENDENCIES, engineEvents, failoverSteps, SECONDARY } from "./support/events";
import { FakeWorkspace } from "./support/fake-workspace";
import { healthy, PINS, RELEASE, stackConfig, stackOutputs } from "./support/stack";

// The two AWS reads outside Pulumi, behind fake clients (no test reaches the network): the newest
// recovery point a backup-restore failover restores from, and the standby replica's lag in status.

type Page = Awaited<ReturnType<RecoveryPointsClient["listRecoveryPointsByBackupVault"]>>;
type ListInput = Parameters<RecoveryPointsClient["listRecoveryPointsByBackupVault"]>[0];

class FakeBackup implements RecoveryPointsClient {
  readonly inputs: ListInput[] = [];
  constructor(private readonly pages: Record<string, Page> | Error) {}
  async listRecoveryPointsByBackupVault(input: ListInput): Promise<Page> {
    this.inputs.push(input);
    if (this.pages instanceof Error) throw this.pages;
    const page = this.pages[input.NextToken ?? ""];
    if (!page) throw new Error(`no page ${input.NextToken}`);
    return page;
  }
}

const ACCOUNT = "123456789012";
const arn = (name: string, region = SECONDARY) => `arn:aws:rds:${region}:${ACCOUNT}:snapshot:awsbackup:${name}`;
const at = (iso: string) => new Date(iso);
const point = (name: string, created: string, o: { Status?: string; ResourceType?: string; region?: string } = {}) =>
  ({ RecoveryPointArn: arn(name, o.region), CreationDate: at(created), Status: o.Status ?? "COMPLETED", ResourceType: o.ResourceType ?? "RDS" });

/** three pages; the newest point overall is CREATING, a newer one is EBS, the answer is on page 2 */
const PAGES: Record<string, Page> = {
  "": { RecoveryPoints: [point("job-1", "2026-12-03T14:00:00Z"), point("job-creating", "2026-12-03T17:00:00Z", { Status: "CREATING" })], NextToken: "t2" },
  t2: { RecoveryPoints: [point("job-3", "2026-12-03T16:00:00Z"), point("job-partial", "2026-12-03T16:30:00Z", { Status: "PARTIAL" })], NextToken: "t3" },
  t3: { RecoveryPoints: [point("job-2", "2026-12-03T15:00:00Z"), { ...point("ebs", "2026-12-03T16:45:00Z"), RecoveryPointArn: `arn:aws:ec2:${SECONDARY}::snapshot/snap-1`, ResourceType: "EBS" }] },
};

const credentialsError = Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" });
const P = "resilient-feed:";

describe("cloud game day: AWS lookups behind fake clients", () => {
  it("names the standby's vault as infra/aws/backup.ts does", () => {
    assert.equal(vaultNameOf("prod", "secondary"), backupVaultName({ project: PROJECT, environment: "prod" } as Topology, "secondary"));
  });

  it("the newest COMPLETED RDS recovery point: every page (NextToken), other states and resource types ignored", async () => {
    const client = new FakeBackup(PAGES);
    const p = await newestRecoveryPoint(client, "resilient-feed-prod-secondary", SECONDARY);
    assert.deepEqual(p, { arn: arn("job-3"), created: at("2026-12-03T16:00:00Z") });
    assert.deepEqual(client.inputs, [
      { BackupVaultName: "resilient-feed-prod-secondary", ByResourceType: "RDS" },
      { BackupVaultName: "resilient-feed-prod-secondary", ByResourceType: "RDS", NextToken: "t2" },
      { BackupVaultName: "resilient-feed-prod-secondary", ByResourceType: "RDS", NextToken: "t3" },
    ]);
    assert.equal(await newestRecoveryPoint(new FakeBackup({ "": { RecoveryPoints: [point("x", "2026-12-03T14:00:00Z", { Status: "EXPIRED" })] } }), "v", SECONDARY), undefined);
    await assert.rejects(newestRecoveryPoint(new FakeBackup({ "": { RecoveryPoints: [point("x", "2026-12-03T14:00:00Z", { region: "us-east-1" })] } }), "v", SECONDARY), /is not an RDS snapshot ARN in ap-northeast-1/);
  });

  describe("a backup-restore failover without dr.restoreFromSnapshot", () => {
    const lines: string[] = [];
    const run = (ws: FakeWorkspace, o: Partial<RunOptions>) => runCloudGameday(ws, {
      action: "failover", dryRun: true, yes: false, progress: (l) => lines.push(l), probe: healthy, dependencies: async () => DEPENDENCIES, ...o,
    });
    const workspace = () => new FakeWorkspace(stackConfig({ mode: "backup-restore", activeSite: "primary" }), {
      previews: [engineEvents(failoverSteps(), "preview")], outputs: { ...stackOutputs("backup-restore", 3900), environment: "prod", sites: { ...(stackOutputs("backup-restore").sites as object), secondary: { region: SECONDARY } } },
    });
    beforeEach(() => (lines.length = 0));

    it("sets it to the newest recovery point of the secondary's vault, saying which and when it was made", async () => {
      const ws = workspace();
      const regions: string[] = [];
      const client = new FakeBackup(PAGES);
      const { exitCode } = await run(ws, { recoveryPoints: (region) => (regions.push(region), client) });
      assert.equal(exitCode, 0, lines.join("\n"));
      assert.deepEqual(regions, [SECONDARY]);
      assert.equal(client.inputs[0].BackupVaultName, "resilient-feed-prod-secondary");
      assert.ok(lines.includes(`dr.restoreFromSnapshot: the newest recovery point in vault resilient-feed-prod-secondary (${SECONDARY}), created 2026-12-03T16:00:00.000Z: ${arn("job-3")}`), lines.join("\n"));
      assert.deepEqual(ws.calls.slice(0, 3), [`set ${P}dr.fencedRelease.server ${RELEASE.server}`, `set ${P}dr.fencedRelease.worker ${RELEASE.worker}`, `set ${P}sites.primary.amiId ${PINS.amiId}`]);
      assert.ok(ws.calls.indexOf(`set ${P}dr.restoreFromSnapshot ${arn("job-3")}`) < ws.calls.indexOf("preview"), ws.calls.join("\n"));
      // a dry run puts it back with the rest of the stage
      assert.ok(ws.calls.slice(ws.calls.indexOf("preview")).includes(`rm ${P}dr.restoreFromSnapshot`), ws.calls.join("\n"));
      assert.equal((ws.config[`${P}dr`] as Record<string, unknown>).restoreFromSnapshot, undefined);
    });

    it("keeps a value already set, looking nothing up", async () => {
      const ws = new FakeWorkspace(stackConfig({ mode: "backup-restore", activeSite: "primary", restoreFromSnapshot: arn("mine") }), { previews: [engineEvents(failoverSteps(), "preview")], outputs: stackOutputs("backup-restore") });
      const { exitCode } = await run(ws, { recoveryPoints: () => assert.fail("looked up") });
      assert.equal(exitCode, 0, lines.join("\n"));
      assert.ok(!ws.calls.some((c) => c.includes("restoreFromSnapshot")));
    });

    const refusals: [string, Partial<RunOptions>, RegExp][] = [
      ["no recovery point", { recoveryPoints: () => new FakeBackup({ "": { RecoveryPoints: [point("x", "2026-12-03T14:00:00Z", { Status: "PARTIAL" }), point("y", "2026-12-03T15:00:00Z", { ResourceType: "Aurora" })] } }) },
        /resilient-feed:dr\.restoreFromSnapshot \(the newest recovery point in the secondary's vault: vault resilient-feed-prod-secondary in ap-northeast-1 holds no COMPLETED RDS recovery point\)/],
      ["credentials the SDK cannot load", { recoveryPoints: () => new FakeBackup(credentialsError) },
        /resilient-feed:dr\.restoreFromSnapshot \(.*cannot list the recovery points of vault resilient-feed-prod-secondary in ap-northeast-1: no AWS credentials the SDK could load \(Could not load credentials from any providers\)\)/],
      ["a denied call", { recoveryPoints: () => new FakeBackup(Object.assign(new Error("User is not authorized"), { name: "AccessDeniedException" })) },
        /resilient-feed:dr\.restoreFromSnapshot \(.*not allowed: backup:ListRecoveryPointsByBackupVault \(User is not authorized\)\)/],
      ["no client", { recoveryPointsUnavailable: "no AWS credentials: none found" },
        /resilient-feed:dr\.restoreFromSnapshot \(.*not looked up in vault resilient-feed-prod-secondary \(ap-northeast-1\): no AWS credentials: none found\)/],
    ];
    for (const [what, o, message] of refusals) {
      it(`refuses naming the key: ${what}`, async () => {
        const ws = workspace();
        await assert.rejects(run(ws, o), (e: unknown) => {
          assert.ok(e instanceof Refusal);
          assert.match(e.message, message);
          assert.doesNotMatch(e.message, /fencedRelease/);
          return true;
        });
        assert.deepEqual(ws.calls, []);
      });
    }
  });

  describe("the standby's replica lag", () => {
    const now = at("2026-12-03T17:00:00Z");
    class FakeMetrics implements MetricsClient {
      readonly inputs: Parameters<MetricsClient["getMetricStatistics"]>[0][] = [];
      constructor(private readonly answer: Awaited<ReturnType<MetricsClient["getMetricStatistics"]>> | Error) {}
      async getMetricStatistics(input: Parameters<MetricsClient["getMetricStatistics"]>[0]) {
        this.inputs.push(input);
        if (this.answer instanceof Error) throw this.answer;
        return this.answer;
      }
    }

    it("reads AWS/RDS ReplicaLag, Maximum, the last 5 minutes, for the replica's identifier", async () => {
      const client = new FakeMetrics({ Datapoints: [{ Timestamp: at("2026-12-03T16:58:00Z"), Maximum: 7 }, { Timestamp: at("2026-12-03T16:59:00Z"), Maximum: 2 }, { Timestamp: at("2026-12-03T16:57:00Z"), Maximum: 1 }] });
      const line = await replicaLagLine(client, "secondary", SECONDARY, "secondary-db-1a2b3c", "unused", now);
      assert.equal(line, "  replica lag of the secondary (ap-northeast-1): 7 s maximum over the last 5 minutes (secondary-db-1a2b3c, AWS/RDS ReplicaLag; newest minute 2 s at 2026-12-03T16:59:00.000Z)");
      assert.deepEqual(client.inputs, [{
        Namespace: "AWS/RDS", MetricName: "ReplicaLag", Dimensions: [{ Name: "DBInstanceIdentifier", Value: "secondary-db-1a2b3c" }],
        StartTime: at("2026-12-03T16:55:00Z"), EndTime: now, Period: 60, Statistics: ["Maximum"],
      }]);
    });

    it("says in one line why it could not", async () => {
      const cases: [MetricsClient | undefined, string | undefined, string][] = [
        [new FakeMetrics(credentialsError), "db-1", "not read: no AWS credentials the SDK could load (Could not load credentials from any providers)"],
        [new FakeMetrics(Object.assign(new Error("not authorized to perform: cloudwatch:GetMetricStatistics"), { name: "AccessDenied" })), "db-1", "not read: not allowed: cloudwatch:GetMetricStatistics (not authorized to perform: cloudwatch:GetMetricStatistics)"],
        [undefined, "db-1", "not read: no AWS credentials: none found"],
        [new FakeMetrics({ Datapoints: [] }), "db-1", "no ReplicaLag datapoints for db-1 in the last 5 minutes (a replica publishes one a minute: is it replicating?)"],
        [new FakeMetrics({}), undefined, "not read: the stack's state holds no replica database instance in ap-northeast-1"],
      ];
      for (const [client, id, said] of cases) {
        const line = await replicaLagLine(client, "secondary", SECONDARY, id, "no AWS credentials: none found", now);
        assert.equal(line, `  replica lag of the secondary (ap-northeast-1): ${said}`);
        assert.ok(!line.includes("\n"));
      }
    });

    it("status finds the standby replica in the state and prints its lag", async () => {
      const rds = (name: string, outputs: Record<string, unknown>) => ({ urn: `urn:pulumi:prod::resilient-feed::resilient-feed:aws:AwsSite$aws:rds/instance:Instance::${name}`, type: "aws:rds/instance:Instance", outputs });
      const resources = [
        rds("primary-db", { identifier: "primary-db-111", region: "ap-northeast-2" }),
        rds("primary-db-replica-0", { identifier: "primary-db-replica-0-222", replicateSourceDb: "primary-db-111" }),
        rds("secondary-db", { identifier: "secondary-db-333", region: SECONDARY, replicateSourceDb: "arn:aws:rds:ap-northeast-2:123456789012:db:primary-db-111" }),
      ];
      assert.equal(standbyReplica(resources, "secondary"), "secondary-db-333");
      assert.equal(standbyReplica(resources, "primary"), undefined);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cloud-gameday-lag-"));
      try {
        const ws = new FakeWorkspace(stackConfig({ mode: "warm-standby", activeSite: "primary" }), { previews: [], outputs: stackOutputs("warm-standby"), resources });
        const client = new FakeMetrics({ Datapoints: [{ Timestamp: at("2026-12-03T16:59:00Z"), Maximum: 0 }] });
        const regions: string[] = [];
        const out: string[] = [];
        await printStatus(ws, dir, (l) => out.push(l), { client: (region) => (regions.push(region), client), now });
        assert.deepEqual(regions, [SECONDARY]);
        assert.equal(out.at(-1), "  replica lag of the secondary (ap-northeast-1): 0 s maximum over the last 5 minutes (secondary-db-333, AWS/RDS ReplicaLag; newest minute 0 s at 2026-12-03T16:59:00.000Z)");
        out.length = 0;
        await printStatus(ws, dir, (l) => out.push(l), { why: "no AWS credentials: none found (AWS_PROFILE, ...)" });
        assert.equal(out.at(-1), "  replica lag of the secondary (ap-northeast-1): not read: no AWS credentials: none found (AWS_PROFILE, ...)");
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  it("only the CLI builds the real SDK clients: aws-clients.ts alone imports @aws-sdk, and only cli.ts loads it", () => {
    const dir = path.resolve(__dirname, "../../tools/cloud-gameday");
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith(".ts"))) {
      const text = fs.readFileSync(path.join(dir, f), "utf8");
      assert.equal(/from "@aws-sdk\//.test(text) || /require\("@aws-sdk\//.test(text), f === "aws-clients.ts", f);
      assert.equal(/["']\.\/aws-clients["']/.test(text), f === "cli.ts", f);
    }
  });
});
