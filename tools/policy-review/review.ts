import type { EnforcementLevel, PolicyConfigSchema, PolicyResource } from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";
import type { PlannedResource, PlanResult } from "../plan/types";
import { isStackPolicy, resourceOptions, runResourcePolicy, runStackPolicy, type Policy } from "./engine";

// Runs a CrossGuard pack over an offline plan (tools/plan), the way `pulumi preview --policy-pack`
// runs it over a real preview: every resource policy on every resource, then every stack policy
// on the whole stack. Pure: no Pulumi engine, no I/O.

export type { Policy } from "./engine";

/** Per-policy config, as in a `--policy-pack-config` file: a level, or a level plus tunables. */
export type PackConfig = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

export interface Violation {
  readonly policyName: string;
  readonly description: string;
  readonly enforcementLevel: "mandatory" | "advisory";
  readonly severity?: string;
  readonly message: string;
  /** the resource the violation is about (stack policies may report none) */
  readonly urn?: string;
  readonly resourceName?: string;
  readonly resourceType?: string;
}

export interface NotApplicable {
  readonly policyName: string;
  readonly reason: string;
}

export interface Review {
  readonly stack: string;
  readonly mandatory: Violation[];
  readonly advisory: Violation[];
  /** stack policies that declared themselves not applicable, with why */
  readonly notApplicable: NotApplicable[];
  readonly policiesRun: number;
  readonly resourcesChecked: number;
}

/** How the offline plan's mocks name a custom resource's id (tools/plan/mocks.ts: `<name>-id`). */
export type IdOf = (r: PlannedResource) => string | undefined;
export const mockId: IdOf = (r) => (r.custom ? `${r.name}-id` : undefined);
/** Other outputs the mocks name after the resource that inputs refer to: a DigitalOcean replica's uuid (its database firewall's key). */
const mockOutputRefs = (r: PlannedResource): string[] => (r.type === "digitalocean:index/databaseReplica:DatabaseReplica" ? [`${r.name}-uuid`] : []);


/** Every string inside a value (inputs nest lists and objects). */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (typeof value === "object" && value !== null) for (const v of Object.values(value)) strings(v, out);
  return out;
}

/** Pulumi's wire marker for secrets: { [specialSigKey]: specialSecretSig, value }. */
const { specialSigKey: SIG, specialSecretSig: SECRET_SIG } = pulumi.runtime;
/** What a secret whose value the mocks could not compute (e.g. a random password's result) becomes. */
export const UNRESOLVED_SECRET = "[secret computed at deployment]";

/**
 * Inputs as a policy sees them: secrets unwrapped to their values (the engine hands policies
 * plaintext). A secret the offline evaluation left without a value is a value the program does
 * set but only the provider computes, so it becomes UNRESOLVED_SECRET rather than "missing".
 */
export function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (typeof value !== "object" || value === null) return value;
  const rec = value as Record<string, unknown>;
  if (rec[SIG] === SECRET_SIG) return rec.value === null || rec.value === undefined ? UNRESOLVED_SECRET : unwrapSecrets(rec.value);
  return Object.fromEntries(Object.entries(rec).map(([k, v]) => [k, unwrapSecrets(v)]));
}

const typeMatches = (type: string) => (cls: { __pulumiType?: string }) => (cls as { __pulumiType?: string }).__pulumiType === type;

/**
 * The plan's resources as the engine would hand them to stack policies. The plan records inputs,
 * not outputs, so `props` are the inputs. The engine reports which resources each property came
 * from (propertyDependencies); the plan does not, so they are rebuilt from the ids the mocks
 * assign (`idOf`): an input holding another resource's id depends on that resource.
 */
