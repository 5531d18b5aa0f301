import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

// `npm start --detach` never reaches the script: npm takes every option before a bare `--` as its
// own config ("Unknown cli config"). So every npm script command the docs, comments and usage
// strings show must put `--` (not an optional `[--`) before its first option.

const ROOT = path.resolve(__dirname, "../..");
/** Paths outside this test's scope (their owners check them). */
const EXCLUDED = [/^node_modules\//];
const SCANNED = /\.(md|ts|sh|ya?ml)$/;

/** The options a command line hands to npm itself: those before the first bare `--`. */
function swallowedOptions(commandTail: string): string[] {
  const swallowed: string[] = [];
  for (const raw of commandTail.split(/\s+/).filter(Boolean)) {
    if (/^(#|&&|\|\|?|;|>)/.test(raw)) break; // the command ends
    const token = raw.replace(/^[[(]+/, "");
    if (raw === "--") break;
    if (token.startsWith("-")) swallowed.push(raw);
  }
  return swallowed;
}

/** `npm start …`, `npm run X …` up to the end of the code span, quote or line. */
const NPM_COMMAND = /\bnpm (?:start|stop|test|run(?:-script)? [\w:.-]+)((?:[ \t]+[^\s`'"]+)*)/g;

describe("npm script options are passed after `--`", () => {
  it("the rule: options before a bare `--` go to npm", () => {
    assert.deepEqual(swallowedOptions(" --detach"), ["--detach"]);
    assert.deepEqual(swallowedOptions(" [-- --stack prod] [--mode M]"), ["[--", "--stack", "[--mode"]);
    assert.deepEqual(swallowedOptions(" -- --detach --mode active-active"), []);
    assert.deepEqual(swallowedOptions(" all && npm stop --x"), []);
  });

  it("no doc, comment or usage string shows an npm script option npm would swallow", () => {
    const files = execFileSync("git", ["ls-files"], { cwd: ROOT, encoding: "utf8" })
      .split("\n")
      .filter((f) => SCANNED.test(f) && !EXCLUDED.some((x) => x.test(f)) && f !== path.relative(ROOT, __filename));
    const found: string[] = [];
    for (const file of files) {
      if (!fs.existsSync(path.join(ROOT, file))) continue; // deleted in the working tree
      const lines = fs.readFileSync(path.join(ROOT, file), "utf8").split("\n");
      lines.forEach((line, i) => {
        for (const m of line.matchAll(NPM_COMMAND)) {
          if (swallowedOptions(m[1]).length > 0) found.push(`${file}:${i + 1}: ${m[0].trim()}`);
        }
      });
    }
    assert.deepEqual(found, []);
  });
});
