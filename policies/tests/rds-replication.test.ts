import { strict as assert } from "node:assert";
import { rdsReplicationSourcePassword } from "../rules/rds-replication";
import { checkStack, deployment, tags, type FakeResource } from "./util";

const RDS = "aws:rds/instance:Instance";
const SEOUL = "ap-northeast-2";
const TOKYO = "ap-northeast-1";
const PRIMARY_ARN = `arn:aws:rds:${SEOUL}:123456789012:db:primary-db`;

const writer = (props: Record<string, unknown> = {}): FakeResource => ({ type: RDS, name: "primary-db", props: { region: SEOUL, arn: PRIMARY_ARN, identifier: "primary-db", password: "generated", tags: tags("prod"), ...props } });
const readReplica: FakeResource = { type: RDS, name: "primary-db-read-0", props: { region: SEOUL, replicateSourceDb: "primary-db", tags: tags("prod") } };
const crossRegion = (props: Record<string, unknown> = {}): FakeResource => ({ type: RDS, name: "secondary-db", props: { region: TOKYO, replicateSourceDb: PRIMARY_ARN, tags: tags("prod", { site: "secondary" }), ...props } });
const managed = { manageMasterUserPassword: true, password: undefined };

describe("policies: rds-replication-source-password", () => {
  it("passes a writer with a generated password and its replicas, in every mode", async () => {
    for (const mode of ["backup-restore", "pilot-light", "warm-standby", "active-active"]) {
      assert.deepEqual((await checkStack(rdsReplicationSourcePassword, [deployment(mode), writer(), readReplica, crossRegion()])).violations, [], mode);
    }
    // a promoted writer (no source) with a generated password, after failover
    assert.deepEqual((await checkStack(rdsReplicationSourcePassword, [deployment("warm-standby", "prod", "secondary"), writer(), crossRegion({ replicateSourceDb: undefined, password: "generated", applyImmediately: true })])).violations, []);
  });

  it("fails a managed password on an instance others replicate from, found by identifier, ARN or engine dependency", async () => {
    const byIdentifier = await checkStack(rdsReplicationSourcePassword, [deployment("backup-restore"), writer(managed), readReplica]);
    assert.deepEqual(byIdentifier.violations, [
      `aws:rds/Instance "primary-db" sets manageMasterUserPassword: true, but aws:rds/Instance "primary-db-read-0" replicates from it; RDS creates no read replica of a source whose master password it manages (every engine but SQL Server). ` +
      `Generate the password (random.RandomPassword), keep it in a Secrets Manager secret the program owns (replicated to the standby region), and set password instead.`,
    ]);
    assert.equal(byIdentifier.urns[0], "urn:pulumi:prod::resilient-feed::aws:rds/instance:Instance::primary-db");
    const byArn = await checkStack(rdsReplicationSourcePassword, [writer(managed), crossRegion()]);
    assert.match(byArn.violations[0], /^aws:rds\/Instance "primary-db" sets manageMasterUserPassword: true, but aws:rds\/Instance "secondary-db" replicates from it;/);
    // the ARN is unknown during preview: the engine's property dependency names the source
    const viaDeps: FakeResource = { ...crossRegion({ replicateSourceDb: "(unknown)" }), deps: { replicateSourceDb: ["primary-db"] } };
    assert.equal((await checkStack(rdsReplicationSourcePassword, [writer({ ...managed, arn: undefined }), viaDeps])).violations.length, 1);
    const both = await checkStack(rdsReplicationSourcePassword, [writer(managed), readReplica, crossRegion()]);
    assert.match(both.violations[0], /but aws:rds\/Instance "primary-db-read-0", aws:rds\/Instance "secondary-db" replicate from it;/);
  });

  it("fails a managed password on the writer of a replicating mode even before its replica exists; a lone writer in backup-restore passes", async () => {
    const alone = await checkStack(rdsReplicationSourcePassword, [deployment("pilot-light"), writer(managed)]);
    assert.match(alone.violations[0], /^aws:rds\/Instance "primary-db" sets manageMasterUserPassword: true, but it is the writer in DR mode pilot-light, which replicates it to the standby;/);
    assert.deepEqual((await checkStack(rdsReplicationSourcePassword, [deployment("backup-restore"), writer(managed)])).violations, []);
    assert.match((await checkStack(rdsReplicationSourcePassword, [deployment("warm-standby")])).notApplicable!, /no RDS instances/);
  });
});
