import type {
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { DEPLOYMENT, DR_MODES, type DrMode } from "./types";

// Helpers every rule shares. Only type imports from @pulumi/policy: the rules run in the policy
// pack, in the offline review and in the unit tests without loading any provider SDK.

export type Rule = ResourceValidationPolicy | StackValidationPolicy;

export const WORLD_IPV4 = "0.0.0.0/0";
export const WORLD_IPV6 = "::/0";
export const isWorld = (cidr: unknown): boolean => cidr === WORLD_IPV4 || cidr === WORLD_IPV6;

/** `type "name"`, the way every message names the resource it is about. */
export function label(r: { type: string; name: string }): string {
  return `${shortType(r.type)} "${r.name}"`;
}

/** "aws:rds/instance:Instance" → "aws:rds/Instance"; tokens without a module stay whole. */
export function shortType(type: string): string {
  const parts = type.split(":");
  if (parts.length !== 3) return type;
  const mod = parts[1].split("/")[0];
  return `${parts[0]}:${mod}/${parts[2]}`;
}

/** Booleans arrive as booleans from programs but as "true"/"false" strings for some inputs. */
export function isTrue(v: unknown): boolean {
  return v === true || v === "true";
}

export function asArray<T = unknown>(v: unknown): T[] {
  return Array.isArray(v) ? (v as T[]) : [];
}

export function asRecord(v: unknown): Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function nonEmptyString(v: unknown): v is string {
  return typeof v === "string" && v.trim().length > 0;
}

/**
 * A tag's value from either shape AWS resources use: a map (`tags: { environment: "prod" }`) or
 * the autoscaling group's list (`tags: [{ key, value, propagateAtLaunch }]`).
 */
export function tagValue(tags: unknown, key: string): string | undefined {
  if (Array.isArray(tags)) {
    for (const t of tags) {
      const rec = asRecord(t);
      if (rec.key === key && typeof rec.value === "string") return rec.value;
    }
    return undefined;
  }
  const v = asRecord(tags)[key];
  return typeof v === "string" ? v : undefined;
}

/** The stack name carried by a URN: `urn:pulumi:<stack>::<project>::<type>::<name>`. */
export function stackOfUrn(urn: string): string | undefined {
  const m = /^urn:pulumi:([^:]+)::/.exec(urn);
  return m ? m[1] : undefined;
}

/** "prod", "prod-eu", "acme-prod" count as prod; "dev", "preprod-test" do not. */
export function isProdName(name: string | undefined): boolean {
  return name !== undefined && /(^|[-_.])prod(uction)?($|[-_.])/.test(name.toLowerCase());
}

/**
 * The environment a resource belongs to: its `environment` tag (every AWS resource the program
 * creates carries one), else the stack's `environment` tag, else the stack name in its URN.
 */
export function environmentOf(args: { urn: string; props: Record<string, unknown>; stackTags?: ReadonlyMap<string, string> }): string | undefined {
  const fromTag = tagValue(args.props.tags, "environment");
  if (fromTag !== undefined) return fromTag;
  const fromStackTag = args.stackTags?.get("environment");
  if (fromStackTag !== undefined) return fromStackTag;
  const stack = stackOfUrn(args.urn);
  return stack === undefined ? undefined : isProdName(stack) ? "prod" : stack;
}

export function isProdResource(args: ResourceValidationArgs): boolean {
  return isProdName(environmentOf(args));
}

/** Skips a prod-only resource rule outside prod, saying why. */
export function requireProd(args: ResourceValidationArgs, policy: string): void {
  if (!isProdResource(args)) {
    args.notApplicable(`${policy} applies to prod only; ${label(args)} is in environment "${environmentOf(args) ?? "unknown"}"`);
  }
}

export interface DeploymentMarker {
  readonly urn: string;
  readonly mode?: DrMode;
  readonly activeSite?: string;
  /** the old writer, fenced after a failover (until re-seeded) */
  readonly fencedSite?: string;
  readonly environment?: string;
}

/** The `resilient-feed:index:Deployment` component: DR mode, active site, environment. */
export function deploymentMarker(resources: readonly PolicyResource[]): DeploymentMarker | undefined {
  const r = resources.find((x) => x.type === DEPLOYMENT);
  if (!r) return undefined;
  const mode = r.props.mode;
  return {
    urn: r.urn,
    mode: (DR_MODES as readonly string[]).includes(mode) ? (mode as DrMode) : undefined,
    activeSite: typeof r.props.activeSite === "string" ? r.props.activeSite : undefined,
    fencedSite: fencedSiteOf(r.props),
    environment: typeof r.props.environment === "string" ? r.props.environment : undefined,
  };
}

/**
 * The old writer left fenced after a failover: the marker's fencedSite, else the site whose
 * database the per-site map calls fenced, else (a marker without either) any non-primary active site
 * means the primary is fenced.
 */
function fencedSiteOf(props: Record<string, unknown>): string | undefined {
  if (typeof props.fencedSite === "string") return props.fencedSite;
  if (props.sites !== undefined && props.sites !== null && typeof props.sites === "object") {
    const entry = Object.entries(props.sites as Record<string, unknown>).find(([, v]) => asRecord(v).database === "fenced");
    return entry?.[0];
  }
  return typeof props.activeSite === "string" && props.activeSite !== "primary" ? "primary" : undefined;
}

/** The stack's environment: the Deployment marker, else the stack tag, else the stack name. */
export function stackEnvironment(args: StackValidationArgs): string | undefined {
  const marker = deploymentMarker(args.resources);
  if (marker?.environment) return marker.environment;
  const tag = args.stackTags.get("environment");
  if (tag !== undefined) return tag;
  const first = args.resources[0];
  const stack = first ? stackOfUrn(first.urn) : undefined;
  return stack === undefined ? undefined : isProdName(stack) ? "prod" : stack;
}

export function requireProdStack(args: StackValidationArgs, policy: string): void {
  const env = stackEnvironment(args);
  if (!isProdName(env)) args.notApplicable(`${policy} applies to prod stacks only; this stack is "${env ?? "unknown"}"`);
}

/** The DR mode, read from the Deployment marker; not applicable when the stack has none. */
export function requireMode(args: StackValidationArgs, policy: string): DrMode {
  const marker = deploymentMarker(args.resources);
  if (!marker) return args.notApplicable(`${policy}: the stack has no ${DEPLOYMENT} resource carrying the DR mode`);
  if (!marker.mode) return args.notApplicable(`${policy}: the ${DEPLOYMENT} resource has no valid mode (one of ${DR_MODES.join(", ")})`);
  return marker.mode;
}

/** arn:partition:service:region:account:resource → region ("" for global services). */
export function arnRegion(arn: unknown): string | undefined {
  if (typeof arn !== "string") return undefined;
  const parts = arn.split(":");
  return parts.length >= 6 && parts[0] === "arn" ? parts[3] : undefined;
}

export function isArn(v: unknown): v is string {
  return typeof v === "string" && v.startsWith("arn:") && v.split(":").length >= 6;
}

/** A resource's region: AWS v7's per-resource `region` input, else its provider's region. */
export function regionOf(r: { props: Record<string, unknown>; provider?: { props: Record<string, unknown> } }): string | undefined {
  const own = r.props.region;
  if (typeof own === "string") return own;
  const fromProvider = r.provider?.props?.region;
  return typeof fromProvider === "string" ? fromProvider : undefined;
}

/**
 * Whether `source` (a stack resource's property) refers to `target`: the engine's property
 * dependencies first (they are known even while ids are unknown during preview), then equality
 * with one of the target's identifying outputs (id, arn, or a name-like output).
 */
export function refersTo(source: PolicyResource, property: string, target: PolicyResource, targetKeys: readonly string[] = ["id", "arn"]): boolean {
  const deps = source.propertyDependencies?.[property];
  if (deps?.some((d) => d.urn === target.urn)) return true;
  const value = source.props[property];
  const values = Array.isArray(value) ? value : [value];
  for (const key of targetKeys) {
    const out = target.props[key];
    if (typeof out === "string" && out.length > 0 && values.includes(out)) return true;
  }
  return false;
}

/** Groups by a key, keeping insertion order. */
export function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

export type { PolicyResource, ReportViolation, ResourceValidationArgs, StackValidationArgs };
