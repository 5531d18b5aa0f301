import * as pulumi from "@pulumi/pulumi";
import { parseProjectConfig } from "../../../infra/config/parse";
import { buildTopology } from "../../../infra/topology/build";
import type { DrMode, SiteKey, SiteTopology, Topology } from "../../../infra/topology/types";
import { RecordingMocks } from "../../../tools/plan/mocks";
import type { PlannedResource } from "../../../tools/plan/types";
import { devOnAws, drState, prodWith } from "../../support/config-fixtures";

// One mocks setup per test file: the project's recording mocks (the same ones the offline plan
// uses, so the tiers are tested against the outputs the plan sees), plus the few outputs the
// tiers read that the plan's mocks do not compute.

export const CERT_ARN = "arn:aws:acm:ap-northeast-2:123456789012:certificate/11111111-2222-3333-4444-555555555555";
export const MOCK_AUTH_TOKEN = "mock-auth-token-0123456789abcdef0123456789abcdef";

export class TierMocks extends RecordingMocks {
  readonly invokes: { token: string; inputs: Record<string, unknown> }[] = [];

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    this.invokes.push({ token: args.token, inputs: (args.inputs ?? {}) as Record<string, unknown> });
    return super.call(args);
  }

  async newResource(args: pulumi.runtime.MockResourceArgs): Promise<{ id: string; state: Record<string, unknown> }> {
    const out = await super.newResource(args);
    const inputs = (args.inputs ?? {}) as Record<string, unknown>;
    if (args.type === "random:index/randomPassword:RandomPassword") out.state = { ...out.state, result: MOCK_AUTH_TOKEN };
    // Pulumi autonames `name` properties; the mocks keep the logical name (without the suffix)
    if (args.custom !== false && args.type.startsWith("aws:") && out.state.name === undefined && !args.type.startsWith("aws:s3/")) out.state = { ...out.state, name: args.name };
    if (args.type === "aws:s3/bucket:Bucket") out.state = { ...out.state, bucketDomainName: `${inputs.bucket ?? args.name}.s3.amazonaws.com` };
    return out;
  }
}

export async function setupMocks(stack = "test"): Promise<TierMocks> {
  const mocks = new TierMocks("resilient-feed", stack);
  await pulumi.runtime.setMocks(mocks, "resilient-feed", stack, false);
  return mocks;
}

/** prod as shipped (warm-standby, Seoul + Tokyo, 3 AZs), optionally with an ALB certificate. */
export function prodTopology(opts: { mode?: DrMode; activeSite?: SiteKey; certificate?: boolean } = {}): Topology {
  return buildTopology(parseProjectConfig(prodWith((c) => {
    c.dr = drState(opts.mode ?? "warm-standby", opts.activeSite ?? "primary");
    if (opts.certificate ?? true) c.sites.primary.certificateArn = CERT_ARN;
    else delete c.sites.primary.certificateArn;
    if (!(opts.certificate ?? true)) {
      delete c.sites.secondary.certificateArn;
      delete c.sites.primary.certificateDomains;
      delete c.sites.secondary.certificateDomains;
    }
  })));
}

/** dev moved onto AWS (Singapore, 2 AZs, backup-restore, no certificate). */
export function devAwsTopology(): Topology {
  return buildTopology(parseProjectConfig(devOnAws()));
}

export const siteOf = (t: Topology, key: SiteKey): SiteTopology => {
  const s = t.sites.find((x) => x.key === key);
  if (!s) throw new Error(`no site ${key}`);
  return s;
};

/** Fake network / security ids, as the Network and SecurityChain components hand them over. */
export function fakeNetwork(site: SiteTopology) {
  const ids = (tier: string) => Array.from({ length: site.azCount }, (_, i) => `${site.key}-${tier}-${i}`);
  return {
    vpcId: `vpc-${site.key}`,
    publicSubnetIds: ids("public"),
    appSubnetIds: ids("app"),
    dataSubnetIds: ids("data"),
    loadBalancerSecurityGroupId: `sg-${site.key}-lb`,
    appSecurityGroupId: `sg-${site.key}-app`,
    databaseSecurityGroupId: `sg-${site.key}-db`,
    cacheSecurityGroupId: `sg-${site.key}-cache`,
  };
}

/** Resolves an Output (mocks run with preview = false, so every value is known). */
export function value<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply((v) => { resolve(v); return v; }));
}

/** Waits until no more resources register (component children register asynchronously). */
export const settle = (mocks: RecordingMocks): Promise<void> => mocks.settled();

/** Runs `build`, waits for registration, and returns what it registered (custom resources). */
export async function record(mocks: RecordingMocks, build: () => void | Promise<void>): Promise<Recorded> {
  const start = mocks.resources.length;
  await build();
  await settle(mocks);
  return new Recorded(mocks.resources.slice(start));
}

export class Recorded {
  constructor(readonly all: readonly PlannedResource[]) {}
  get custom(): PlannedResource[] { return this.all.filter((r) => r.custom); }
  of(type: string): PlannedResource[] { return this.custom.filter((r) => r.type === `aws:${type}` || r.type === type); }
  one(type: string, name: string): PlannedResource {
    const r = this.custom.find((x) => (x.type === `aws:${type}` || x.type === type) && x.name === name);
    if (!r) throw new Error(`no ${type} named ${name}; have ${this.of(type).map((x) => x.name).join(", ") || "none of that type"}`);
    return r;
  }
  /** count per type token, for the resource tables in the report */
  counts(): Record<string, number> {
    const c: Record<string, number> = {};
    for (const r of this.custom) c[r.type] = (c[r.type] ?? 0) + 1;
    return c;
  }
}

export const pick = (r: PlannedResource, keys: string[]): Record<string, unknown> => Object.fromEntries(keys.map((k) => [k, r.inputs[k]]));
export const json = (v: unknown): any => JSON.parse(String(v));

/** How a secret input reaches the mocks: Pulumi's secret envelope around the value. */
export const secret = (v: unknown) => ({ [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value: v });
