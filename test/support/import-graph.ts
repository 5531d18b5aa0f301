import * as fs from "node:fs";
import * as path from "node:path";

// The program's import graph, read from the source text: enough to hold the layout rules (no
// cycles, config never imports the topology, the program never imports its policy pack) without
// a dependency. TypeScript resolution is simplified to what the repository uses: relative
// specifiers to a .ts file or a folder's index.ts.

export const REPO = path.resolve(__dirname, "../..");

// `import … from "x"` and `export … from "x"` (type-only too, over several lines), `import "x"`,
// `require("x")` and `import("x")`.
const IMPORT_PATTERNS: readonly RegExp[] = [
  /\b(?:import|export)\s+(?:type\s+)?(?:[\w*${}\s,]+?)\s+from\s*["']([^"']+)["']/g,
  /\bimport\s*["']([^"']+)["']/g,
  /\b(?:require|import)\s*\(\s*["']([^"']+)["']\s*\)/g,
];

/** Every .ts file under `dir` (repository-relative, forward slashes), sorted. */
export function tsFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (abs: string): void => {
    for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
      const p = path.join(abs, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts")) out.push(rel(p));
    }
  };
  walk(path.join(REPO, dir));
  return out.sort();
}

/** The module specifiers a source text imports, in order of appearance per pattern. */
export function importSpecifiers(source: string): string[] {
  // Line comments could name a path ("see ../x"); block comments in import lists do not occur.
  const code = source.replace(/^\s*\/\/.*$/gm, "");
  return IMPORT_PATTERNS.flatMap((re) => [...code.matchAll(re)].map((m) => m[1]!));
}

export interface ImportEdge {
  readonly specifier: string;
  /** repository-relative file the specifier resolves to; undefined for a package */
  readonly target?: string;
}

/** The imports of one repository-relative file, relative ones resolved to files. */
export function importsOf(file: string): ImportEdge[] {
  const abs = path.join(REPO, file);
  return importSpecifiers(fs.readFileSync(abs, "utf8")).map((specifier) => {
    if (!specifier.startsWith(".")) return { specifier };
    const base = path.resolve(path.dirname(abs), specifier);
    const found = [`${base}.ts`, path.join(base, "index.ts"), base].find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
    // An unresolvable relative import would fail tsc; keep it visible rather than drop it.
    return { specifier, target: rel(found ?? base) };
  });
}

/** file → the repository files it imports (relative imports only). */
export function importGraph(files: readonly string[]): Map<string, string[]> {
  return new Map(files.map((f) => [f, importsOf(f).flatMap((e) => (e.target ? [e.target] : []))]));
}

/**
 * One cycle per back edge of a depth-first search, as the path that closed it (a → b → a): empty
 * exactly when the graph has no cycle. Edges to files outside the graph are ignored.
 */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      const s = state.get(next);
      if (s === "open") cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (s === undefined) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

function rel(abs: string): string {
  return path.relative(REPO, abs).split(path.sep).join("/");
}
