import { z } from "zod";
import { ENVIRONMENT_DEFAULTS } from "./defaults";
import { ConfigError, ConfigProblem, problemsFromZod, unknownKeyProblem } from "./errors";
import { crossFieldProblems } from "./rules";
import type { ResolvedConfig, ResolvedSite } from "./resolved";
import { ProjectConfig, projectConfigSchema } from "./schema";

/**
 * Parses raw project config (keys without the namespace, values already JSON-decoded) into a
 * ResolvedConfig, or throws a ConfigError listing every problem. Nothing is registered before this.
 *
 * One pass: each top-level key is parsed on its own and the rules that span keys (rules.ts) run
 * over every key that parsed, so a bad value in one key does not hide a problem in another.
 */
export function parseProjectConfig(raw: Record<string, unknown>): ResolvedConfig {
  const shape = projectConfigSchema.shape;
  const sections: Record<string, unknown> = {};
  const problems: ConfigProblem[] = [];
  for (const name of Object.keys(shape) as (keyof typeof shape)[]) {
    const parsed = z.object({ [name]: shape[name] }).safeParse({ [name]: raw[name] }, { reportInput: true });
    if (parsed.success) sections[name] = (parsed.data as Record<string, unknown>)[name];
    else problems.push(...problemsFromZod(parsed.error, allowedKeysAt));
  }
  for (const [name, value] of Object.entries(raw)) {
    if (!Object.hasOwn(shape, name)) problems.push(unknownKeyProblem([name], value, Object.keys(shape)));
  }
  const resolved = resolveDefaults(sections as Partial<ProjectConfig>);
  problems.push(...crossFieldProblems(resolved));
  if (problems.length > 0) throw new ConfigError(problems);
  return resolved as ResolvedConfig;
}

/**
 * Fills in the environment's defaults for every section that parsed. Sections whose defaults
 * depend on the environment stay out while the environment itself is invalid.
 */
function resolveDefaults(cfg: Partial<ProjectConfig>): Partial<ResolvedConfig> {
  const { sites, network, api, database, cache, edge, ...rest } = cfg;
  if (cfg.environment === undefined) return rest;
  const d = ENVIRONMENT_DEFAULTS[cfg.environment];
  const site = (s: ProjectConfig["sites"]["primary"]): ResolvedSite => ({
    ...s,
    azCount: s.azCount ?? (s.cloud === "aws" ? d.awsAzCount : 1),
  });
  const minSize = api?.minSize ?? d.api.minSize;
  return {
    ...rest,
    ...(sites && { sites: { primary: site(sites.primary), secondary: sites.secondary && site(sites.secondary) } }),
    ...(network && {
      network: {
        natGateways: network.natGateways ?? d.natGateways,
        flowLogRetentionDays: network.flowLogRetentionDays ?? d.flowLogRetentionDays,
      },
    }),
    ...(api && {
      api: {
        ...api,
        instanceType: api.instanceType ?? d.api.instanceType,
        minSize,
        maxSize: api.maxSize ?? Math.max(d.api.maxSize, minSize),
        desiredSize: api.desiredSize ?? minSize,
      },
    }),
    ...(database && { database: { ...d.database, ...definedOnly(database) } }),
    ...(cache && { cache: { ...d.cache, ...definedOnly(cache) } }),
    ...(edge && { edge: { ...edge, healthCheckIntervalSeconds: edge.healthCheckIntervalSeconds ?? d.healthCheckIntervalSeconds } }),
  };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** For "unknown key" messages: the keys the schema allows at a path. */
export function allowedKeysAt(path: readonly PropertyKey[]): string[] {
  let schema: z.ZodType = projectConfigSchema;
  for (const seg of path) {
    const inner = unwrap(schema);
    if (inner instanceof z.ZodObject) schema = inner.shape[String(seg)];
    else if (inner instanceof z.ZodArray) schema = inner.element as z.ZodType;
    else return [];
    if (!schema) return [];
  }
  const obj = unwrap(schema);
  return obj instanceof z.ZodObject ? Object.keys(obj.shape) : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  // optional/default/pipe wrappers hide the object shape
  for (let i = 0; i < 5; i++) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
    else if (s instanceof z.ZodPipe) s = s.in as z.ZodType;
    else break;
  }
  return s;
}
