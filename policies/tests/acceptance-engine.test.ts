import { strict as assert } from "node:assert";
import { engineMajorVersion, majorOf } from "../../infra/facts/rds-engine-versions";
import { asOfDate, awsRdsEngineStandardSupport } from "../rules/acceptance/engine-support";
import { checkStack, tags, type FakeResource } from "./util";

const RDS = "aws:rds/instance:Instance";
const PG = "aws:rds/parameterGroup:ParameterGroup";
const writer = (engineVersion: string, family = `mysql${majorOf(engineVersion)}`): FakeResource[] => [
  { type: PG, name: "db-params", props: { family, name: "db-params" } },
  { type: RDS, name: "db", props: { engine: "mysql", engineVersion, parameterGroupName: "db-params", tags: tags("prod") }, deps: { parameterGroupName: ["db-params"] } },
  // a replica names no engine: it runs its source's version and is not checked on its own
  { type: RDS, name: "db-read-0", props: { replicateSourceDb: "db", tags: tags("prod") } },
];
const on = (asOf: string) => ({ config: { asOf } });

describe("policies: cloud acceptance, RDS engine standard support", () => {
  it("table lookups: majors from exact versions, unknown versions", () => {
    assert.equal(majorOf("8.4.5"), "8.4");
    assert.equal(majorOf("latest"), undefined);
    assert.equal(engineMajorVersion("mysql", "8.0.36")?.standardSupportEnds, "2026-07-31");
    assert.equal(engineMajorVersion("mysql", "9.1"), undefined);
  });

  it("the date is injected: a configured asOf, else today; a bad asOf is a config error", () => {
    assert.equal(asOfDate({ asOf: "2026-07-31" }), "2026-07-31");
    assert.equal(asOfDate({}, () => new Date("2030-01-02T03:04:05Z")), "2030-01-02");
    assert.throws(() => asOfDate({ asOf: "31/07/2026" }), /asOf must be a date YYYY-MM-DD, got "31\/07\/2026"/);
  });

  it("passes MySQL 8.4 on a mysql8.4 group, and 8.0 on its last day of standard support", async () => {
    assert.deepEqual((await checkStack(awsRdsEngineStandardSupport, writer("8.4"), on("2026-12-01"))).violations, []);
    assert.deepEqual((await checkStack(awsRdsEngineStandardSupport, writer("8.0"), on("2026-07-31"))).violations, []);
  });

  it("fails MySQL 8.0 the day after standard support ended, naming the date and the upgrade", async () => {
    const out = await checkStack(awsRdsEngineStandardSupport, writer("8.0"), on("2026-08-01"));
    assert.deepEqual(out.violations, [
      `aws:rds/Instance "db" runs mysql 8.0, whose RDS standard support ended 2026-07-31 (checked as of 2026-08-01): RDS bills it as Extended Support, and a new instance is created into it. ` +
      `Upgrade to 8.4 (database.engineVersion; replicas first, then the writer with allowMajorVersionUpgrade).`,
    ]);
    assert.equal(out.urns[0], "urn:pulumi:prod::resilient-feed::aws:rds/instance:Instance::db");
  });

  it("fails a version missing from the table, and a parameter group of another family", async () => {
    const unknown = await checkStack(awsRdsEngineStandardSupport, writer("9.1", "mysql9.1"), on("2026-12-01"));
    assert.match(unknown.violations[0], /^aws:rds\/Instance "db" runs mysql 9\.1, a major version missing from the program's RDS support table \(known: 5\.7 \(until 2024-02-29\), 8\.0 \(until 2026-07-31\), 8\.4 \(until 2029-07-31\)\)/);
    const family = await checkStack(awsRdsEngineStandardSupport, writer("8.4", "mysql8.0"), on("2026-12-01"));
    assert.deepEqual(family.violations, [`aws:rds/Instance "db" runs mysql 8.4 on aws:rds/ParameterGroup "db-params" of family mysql8.0; RDS refuses a parameter group of another family (allowed: mysql8.4).`]);
  });

  it("a promoted replica (no engine, no source) is checked through its parameter group's family", async () => {
    const promoted = (family: string): FakeResource[] => [
      { type: PG, name: "db-g1-params", props: { family, name: "db-g1-params" } },
      { type: RDS, name: "db-g1", props: { parameterGroupName: "db-g1-params", tags: tags("prod") }, deps: { parameterGroupName: ["db-g1-params"] } },
    ];
    assert.deepEqual((await checkStack(awsRdsEngineStandardSupport, promoted("mysql8.4"), on("2026-12-01"))).violations, []);
    const old = await checkStack(awsRdsEngineStandardSupport, promoted("mysql8.0"), on("2026-12-01"));
    assert.deepEqual(old.violations, [
      `aws:rds/Instance "db-g1" (a promoted replica, on aws:rds/ParameterGroup "db-g1-params" of family mysql8.0) runs mysql 8.0, whose RDS standard support ended 2026-07-31 (checked as of 2026-12-01): RDS bills it as Extended Support. ` +
      `Upgrade its major version (database.engineVersion; replicas first, then the writer with allowMajorVersionUpgrade).`,
    ]);
    // a replica that still replicates is not checked on its own
    const replica: FakeResource[] = [{ type: RDS, name: "db-r", props: { replicateSourceDb: "arn:aws:rds:ap-northeast-2:123456789012:db:db", tags: tags("prod") } }];
    assert.equal((await checkStack(awsRdsEngineStandardSupport, replica, on("2026-12-01"))).notApplicable, "no RDS instance in the stack names an engine and version");
  });

  it("not applicable without an instance that names its engine", async () => {
    assert.equal((await checkStack(awsRdsEngineStandardSupport, [], on("2026-12-01"))).notApplicable, "no RDS instance in the stack names an engine and version");
  });
});
