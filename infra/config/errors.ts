import type { z } from "zod";

export const NAMESPACE = "resilient-feed";

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

/** Turns zod's issues into problems that say the key, the value and what is allowed. */
export function problemsFromZod(error: z.ZodError, allowedKeysAt: (path: readonly PropertyKey[]) => string[]): ConfigProblem[] {
  return error.issues.map((issue): ConfigProblem => {
    const path = issue.path;
    switch (issue.code) {
      case "unrecognized_keys":
        return {
          key: keyOf(path),
          value: issue.keys.length === 1 ? issue.keys[0] : issue.keys,
          message: `unknown key${issue.keys.length === 1 ? "" : "s"} ${issue.keys.map((k) => `"${k}"`).join(", ")} (allowed keys: ${allowedKeysAt(path).join(", ")})`,
        };
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
