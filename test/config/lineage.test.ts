import { strict as assert } from "node:assert";
import { birthOrder, consistentGenerations, generationSuffix, lineage } from "../../infra/config/lineage";

// Failback as config states: from the two generations and the writer alone, which instance was
// seeded from which, and which old writer is fenced.

describe("database lineage (dr.databaseGeneration)", () => {
  it("birth order P0 < S0 < P1 < S1 < P2", () => {
    const order = [birthOrder("primary", 0), birthOrder("secondary", 0), birthOrder("primary", 1), birthOrder("secondary", 1), birthOrder("primary", 2)];
    assert.deepEqual(order, [0, 1, 2, 3, 4]);
  });

  it("generations must be one step apart: primary = secondary or secondary + 1", () => {
    assert.deepEqual([[0, 0], [1, 0], [1, 1], [2, 1], [0, 1], [2, 0], [1, 2]].map(([p, s]) => consistentGenerations({ primary: p, secondary: s })), [true, true, true, true, false, false, false]);
    assert.throws(() => lineage({ primary: 0, secondary: 1 }, "primary"), /not one step apart/);
  });

  it("the whole cycle: normal, failover, re-seed the primary, switch back, re-seed the secondary", () => {
    const cycle = [
      { g: { primary: 0, secondary: 0 }, writer: "primary", newer: "secondary", fenced: undefined },
      { g: { primary: 0, secondary: 0 }, writer: "secondary", newer: "secondary", fenced: "primary" },
      { g: { primary: 1, secondary: 0 }, writer: "secondary", newer: "primary", fenced: undefined },
      { g: { primary: 1, secondary: 0 }, writer: "primary", newer: "primary", fenced: "secondary" },
      { g: { primary: 1, secondary: 1 }, writer: "primary", newer: "secondary", fenced: undefined },
      { g: { primary: 1, secondary: 1 }, writer: "secondary", newer: "secondary", fenced: "primary" },
    ] as const;
    for (const step of cycle) {
      const l = lineage(step.g, step.writer);
      assert.deepEqual([l.newer, l.fenced], [step.newer, step.fenced], JSON.stringify(step));
    }
  });

  it("only the primary's first instance was created empty; generation 0 keeps the resource names", () => {
    assert.deepEqual(lineage({ primary: 0, secondary: 0 }, "primary").origin, { primary: "created", secondary: "seeded" });
    assert.deepEqual(lineage({ primary: 1, secondary: 0 }, "secondary").origin, { primary: "seeded", secondary: "seeded" });
    assert.deepEqual([generationSuffix(0), generationSuffix(1), generationSuffix(12)], ["", "-g1", "-g12"]);
  });
});
