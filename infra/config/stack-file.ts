import * as fs from "node:fs";
import * as path from "node:path";
import { parse, YAMLError } from "yaml";

/** The project root (where Pulumi.yaml lives). */
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

/** A stack file that does not exist or is not valid YAML: a user mistake, reported in one line. */
export class StackFileError extends Error {
  override name = "StackFileError";
}

/**
 * Reads `Pulumi.<stack>.yaml` into the flat key → string map Pulumi hands a program
 * (structured values as JSON strings), as `pulumi up` would. Used by the offline plan and tests.
 */
export function readStackConfig(stack: string, root = PROJECT_ROOT): Record<string, string> {
  const file = path.join(root, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) throw new StackFileError(`unknown stack "${stack}": no ${path.basename(file)} (stacks: ${listStacks(root).join(", ") || "none"})`);
  let doc: { config?: Record<string, unknown> } | null;
  try {
    doc = parse(fs.readFileSync(file, "utf8")) as typeof doc;
  } catch (e) {
    if (!(e instanceof YAMLError)) throw e;
    // yaml's message continues with a source excerpt over several lines; its first line says it all
    throw new StackFileError(`${path.basename(file)}: invalid YAML: ${e.message.split("\n")[0].replace(/:$/, "")}`);
  }
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(doc?.config ?? {})) {
    flat[key] = typeof value === "string" ? value : isSecret(value) ? "[secret]" : JSON.stringify(value);
  }
  return flat;
}

export function listStacks(root = PROJECT_ROOT): string[] {
  return fs
    .readdirSync(root)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined);
}

function isSecret(value: unknown): boolean {
  return typeof value === "object" && value !== null && "secure" in value;
}
