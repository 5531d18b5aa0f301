// What the offline plan records for every resource the program registers under Pulumi mocks.

export interface PlannedResource {
  readonly urn: string;
  /** Pulumi type token, e.g. "aws:ec2/vpc:Vpc" or "resilient-feed:aws:Network" */
  readonly type: string;
  /** logical name */
  readonly name: string;
  /** the inputs the program passed (secrets unwrapped), as the mocks received them */
  readonly inputs: Record<string, unknown>;
  /** false for ComponentResources */
  readonly custom: boolean;
  /** the parent's plan URN (component or custom resource); absent for resources under the stack */
  readonly parentUrn?: string;
  /** the resource's region: the per-resource `region` input, else its provider's region */
  readonly region?: string;
  /** the ARN the offline mocks assign (AWS custom resources): other inputs refer to it */
  readonly arn?: string;
  /** registered with Pulumi's retainOnDelete: dropping it from the program leaves it in the cloud */
  readonly retainOnDelete?: boolean;
  /** registered with deleteBeforeReplace: a replacement deletes the old copy before creating the new */
  readonly deleteBeforeReplace?: boolean;
  /**
   * the plan URNs this resource depends on, as the engine receives them (explicit dependsOn,
   * inputs read from other resources, a custom parent): creates and updates wait for these
   */
  readonly dependencies?: readonly string[];
  /** former URNs of this resource (Pulumi aliases): a state holding one of them is this resource */
  readonly aliases?: readonly string[];
}

/** One provider function call (invoke) the program made, and the region it goes to. */
export interface PlannedInvoke {
  /** e.g. "aws:ssm/getParameter:getParameter" */
  readonly token: string;
  /** the region the call is sent to (explicit input, its provider's, or the default provider's); none for global APIs */
  readonly region?: string;
}

export interface PlanResult {
  readonly stack: string;
  readonly resources: readonly PlannedResource[];
  /** the stack's flattened project config (keys like "resilient-feed:dr") as JSON values */
  readonly config: Record<string, unknown>;
  readonly outputs: Record<string, unknown>;
  /** every provider function the program called, in call order */
  readonly invokes: readonly PlannedInvoke[];
  /** packages whose default provider (configured from the stack's `<pkg>:*` keys) a resource or call used */
  readonly defaultProviders?: readonly string[];
  /** the stack's provider config (`aws:region`, `aws:skipCredentialsValidation`, ...), secrets left out */
  readonly providerConfig?: Readonly<Record<string, string>>;
}
