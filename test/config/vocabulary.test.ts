import { strict as assert } from "node:assert";
import { drModeSchema, drSchema, edgeSchema, projectConfigSchema, siteSchema } from "../../infra/config/schema";
import { REPLICATING_MODES, STANDBY_SHAPE } from "../../infra/facts/standby-shape";
import { CLOUDS, DR_MODES, ENVIRONMENTS, SITE_KEYS } from "../../infra/facts/vocabulary";

// infra/config reads the leaf vocabulary (infra/facts) instead of the topology; every list derived
// from it, or still written out elsewhere, must stay equal to it, in order.

describe("the vocabulary and the lists derived from it", () => {
  it("the DR matrix has exactly the DR modes, in their order", () => {
    assert.deepEqual(Object.keys(STANDBY_SHAPE), [...DR_MODES]);
  });

  it("the replicating modes are the modes whose standby holds a replica, in order", () => {
    assert.deepEqual([...REPLICATING_MODES], DR_MODES.filter((m) => STANDBY_SHAPE[m].database === "replica"));
    assert.deepEqual([...REPLICATING_MODES], ["pilot-light", "warm-standby", "active-active"]);
  });

  it("the schema's enums are the vocabulary's lists", () => {
    assert.deepEqual(drModeSchema.options, [...DR_MODES]);
    assert.deepEqual(siteSchema.shape.cloud.options, [...CLOUDS]);
    assert.deepEqual(projectConfigSchema.shape.environment.options, [...ENVIRONMENTS]);
    assert.deepEqual(drSchema.shape.activeSite.unwrap().options, [...SITE_KEYS]);
    assert.deepEqual(drSchema.shape.releaseProtection.unwrap().options, [...SITE_KEYS]);
    assert.deepEqual(Object.keys(projectConfigSchema.shape.sites.shape), [...SITE_KEYS]);
    assert.deepEqual(Object.keys(drSchema.shape.databaseGeneration.unwrap().shape), [...SITE_KEYS]);
    assert.deepEqual(edgeSchema.shape.geo.unwrap().element.shape.site.options, [...SITE_KEYS]);
  });
});
