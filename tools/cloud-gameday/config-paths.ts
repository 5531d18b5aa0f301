import { PROJECT_NAME } from "../../infra/names";
import type { ConfigMap, GamedayWorkspace } from "./workspace";

// Config as `pulumi config set --path` names it: `dr.databaseGeneration.primary`, list items as
// `sites.primary.availabilityZones[0]`, all under the project's namespace. A change sets a value
// or (undefined) removes the key; applying a change's previous values restores the config.

export interface ConfigChange {
  /** without the namespace, e.g. dr.activeSite */
  readonly path: string;
  /** undefined removes the key */
  readonly value: unknown;
}

/** The stack's project config, keys without the namespace, objects parsed. */
export function projectConfig(map: ConfigMap): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(map)) {
    if (!k.startsWith(`${PROJECT_NAME}:`)) continue;
    out[k.slice(PROJECT_NAME.length + 1)] = parse(v.value);
  }
  return out;
}

/** The stack's provider keys (aws:region, ...), secrets left out: where default providers call. */
export function providerConfig(map: ConfigMap): Record<string, string> {
  return Object.fromEntries(Object.entries(map).filter(([k, v]) => !v.secret && /^(aws|cloudflare|digitalocean):/.test(k)).map(([k, v]) => [k, v.value]));
}

function parse(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

export function getPath(config: Record<string, unknown>, path: string): unknown {
  let node: unknown = config;
  for (const k of path.split(".")) node = node && typeof node === "object" ? (node as Record<string, unknown>)[k] : undefined;
  return node;
}

/** Sets or removes each path through the workspace, one `config set/rm --path` per leaf. */
export async function applyChanges(ws: GamedayWorkspace, changes: readonly ConfigChange[], log: (line: string) => void): Promise<void> {
  for (const c of changes) {
    const key = `${PROJECT_NAME}:${c.path}`;
    if (c.value === undefined) {
      log(`pulumi config rm --path '${key}'`);
      await ws.removeConfig(key);
      continue;
    }
    if (typeof c.value === "object" && c.value !== null) {
      // a list or object is written leaf by leaf; what was there goes first
      await ws.removeConfig(key).catch(() => undefined);
      for (const [leaf, v] of leaves(c.value, key)) {
        log(`pulumi config set --path '${leaf}' ${String(v)}`);
        await ws.setConfig(leaf, String(v));
      }
      continue;
    }
    log(`pulumi config set --path '${key}' ${String(c.value)}`);
    await ws.setConfig(key, String(c.value));
  }
}

/** The changes that put back what `changes` overwrote (in reverse order). */
export function reverting(changes: readonly ConfigChange[], before: Record<string, unknown>): ConfigChange[] {
  const out: ConfigChange[] = [];
  for (const c of [...changes].reverse()) {
    // a key whose parent did not exist goes with its parent (no empty object left behind)
    const parts = c.path.split(".");
    const absent = parts.findIndex((_, i) => getPath(before, parts.slice(0, i + 1).join(".")) === undefined);
    const path = absent < 0 ? c.path : parts.slice(0, absent + 1).join(".");
    if (!out.some((x) => x.path === path)) out.push({ path, value: getPath(before, path) });
  }
  return out;
}

function leaves(value: unknown, prefix: string): [string, unknown][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, `${prefix}[${i}]`));
  if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => leaves(v, `${prefix}.${k}`));
  return [[prefix, value]];
}