export function toPolicyResources(plan: PlanResult, idOf: IdOf = mockId): PolicyResource[] {
  const byId = new Map<string, PlannedResource[]>();
  for (const r of plan.resources) {
    // an input holding another resource's id or ARN (alarm actions hold topic ARNs)
    for (const id of [idOf(r), r.arn, ...mockOutputRefs(r)]) {
      if (id === undefined) continue;
      const list = byId.get(id) ?? [];
      list.push(r);
      byId.set(id, list);
    }
  }
  const byUrn = new Map<string, PolicyResource>();
  const out = plan.resources.map((r) => {
    const props = unwrapSecrets(structuredClone(r.inputs)) as Record<string, unknown>;
    const pkg = r.type.split(":")[0];
    const provider = r.region !== undefined && props.region === undefined && r.custom
      ? { type: `pulumi:providers:${pkg}`, urn: `urn:pulumi:${plan.stack}::offline::pulumi:providers:${pkg}::${r.region}`, name: r.region, props: { region: r.region } }
      : undefined;
    const pr: PolicyResource = {
      type: r.type,
      name: r.name,
      urn: r.urn,
      props,
      opts: resourceOptions(r.parentUrn),
      dependencies: [],
      propertyDependencies: {},
      isType: (cls) => typeMatches(r.type)(cls as { __pulumiType?: string }),
      asType: (cls) => (typeMatches(r.type)(cls as { __pulumiType?: string }) ? (props as never) : undefined),
      ...(provider ? { provider } : {}),
    };
    byUrn.set(r.urn, pr);
    return pr;
  });
  plan.resources.forEach((r, i) => {
    const pr = out[i];
    if (r.parentUrn !== undefined) pr.parent = byUrn.get(r.parentUrn);
    const all = new Set<PolicyResource>();
    for (const [key, value] of Object.entries(r.inputs)) {
      const deps = new Set<PolicyResource>();
      for (const s of strings(value)) {
        for (const target of byId.get(s) ?? []) {
          if (target.urn !== r.urn) deps.add(byUrn.get(target.urn)!);
        }
      }
      if (deps.size > 0) {
        pr.propertyDependencies[key] = [...deps];
        deps.forEach((d) => all.add(d));
      }
    }
    pr.dependencies = [...all];
  });
  return out;
}

/** The level a policy runs at: the config's, else the policy's, else the pack default. */
function levelOf(policy: Policy, config: PackConfig, packDefault: EnforcementLevel): EnforcementLevel {
  const c = config[policy.name];
  if (typeof c === "string") return c;
  return c?.enforcementLevel ?? policy.enforcementLevel ?? packDefault;
}

/** What `args.getConfig()` returns in the engine: the schema's defaults under the configured values. */
function configFor(policy: Policy, config: PackConfig): Record<string, unknown> {
  const schema: PolicyConfigSchema | undefined = policy.configSchema;
  const defaults: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema?.properties ?? {})) {
    if (typeof v === "object" && v.default !== undefined) defaults[k] = structuredClone(v.default);
  }
  const c = config[policy.name];
  const set: Record<string, unknown> = typeof c === "object" && c !== null ? { ...c } : {};
  delete set.enforcementLevel;
  return { ...defaults, ...set };
}

/**
 * Runs every policy over the plan. `packDefault` is the PolicyPack's enforcementLevel (policies
 * without their own level use it). "disabled" policies are skipped; "remediate" counts as mandatory.
 */
