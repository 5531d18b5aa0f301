import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";

// The app's module graph, read from the sources: every relative import, type-only ones included
// (a type-only cycle still couples the modules and turns into a runtime cycle on the first value
// import added to it).

const SRC = path.join(__dirname, "..", "src");

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  return [...text.matchAll(/\bfrom\s+"(\.{1,2}\/[^"]+)"/g)].map((m) => {
    const base = path.join(path.dirname(file), m[1]);
    return fs.existsSync(base + ".ts") ? base + ".ts" : path.join(base, "index.ts");
  });
}

function cycles(files: string[]): string[][] {
  const graph = new Map(files.map((f) => [f, importsOf(f)]));
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (f: string) => {
    state.set(f, "open");
    stack.push(f);
    for (const g of graph.get(f) ?? []) {
      if (state.get(g) === "open") found.push([...stack.slice(stack.indexOf(g)), g].map((p) => path.relative(SRC, p)));
      else if (!state.has(g)) visit(g);
    }
    stack.pop();
    state.set(f, "done");
  };
  for (const f of files) if (!state.has(f)) visit(f);
  return found;
}

describe("app: source structure", () => {
  it("app/src has no import cycle (type-only imports included)", () => {
    assert.deepEqual(cycles(sourceFiles(SRC)), []);
  });

  it("no app/src file is over 300 lines", () => {
    const long = sourceFiles(SRC)
      .map((f) => [path.relative(SRC, f), fs.readFileSync(f, "utf8").split("\n").length - 1] as const)
      .filter(([, lines]) => lines > 300);
    assert.deepEqual(long, []);
  });

  it("the feed-list encoding lives in one leaf module that imports nothing", () => {
    const leaf = path.join(SRC, "feed", "list-encoding.ts");
    assert.deepEqual(importsOf(leaf), []);
    for (const f of sourceFiles(SRC).filter((f) => f !== leaf)) {
      const text = fs.readFileSync(f, "utf8");
      assert.doesNotMatch(text, /padStart\(20|`feed:\$\{|redis\.call\('ZADD'/, `${path.relative(SRC, f)} re-implements the feed-list encoding`);
    }
  });
});
