import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { cloudAcceptanceRules } from "../rules/acceptance";
import { allPolicies } from "../rules/all";

// The docs describe the pack's rule list, never a copy of it that can drift: policies/README.md
// has one table row per rule of `allPolicies` (name, level, stack marker, section), and any rule
// count the READMEs state is the list's length.

const ROOT = path.resolve(__dirname, "../..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

interface Row {
  name: string;
  stack: boolean;
  level: string;
  acceptance: boolean;
}

/** Rows of the rule tables: `| name [(stack)] | level | …`, and whether they sit under "Cloud acceptance". */
function ruleRows(markdown: string): Row[] {
  const rows: Row[] = [];
  let acceptance = false;
  for (const line of markdown.split("\n")) {
    if (/^#+ /.test(line)) acceptance = /cloud acceptance/i.test(line);
    const m = /^\| ([a-z0-9-]+)( \(stack\))? \| (mandatory|advisory|disabled) \|/.exec(line);
    if (m) rows.push({ name: m[1], stack: m[2] !== undefined, level: m[3], acceptance });
  }
  return rows;
}

describe("policy docs follow the pack's rule list", () => {
  const rows = ruleRows(read("policies/README.md"));

  it("policies/README.md lists every rule of the pack once, and nothing else", () => {
    const listed = rows.map((r) => r.name);
    assert.equal(new Set(listed).size, listed.length, `a rule is listed twice: ${listed.join(", ")}`);
    assert.deepEqual([...listed].sort(), allPolicies.map((p) => p.name).sort());
  });

  it("each row gives the rule's enforcement level, its (stack) marker and its section", () => {
    const acceptance = new Set(cloudAcceptanceRules.map((p) => p.name));
    const shown = (name: string, level: string | undefined, stack: boolean, inAcceptance: boolean) =>
      `${name}${stack ? " (stack)" : ""} | ${level} | ${inAcceptance ? "cloud acceptance" : "rules"}`;
    const documented = allPolicies.map((p) => {
      const row = rows.find((r) => r.name === p.name);
      return row ? shown(row.name, row.level, row.stack, row.acceptance) : `${p.name}: missing`;
    });
    assert.deepEqual(documented, allPolicies.map((p) => shown(p.name, p.enforcementLevel, "validateStack" in p, acceptance.has(p.name))));
  });

  it("a rule count in README.md or policies/README.md, if any, is the pack's", () => {
    for (const file of ["README.md", "policies/README.md"]) {
      for (const m of read(file).matchAll(/\b(\d+) (?:rules|policies)\b/g)) assert.equal(Number(m[1]), allPolicies.length, `${file}: "${m[0]}"`);
    }
  });
});
