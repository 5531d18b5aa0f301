import { strict as assert } from "node:assert";

/** An EnvironmentFile as systemd reads it, after checking no line needs quoting or escapes. */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split("\n").filter((l) => l.length > 0)) {
    assert.match(line, /^[A-Z][A-Z0-9_]*=[A-Za-z0-9%._~:/@,!=+-]*$/, `line needs quoting in an EnvironmentFile: ${line}`);
    const i = line.indexOf("=");
    env[line.slice(0, i)] = line.slice(i + 1);
  }
  return env;
}
