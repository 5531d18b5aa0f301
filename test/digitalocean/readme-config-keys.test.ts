import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import type { z } from "zod";
import { digitaloceanSchema, drSchema } from "../../infra/config/schema";

// The README's config reference names every key of the DigitalOcean section and of dr (where the
// DigitalOcean restore sources live), so a key added to the schema without a row fails here.
// A row may name siblings in shorthand: `digitalocean.database.size` / `.nodeCount`.

const README = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
const rows = README.split("\n").filter((l) => l.startsWith("| `"));

type Def = { type: string; innerType?: z.ZodType; shape?: Record<string, z.ZodType> };
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Every leaf key path under a schema (objects walked through optional and default wrappers). */
function leafKeys(schema: z.ZodType, prefix: string): string[] {
  let def = defOf(schema);
  while (def.innerType && ["optional", "default", "nullable"].includes(def.type)) def = defOf(def.innerType);
  if (def.type !== "object" || !def.shape) return [prefix];
  return Object.entries(def.shape).flatMap(([k, v]) => leafKeys(v, `${prefix}.${k}`));
}

const documented = (key: string) => {
  const parent = key.slice(0, key.lastIndexOf("."));
  const leaf = key.slice(key.lastIndexOf(".") + 1);
  return rows.some((r) => r.includes(`\`${key}\``) || (r.includes(`\`${parent}.`) && r.includes(`\`.${leaf}\``)));
};

describe("digitalocean: the README's config reference covers every key", () => {
  it("every digitalocean.* and dr.* key has a row, and sites.<site>.databaseCaCertificate", () => {
    const keys = [...leafKeys(digitaloceanSchema, "digitalocean"), ...leafKeys(drSchema, "dr"), "sites.<site>.databaseCaCertificate"];
    assert.ok(keys.includes("digitalocean.dumps.heartbeatUrl") && keys.includes("dr.restoreFromDump.key"), keys.join(", "));
    assert.deepEqual(keys.filter((k) => !documented(k)), []);
    assert.equal(documented("digitalocean.dumps.unknownKey"), false);
  });
});
