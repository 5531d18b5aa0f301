import { strict as assert } from "node:assert";
import { parseProjectConfig } from "../../infra/config/parse";
import { buildTopology } from "../../infra/topology/build";
import { RDS_ENGINE_VERSIONS } from "../../infra/facts/rds-engine-versions";
import { devOnAws, prodWith, stackRaw, rejection } from "../support/config-fixtures";


describe("config: database.engineVersion", () => {
  it("defaults to MySQL 8.4 (family mysql8.4); prod keeps extended support, dev disables it", () => {
    const prod = buildTopology(parseProjectConfig(stackRaw("prod")));
    assert.deepEqual(prod.databaseEngine, { engine: "mysql", version: "8.4", major: "8.4", family: "mysql8.4", lifecycleSupport: "open-source-rds-extended-support" });
    const dev = buildTopology(parseProjectConfig(devOnAws()));
    assert.deepEqual(dev.databaseEngine, { engine: "mysql", version: "8.4", major: "8.4", family: "mysql8.4", lifecycleSupport: "open-source-rds-extended-support-disabled" });
  });

  it("accepts an exact minor version of a known major", () => {
    const t = buildTopology(parseProjectConfig(prodWith((c) => (c.database.engineVersion = "8.4.5"))));
    assert.deepEqual([t.databaseEngine.version, t.databaseEngine.major, t.databaseEngine.family], ["8.4.5", "8.4", "mysql8.4"]);
  });

  it("rejects a major version the support table does not list, listing the known ones with their dates", () => {
    const msg = rejection(prodWith((c) => (c.database.engineVersion = "9.1")));
    assert.equal(msg.split("\n").find((l) => l.includes("engineVersion"))?.trim(),
      "- " +
      `resilient-feed:database.engineVersion = "9.1": is not an RDS for MySQL major version in the support table (allowed: ${RDS_ENGINE_VERSIONS.map((v) => `${v.major} (RDS standard support until ${v.standardSupportEnds})`).join(", ")}, or one of their minor versions such as 8.4.5)`);
  });

  it("rejects a value that is not a version", () => {
    assert.match(rejection(prodWith((c) => (c.database.engineVersion = "latest"))), /resilient-feed:database\.engineVersion = "latest": must be a MySQL version such as 8\.4 or 8\.4\.5/);
  });
});
