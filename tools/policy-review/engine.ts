import type {
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";

// The one stand-in for the CrossGuard engine's calling convention (@pulumi/policy 1.21): how a
// resource or stack policy is called, what `notApplicable` does, and which options every
// resource carries. Used by the offline review (review.ts, over a whole plan) and by the pack's
// unit tests (policies/tests/util.ts, over hand-made resources).

export type Policy = ResourceValidationPolicy | StackValidationPolicy;

/** What the engine passes to a report callback: the message and, for stack policies, a URN. */
export type Report = (message: string, urn?: string) => void;

class NotApplicableSignal extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** `args.notApplicable`: ends the policy's run for this resource or stack, with a reason. */
export function notApplicable(reason?: string): never {
  throw new NotApplicableSignal(reason ?? "");
}

/** Default resource options, as the engine fills them for a resource that sets none. */
export const resourceOptions = (parent?: string): PolicyResourceOptions => ({
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
  ...(parent !== undefined ? { parent } : {}),
});

export const isStackPolicy = (p: Policy): p is StackValidationPolicy => "validateStack" in p && typeof (p as StackValidationPolicy).validateStack === "function";
export const isResourcePolicy = (p: Policy): p is ResourceValidationPolicy => "validateResource" in p && (p as ResourceValidationPolicy).validateResource !== undefined;

export interface Context {
  readonly stackTags: ReadonlyMap<string, string>;
  readonly getConfig: <T extends object>() => T;
}

/** Runs a stack policy; resolves to the not-applicable reason, if it gave one. Other errors propagate. */
export async function runStackPolicy(policy: StackValidationPolicy, resources: PolicyResource[], ctx: Context, report: Report): Promise<string | undefined> {
  const args: StackValidationArgs = { resources, stackTags: ctx.stackTags, getConfig: ctx.getConfig, notApplicable };
  return settle(() => policy.validateStack(args, report));
}

/** Runs every validation of a resource policy on one resource; resolves to the not-applicable reason, if any. */
export async function runResourcePolicy(policy: ResourceValidationPolicy, r: PolicyResource, ctx: Context, report: Report): Promise<string | undefined> {
  const args: ResourceValidationArgs = {
    type: r.type,
    props: r.props,
    urn: r.urn,
    name: r.name,
    opts: r.opts,
    ...(r.provider ? { provider: r.provider } : {}),
    stackTags: ctx.stackTags,
    isType: r.isType,
    asType: ((cls: never) => r.asType(cls) as never) as ResourceValidationArgs["asType"],
    getConfig: ctx.getConfig,
    notApplicable,
  };
  const validations = policy.validateResource === undefined ? [] : Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
  return settle(async () => {
    for (const v of validations) await v(args, (message, urn) => report(message, urn ?? r.urn));
  });
}

async function settle(run: () => void | Promise<void>): Promise<string | undefined> {
  try {
    await run();
    return undefined;
  } catch (e) {
    if (e instanceof NotApplicableSignal) return e.reason;
    throw e;
  }
}
