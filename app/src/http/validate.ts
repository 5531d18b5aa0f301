import type { Context } from "hono";
import type { z } from "zod";
import { AppError, badRequest } from "../errors";
import { isValidId } from "../ids";

function describe(issues: z.core.$ZodIssue[], where: string): string {
  return issues
    .slice(0, 5)
    .map((i) => `${where}${i.path.length ? "." + i.path.map(String).join(".") : ""}: ${i.message}`)
    .join("; ");
}

export function parse<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw badRequest("validation_error", describe(r.error.issues, where), r.error.issues.map((i) => ({ path: [where, ...i.path.map(String)], message: i.message })));
  return r.data;
}

/** The JSON body, validated: 415 without a JSON content type, 400 for bad JSON or a bad shape. */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const ct = c.req.header("content-type") ?? "";
  if (!/^application\/([\w.+-]+\+)?json(\s*;|$)/i.test(ct.trim())) throw new AppError(415, "unsupported_media_type", "Content-Type must be application/json");
  let raw: unknown;
  try {
    raw = JSON.parse(await c.req.text());
  } catch (e) {
    if (e instanceof AppError) throw e; // body limit
    throw badRequest("invalid_json", "request body is not valid JSON");
  }
  return parse(schema, raw, "body");
}

export function query<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  return parse(schema, c.req.query(), "query");
}

/** A path id: 400 unless it is a positive 64-bit decimal id. */
export function idParam(c: Context, name = "id"): string {
  return checkId(c.req.param(name) ?? "", name);
}

export function checkId(v: string, name: string): string {
  if (!isValidId(v)) throw badRequest("invalid_id", `${name} must be a decimal 64-bit id`);
  return v;
}