export async function reviewPlan(plan: PlanResult, policies: readonly Policy[], config: PackConfig = {}, packDefault: EnforcementLevel = "mandatory"): Promise<Review> {
  const resources = toPolicyResources(plan);
  const stackTags: ReadonlyMap<string, string> = new Map();
  const mandatory: Violation[] = [];
  const advisory: Violation[] = [];
  const notApplicableList: NotApplicable[] = [];
  let policiesRun = 0;

  for (const policy of policies) {
    const level = levelOf(policy, config, packDefault);
    if (level === "disabled") continue;
    policiesRun++;
    const bucket = level === "advisory" ? advisory : mandatory;
    const record = (message: string, r?: PolicyResource) => bucket.push({
      policyName: policy.name,
      description: policy.description,
      enforcementLevel: level === "advisory" ? "advisory" : "mandatory",
      ...(policy.severity !== undefined ? { severity: policy.severity } : {}),
      message,
      ...(r ? { urn: r.urn, resourceName: r.name, resourceType: r.type } : {}),
    });
    const policyConfig = configFor(policy, config);
    const getConfig = <T extends object>(): T => structuredClone(policyConfig) as T;
    const fail = (e: unknown): never => {
      throw new Error(`policy ${policy.name} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    };

    const ctx = { stackTags, getConfig };
    try {
      if (isStackPolicy(policy)) {
        const reason = await runStackPolicy(policy, resources, ctx, (message, urn) => record(message, urn === undefined ? undefined : resources.find((r) => r.urn === urn)));
        if (reason !== undefined) notApplicableList.push({ policyName: policy.name, reason });
        continue;
      }
      for (const r of resources) await runResourcePolicy(policy, r, ctx, (message) => record(message, r));
    } catch (e) {
      fail(e);
    }
  }
  return { stack: plan.stack, mandatory, advisory, notApplicable: notApplicableList, policiesRun, resourcesChecked: resources.length };
}

// --- formatting ------------------------------------------------------------------------------

export interface ReviewContext {
  readonly stack: string;
  readonly mode?: string;
  readonly activeSite?: string;
}

function heading(ctx: ReviewContext): string {
  const extra = [ctx.mode ? `mode ${ctx.mode}` : undefined, ctx.activeSite ? `active site ${ctx.activeSite}` : undefined].filter(Boolean).join(", ");
  return `stack ${ctx.stack}${extra ? ` (${extra})` : ""}`;
}

function where(v: Violation): string {
  return v.urn ?? "(stack)";
}

/** Plain text for the terminal, grouped by enforcement level then policy. */
export function formatText(review: Review, ctx: ReviewContext): string {
  const lines: string[] = [];
  lines.push(`Policy review of ${heading(ctx)}: ${review.policiesRun} policies over ${review.resourcesChecked} resources`);
  lines.push(`  mandatory violations: ${review.mandatory.length}   advisory: ${review.advisory.length}`);
  for (const [title, list] of [["MANDATORY (blocks the deployment)", review.mandatory], ["ADVISORY", review.advisory]] as const) {
    lines.push("");
    lines.push(`${title}: ${list.length === 0 ? "none" : list.length}`);
    for (const [policy, group] of groupByPolicy(list)) {
      lines.push(`  [${policy}] ${group[0].description}`);
      for (const v of group) {
        lines.push(`    - ${where(v)}`);
        lines.push(`      ${v.message}`);
      }
    }
  }
  if (review.notApplicable.length > 0) {
    lines.push("");
    lines.push("Not applicable to this stack:");
    for (const n of review.notApplicable) lines.push(`  [${n.policyName}] ${n.reason}`);
  }
  lines.push("");
  lines.push(review.mandatory.length === 0 ? "Result: PASS (no mandatory violations)" : `Result: FAIL (${review.mandatory.length} mandatory violation(s))`);
  return lines.join("\n");
}

function md(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** Markdown for a pull-request comment. */
export function formatMarkdown(review: Review, ctx: ReviewContext): string {
  const lines: string[] = [];
  const status = review.mandatory.length === 0 ? "✅ pass" : `❌ ${review.mandatory.length} mandatory violation(s)`;
  lines.push(`### Policy review: ${heading(ctx)} — ${status}`);
  lines.push("");
  lines.push(`${review.policiesRun} policies of the \`resilient-feed\` pack over ${review.resourcesChecked} planned resources: **${review.mandatory.length} mandatory**, ${review.advisory.length} advisory.`);
  for (const [title, list] of [["Mandatory", review.mandatory], ["Advisory", review.advisory]] as const) {
    lines.push("");
    lines.push(`#### ${title} (${list.length})`);
    lines.push("");
    if (list.length === 0) {
      lines.push("None.");
      continue;
    }
    lines.push("| Policy | Resource | Violation |");
    lines.push("|---|---|---|");
    for (const v of list) {
      const resource = v.resourceName ? `\`${md(v.resourceName)}\` (${md(v.resourceType ?? "")})` : "stack";
      lines.push(`| \`${v.policyName}\` | ${resource} | ${md(v.message)} |`);
    }
  }
  if (review.notApplicable.length > 0) {
    lines.push("");
    lines.push("<details><summary>Not applicable to this stack</summary>");
    lines.push("");
    for (const n of review.notApplicable) lines.push(`- \`${n.policyName}\`: ${md(n.reason)}`);
    lines.push("");
    lines.push("</details>");
  }
  return lines.join("\n");
}

function groupByPolicy(list: readonly Violation[]): Map<string, Violation[]> {
  const out = new Map<string, Violation[]>();
  for (const v of list) {
    const g = out.get(v.policyName) ?? [];
    g.push(v);
    out.set(v.policyName, g);
  }
  return out;
}
