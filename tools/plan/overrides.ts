import { UsageError } from "../cli-support";

// `--set dr.databaseGeneration.primary=1` → { dr: { databaseGeneration: { primary: 1 } } }: the
// nested config overrides evaluateStack merges, named the way `pulumi config set --path` names
// keys (without the project prefix). Values are JSON when they parse as JSON, else strings.

const PATH = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/;

export function configOverrides(assignments: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of assignments) {
    const eq = a.indexOf("=");
    const path = eq < 0 ? a : a.slice(0, eq);
    if (eq < 0 || !PATH.test(path)) throw new UsageError(`--set/--from takes KEY=VALUE with a dotted key such as dr.databaseGeneration.primary=1, got "${a}"`);
    const keys = path.split(".");
    let node = out;
    for (const k of keys.slice(0, -1)) {
      const next = node[k];
      if (typeof next === "object" && next !== null) node = next as Record<string, unknown>;
      else node = node[k] = {};
    }
    node[keys[keys.length - 1]] = parseValue(a.slice(eq + 1));
  }
  return out;
}

function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
