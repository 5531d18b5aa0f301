import * as pulumi from "@pulumi/pulumi";
import { NAMESPACE } from "./errors";
import { parseProjectConfig } from "./parse";
import type { ResolvedConfig } from "./resolved";

/**
 * Reads every `resilient-feed:*` key of the current stack (structured values arrive as JSON
 * strings) and validates them together, so a typo'd top-level key is reported too.
 */
export function loadProjectConfig(): ResolvedConfig {
  return parseProjectConfig(projectConfigFrom(pulumi.runtime.allConfig()));
}

/** Strips the namespace and decodes JSON values; plain strings stay strings. */
export function projectConfigFrom(all: Record<string, string>): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const [fullKey, value] of Object.entries(all)) {
    const [ns, key] = fullKey.split(":", 2);
    if (ns !== NAMESPACE || key === undefined) continue;
    raw[key] = decode(value);
  }
  return raw;
}

function decode(value: string): unknown {
  const trimmed = value.trim();
  if (/^[[{"]/.test(trimmed) || /^-?\d+(\.\d+)?$/.test(trimmed) || trimmed === "true" || trimmed === "false") {
    try {
      return JSON.parse(trimmed);
    } catch {
      return value;
    }
  }
  return value;
}
