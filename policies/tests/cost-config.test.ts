import { strict as assert } from "node:assert";
import {
  backupRetentionConfig, backupRetentionSchema, dnsTtlConfig, dnsTtlSchema, instanceClassConfig, instanceClassSchema, matchesPattern,
} from "../rules/config";
import { costAllowedInstanceClasses } from "../rules/cost";
import { allPolicies } from "../rules/all";
import { checkResource, isResourceRule, isStackRule, tags } from "./util";

describe("policies: cost and configuration", () => {
  it("cost-allowed-instance-classes: advisory, per-environment lists", async () => {
    assert.equal(costAllowedInstanceClasses.enforcementLevel, "advisory");
    const rds = (instanceClass: string, env: "dev" | "prod") => ({ type: "aws:rds/instance:Instance", name: "primary-db", props: { instanceClass, tags: tags(env) } });
    assert.deepEqual((await checkResource(costAllowedInstanceClasses, rds("db.r6g.large", "prod"))).violations, []);
    assert.deepEqual((await checkResource(costAllowedInstanceClasses, rds("db.t4g.micro", "dev"))).violations, []);
    const big = await checkResource(costAllowedInstanceClasses, rds("db.r6g.large", "dev"));
    assert.match(big.violations[0], /^aws:rds\/Instance "primary-db" uses instanceClass db\.r6g\.large, which is not on the dev list \(db\.t4g\.\*, /);
    const custom = await checkResource(costAllowedInstanceClasses, { type: "aws:ec2/launchTemplate:LaunchTemplate", name: "api", props: { instanceType: "m7g.large", tags: tags("prod") } }, { config: { prod: ["m8g.*"] } });
    assert.match(custom.violations[0], /uses instanceType m7g\.large, which is not on the prod list \(m8g\.\*\)/);
    const cache = await checkResource(costAllowedInstanceClasses, { type: "aws:elasticache/replicationGroup:ReplicationGroup", name: "c", props: { nodeType: "cache.x2gd.16xlarge", tags: tags("prod") } });
    assert.equal(cache.violations.length, 1);
  });

  it("globs match whole names", () => {
    assert.equal(matchesPattern("db.r6g.large", "db.r6g.*"), true);
    assert.equal(matchesPattern("db.r6gd.large", "db.r6g.*"), false);
    assert.equal(matchesPattern("xdb.r6g.large", "db.r6g.*"), false);
  });

  it("the JSON schemas the engine sees carry the same defaults the rules parse with", () => {
    const defaultsOf = (s: typeof dnsTtlSchema) => Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, (v as { default?: unknown }).default]));
    assert.deepEqual(defaultsOf(backupRetentionSchema), backupRetentionConfig.parse({}));
    assert.deepEqual(defaultsOf(dnsTtlSchema), dnsTtlConfig.parse({}));
    assert.deepEqual(defaultsOf(instanceClassSchema), instanceClassConfig.parse({}));
  });

  it("the pack: unique names, every rule has a level, security/reliability mandatory and cost advisory", () => {
    const names = allPolicies.map((p) => p.name);
    assert.equal(new Set(names).size, names.length);
    for (const p of allPolicies) {
      assert.ok(isResourceRule(p) || isStackRule(p), p.name);
      const tagsOf = p.tags ?? [];
      assert.equal(p.enforcementLevel, tagsOf.includes("cost") ? "advisory" : "mandatory", p.name);
      assert.ok(p.description.length > 10, p.name);
    }
  });
});
