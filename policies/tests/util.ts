import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { isResourcePolicy, isStackPolicy, resourceOptions, runResourcePolicy, runStackPolicy } from "../../tools/policy-review/engine";
import type { Rule } from "../rules/common";

// Runs one rule against fake resources through the offline review's engine stand-in
// (tools/policy-review/engine.ts: the @pulumi/policy 1.21 calling convention), and collects what
// the rule reported.

export interface Outcome {
  /** messages passed to reportViolation, in order */
  readonly violations: string[];
  /** the URN each violation was reported against (stack rules may name one) */
  readonly urns: (string | undefined)[];
  /** the reason, when the rule called notApplicable */
  readonly notApplicable?: string;
}

export const STACK = "prod";
export const urnOf = (type: string, name: string, stack = STACK): string => `urn:pulumi:${stack}::resilient-feed::${type}::${name}`;

export interface FakeResource {
  type: string;
  name: string;
  props: Record<string, unknown>;
  stack?: string;
  /** property name → names of fake resources it depends on (as the engine reports) */
  deps?: Record<string, string[]>;
}

const noConfig = (config: object | undefined) => <T extends object>(): T => (config ?? {}) as T;

export function isResourceRule(rule: Rule): rule is ResourceValidationPolicy {
  return isResourcePolicy(rule);
}

export function isStackRule(rule: Rule): rule is StackValidationPolicy {
  return isStackPolicy(rule);
}

/** Runs a resource rule on one fake resource. */
export async function checkResource(rule: Rule, r: FakeResource, opts: { config?: object; stackTags?: Record<string, string> } = {}): Promise<Outcome> {
  if (!isResourceRule(rule)) throw new Error(`${rule.name} is not a resource rule`);
  const out = { violations: [] as string[], urns: [] as (string | undefined)[] };
  const [resource] = policyResources([r]);
  const ctx = { stackTags: new Map(Object.entries(opts.stackTags ?? {})), getConfig: noConfig(opts.config) };
  const reason = await runResourcePolicy(rule, resource, ctx, (message, urn) => {
    out.violations.push(message);
    out.urns.push(urn ?? resource.urn);
  });
  return reason === undefined ? out : { ...out, notApplicable: reason };
}

/** Builds the stack's PolicyResources, resolving `deps` by name into property dependencies. */
export function policyResources(fakes: readonly FakeResource[]): PolicyResource[] {
  const byName = new Map<string, PolicyResource>();
  const list = fakes.map((f) => {
    const r: PolicyResource = {
      type: f.type,
      name: f.name,
      urn: urnOf(f.type, f.name, f.stack),
      props: f.props,
      opts: resourceOptions(),
      dependencies: [],
      propertyDependencies: {},
      isType: () => false,
      asType: () => undefined,
    };
    if (byName.has(f.name)) throw new Error(`fake stack: two resources named ${f.name}; give fakes distinct names`);
    byName.set(f.name, r);
    return r;
  });
  fakes.forEach((f, i) => {
    for (const [prop, names] of Object.entries(f.deps ?? {})) {
      const targets = names.map((n) => {
        const t = byName.get(n);
        if (!t) throw new Error(`fake ${f.name}: dependency ${n} is not in the stack`);
        return t;
      });
      list[i].propertyDependencies[prop] = targets;
      list[i].dependencies.push(...targets);
    }
  });
  return list;
}

/** Runs a stack rule over fake resources. */
export async function checkStack(rule: Rule, fakes: readonly FakeResource[], opts: { config?: object; stackTags?: Record<string, string> } = {}): Promise<Outcome> {
  if (!isStackRule(rule)) throw new Error(`${rule.name} is not a stack rule`);
  const out = { violations: [] as string[], urns: [] as (string | undefined)[] };
  const ctx = { stackTags: new Map(Object.entries(opts.stackTags ?? {})), getConfig: noConfig(opts.config) };
  const reason = await runStackPolicy(rule, policyResources(fakes), ctx, (message, urn) => {
    out.violations.push(message);
    out.urns.push(urn);
  });
  return reason === undefined ? out : { ...out, notApplicable: reason };
}

/** Standard tags of the program's AWS resources. */
export function tags(environment: "dev" | "prod", extra: Record<string, string> = {}): Record<string, string> {
  return { project: "resilient-feed", environment, site: "primary", ...extra };
}

/** The stack marker the program registers. */
export function deployment(mode: string, environment = "prod", activeSite = "primary"): FakeResource {
  return { type: "resilient-feed:index:Deployment", name: `resilient-feed-${environment}`, props: { mode, environment, activeSite, writerSite: activeSite } };
}
