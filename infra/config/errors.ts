import type { z } from "zod";

import { PROJECT_NAME } from "../names";

/** Pulumi keys a project's stack config by the project name: `resilient-feed:<key>`. */
export const NAMESPACE = PROJECT_NAME;

/** One rejected config value: which key, what was given, what is allowed. */
export interface ConfigProblem {
  readonly key: string;
  readonly value: unknown;
  readonly message: string;
}

/** Thrown before any resource is registered; its message lists every problem found. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      `invalid stack config (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${describe(p)}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

export function describe(p: ConfigProblem): string {
  return `${p.key} = ${render(p.value)}: ${p.message}`;
}

export function keyOf(path: readonly PropertyKey[]): string {
  const [head, ...rest] = path;
  let key = `${NAMESPACE}:${String(head ?? "")}`;
  for (const seg of rest) key += typeof seg === "number" ? `[${seg}]` : `.${String(seg)}`;
  return key;
}

function render(value: unknown): string {
  if (value === undefined) return "(missing)";
  const text = JSON.stringify(value);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** A key the schema does not know, with the value given and the keys allowed next to it. */
export function unknownKeyProblem(path: readonly PropertyKey[], value: unknown, allowed: readonly string[]): ConfigProblem {
  return { key: keyOf(path), value, message: `unknown key (allowed keys: ${allowed.join(", ")})` };
}

/** Turns zod's issues into problems that say the key, the value and what is allowed. */
export function problemsFromZod(error: z.ZodError, allowedKeysAt: (path: readonly PropertyKey[]) => string[]): ConfigProblem[] {
  return error.issues.flatMap((issue): ConfigProblem | ConfigProblem[] => {
    const path = issue.path;
    switch (issue.code) {
      case "unrecognized_keys":
        // one problem per unknown key, each with its own key and value
        return issue.keys.map((k) => unknownKeyProblem([...path, k], (issue.input as Record<string, unknown> | undefined)?.[k], allowedKeysAt(path)));
      case "invalid_value":
        return { key: keyOf(path), value: issue.input, message: `not allowed (allowed: ${issue.values.map(String).join(" | ")})` };
      case "invalid_type":
        return {
          key: keyOf(path),
          value: issue.input,
          message: issue.input === undefined ? `is required (expected ${issue.expected})` : `wrong type (expected ${issue.expected})`,
        };
      case "too_small":
        return { key: keyOf(path), value: issue.input, message: `too small (allowed: ${issue.inclusive === false ? ">" : "≥"} ${String(issue.minimum)})` };
      case "too_big":
        return { key: keyOf(path), value: issue.input, message: `too big (allowed: ${issue.inclusive === false ? "<" : "≤"} ${String(issue.maximum)})` };
      default:
        return { key: keyOf(path), value: issue.input, message: issue.message };
    }
  });
}
