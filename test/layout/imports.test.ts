import { strict as assert } from "node:assert";
import { findCycles, importGraph, importsOf, importSpecifiers, tsFiles } from "../support/import-graph";

// The program's layout as import rules (docs/architecture.md, "Layout"): the facts both the program
// and its policy pack read live in the leaf infra/facts; the pack imports them, never the reverse.

const INFRA = tsFiles("infra");
const POLICY_PACK = tsFiles("policies").filter((f) => !f.startsWith("policies/tests/"));

/** "file → target" for each relative import of `files` that `bad` refuses. */
function offending(files: readonly string[], bad: (target: string) => boolean): string[] {
  return files.flatMap((f) => importsOf(f).flatMap((e) => (e.target && bad(e.target) ? [`${f} → ${e.target}`] : [])));
}

describe("layout: the import graph", () => {
  describe("the scanner itself", () => {
    it("reads every import form the repository writes", () => {
      const source = [
        'import * as pulumi from "@pulumi/pulumi";',
        'import type { A, B } from "./a";',
        "import {\n  C,\n  type D,\n} from '../b';",
        'export { E } from "./c";',
        'export * from "./d";',
        'import "./e";',
        'const f = require("./f") as typeof import("./g");',
        '// import { X } from "./commented-out";',
      ].join("\n");
      assert.deepEqual(new Set(importSpecifiers(source)), new Set(["@pulumi/pulumi", "./a", "../b", "./c", "./d", "./e", "./f", "./g"]));
    });

    it("resolves the program's own imports to files", () => {
      const targets = importsOf("infra/topology/build.ts").map((e) => e.target);
      assert.ok(targets.includes("infra/config/edge-rules.ts") && targets.includes("infra/config/resolved.ts"), targets.join(", "));
      assert.ok(INFRA.length > 50, `only ${INFRA.length} files found under infra/`);
    });

    it("finds a cycle, and only when there is one", () => {
      assert.deepEqual(findCycles(new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]]])), [["a", "b", "c", "a"]]);
      assert.deepEqual(findCycles(new Map([["a", ["b", "c"]], ["b", ["c"]], ["c", []]])), []);
    });
  });

  it("nothing under infra/ imports the policy pack", () => {
    assert.deepEqual(offending(INFRA, (t) => t.startsWith("policies/")), []);
  });

  it("the pack imports from the program only its leaf facts (infra/facts)", () => {
    assert.deepEqual(offending(POLICY_PACK, (t) => !t.startsWith("policies/") && !t.startsWith("infra/facts/")), []);
  });

  it("infra/facts and infra/names.ts are leaves: they import nothing outside infra/facts, not even a package", () => {
    const leaves = [...tsFiles("infra/facts"), "infra/names.ts"];
    const imports = leaves.flatMap((f) => importsOf(f).filter((e) => !e.target?.startsWith("infra/facts/")).map((e) => `${f} → ${e.specifier}`));
    assert.deepEqual(imports, []);
  });

  it("infra/config imports only itself, infra/facts and infra/names.ts (never the topology)", () => {
    const allowed = (t: string) => t.startsWith("infra/config/") || t.startsWith("infra/facts/") || t === "infra/names.ts";
    assert.deepEqual(offending(tsFiles("infra/config"), (t) => !allowed(t)), []);
  });

  it("infra/**/*.ts has no import cycle (type-only imports count)", () => {
    const cycles = findCycles(importGraph(INFRA)).map((c) => c.join(" → "));
    assert.deepEqual(cycles, []);
  });
});
