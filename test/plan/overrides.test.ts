import { strict as assert } from "node:assert";
import { configOverrides } from "../../tools/plan/overrides";
import { UsageError } from "../../tools/cli-support";

// `--set` / `--from KEY=VALUE`: dotted keys as `pulumi config set --path` names them.

describe("plan/policy --set and --from", () => {
  it("nests dotted keys, merges siblings and reads JSON values (else strings)", () => {
    assert.deepEqual(configOverrides(["dr.databaseGeneration.primary=1", "dr.databaseGeneration.secondary=0", "dr.activeSite=secondary", "edge.geo=[{\"country\":\"JP\",\"site\":\"secondary\"}]"]), {
      dr: { databaseGeneration: { primary: 1, secondary: 0 }, activeSite: "secondary" },
      edge: { geo: [{ country: "JP", site: "secondary" }] },
    });
    assert.deepEqual(configOverrides([]), {});
  });

  it("refuses a missing = or a key that is not a dotted name, as a usage error", () => {
    for (const bad of ["dr.activeSite", "=1", "dr..mode=x", "dr.mode[0]=x"]) assert.throws(() => configOverrides([bad]), (e: unknown) => e instanceof UsageError && /KEY=VALUE/.test((e as Error).message), bad);
  });
});
