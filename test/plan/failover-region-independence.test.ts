import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { parse, stringify } from "yaml";
import { ConfigError, describe as describeProblem } from "../../infra/config/errors";
import { PROJECT_ROOT } from "../../infra/config/stack-file";
import { parseProjectConfig } from "../../infra/config/parse";
import { evaluateStack } from "../../tools/plan/evaluate";
import type { RecordingMocks } from "../../tools/plan/mocks";
import type { PlanResult, PlannedResource } from "../../tools/plan/types";
import { drState, prodWith } from "../support/config-fixtures";

// A failover `up` must not need the failed region: no provider function call goes there (AMI, AZ
// names and the account id are pinned or asked elsewhere), the AWS provider's own start-up calls
// go to the writer's region, and a fenced site's launch template and subnets stay as they were.

const MODES = ["backup-restore", "pilot-light", "warm-standby", "active-active"] as const;
const SEOUL = "ap-northeast-2";
const TOKYO = "ap-northeast-1";

/** Which provider every AWS registration and call named (none = the stack's default provider). */
interface ProviderUse { readonly what: string; readonly provider?: string }

async function evaluate(configOverrides: Record<string, unknown>): Promise<{ plan: PlanResult; uses: ProviderUse[] }> {
  const uses: ProviderUse[] = [];
  const plan = await evaluateStack({
    stack: "prod",
    configOverrides,
    observe: (mocks: RecordingMocks) => {
      const register = mocks.newResource.bind(mocks);
      const call = mocks.call.bind(mocks);
      mocks.newResource = (a: pulumi.runtime.MockResourceArgs) => {
        if (a.type.startsWith("aws:") && a.custom !== false) uses.push({ what: `${a.type}::${a.name}`, provider: a.provider });
        return register(a);
      };
      mocks.call = (a: pulumi.runtime.MockCallArgs) => {
        if (a.token.startsWith("aws:")) uses.push({ what: a.token, provider: a.provider });
        return call(a);
      };
    },
  });
  return { plan, uses };
}

const one = (p: PlanResult, type: string, name: string): PlannedResource => {
  const found = p.resources.filter((r) => r.type === type && r.name === name);
  assert.equal(found.length, 1, `${type}::${name} registered once`);
  return found[0];
};
const callsInto = (p: PlanResult, region: string) => p.invokes.filter((i) => i.region === region).map((i) => i.token);
const awsProviders = (p: PlanResult) => p.resources.filter((r) => r.type === "pulumi:providers:aws");
const fencedInputs = (p: PlanResult, site: string) => ({
  launchTemplate: one(p, "aws:ec2/launchTemplate:LaunchTemplate", `${site}-api`).inputs,
  subnets: p.resources.filter((r) => r.type === "aws:ec2/subnet:Subnet" && r.name.startsWith(`${site}-net-`)).map((r) => [r.name, r.inputs.availabilityZone]),
});

describe("failover without the failed region (issue 17 §3)", function () {
  this.timeout(900_000);
  const normal = new Map<string, { plan: PlanResult; uses: ProviderUse[] }>();
  const failed = new Map<string, { plan: PlanResult; uses: ProviderUse[] }>();

  before(async () => {
    for (const mode of MODES) {
      normal.set(mode, await evaluate({ dr: drState(mode, "primary") }));
      failed.set(mode, await evaluate({ dr: drState(mode, "secondary") }));
    }
  });

  for (const mode of MODES) {
    it(`${mode}: the failover calls no provider function in the fenced primary's region (${SEOUL})`, () => {
      const { plan } = failed.get(mode)!;
      assert.equal(plan.outputs.fencedSite, "primary");
      assert.deepEqual(callsInto(plan, SEOUL), []);
      // the account id is still asked, through the provider in the writer's region
      assert.ok(callsInto(plan, TOKYO).includes("aws:index/getCallerIdentity:getCallerIdentity"));
    });

    it(`${mode}: the fenced primary's launch template and subnets keep every input (AMI and AZ names pinned)`, () => {
      const before = fencedInputs(normal.get(mode)!.plan, "primary");
      const after = fencedInputs(failed.get(mode)!.plan, "primary");
      assert.deepEqual(after, before);
      assert.equal(after.launchTemplate.imageId, "ami-c68564dc22b0550ac", "the AMI pinned in Pulumi.prod.yaml");
      for (const [name, az] of after.subnets) assert.equal(az, ["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c"][Number(String(name).split("-").pop())], `${name} in the pinned AZ`);
    });

    it(`${mode}: one AWS provider, in the writer's region, with its settings exactly; every AWS resource and call goes through it`, () => {
      for (const [state, site, region] of [[normal, "primary", SEOUL], [failed, "secondary", TOKYO]] as const) {
        const { plan, uses } = state.get(mode)!;
        assert.equal(plan.outputs.activeSite, site);
        const providers = awsProviders(plan);
        assert.deepEqual(providers.map((p) => [p.urn, p.inputs]), [[
          "urn:pulumi:prod::resilient-feed::pulumi:providers:aws::aws",
          { region, skipCredentialsValidation: "false", skipRegionValidation: "false", skipRequestingAccountId: "false" },
        ]]);
        assert.equal(providers[0].region, undefined, "a provider is configuration, in no region");
        const ref = "urn:pulumi:prod::resilient-feed::pulumi:providers:aws::aws::aws-id";
        assert.deepEqual(uses.filter((u) => u.provider !== ref).map((u) => u.what), [], "nothing on the default provider (the stack's aws:region)");
      }
    });
  }

  it("failback stage 2 (the secondary fenced): no call into Tokyo, the provider moves back to Seoul", async () => {
    const { plan } = await evaluate({ dr: { mode: "warm-standby", activeSite: "primary", databaseGeneration: { primary: 1, secondary: 0 } } });
    assert.equal(plan.outputs.fencedSite, "secondary");
    assert.deepEqual(callsInto(plan, TOKYO), []);
    assert.equal(awsProviders(plan)[0].inputs.region, SEOUL);
  });

  it("regional resources keep their own region; global ones (IAM, Route 53, CloudFront) have none, whatever the provider's", () => {
    for (const { plan } of [...normal.values(), ...failed.values()]) {
      for (const r of plan.resources.filter((x) => x.custom && x.type.startsWith("aws:"))) {
        const global = /^aws:(iam|route53|cloudfront)\//.test(r.type);
        if (global) assert.equal(r.region, undefined, `${r.type}::${r.name}`);
        else assert.equal(r.region, r.inputs.region, `${r.type}::${r.name} names its region`);
      }
    }
  });
});

describe("pins: sites.<site>.amiId and availabilityZones", function () {
  this.timeout(600_000);
  // prod as a stack that never pinned: a stack file in the project root, where evaluateStack looks
  const unpinned = `pins-test-${process.pid}`;
  const unpinnedFile = path.join(PROJECT_ROOT, `Pulumi.${unpinned}.yaml`);
  before(() => {
    const doc = parse(fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.prod.yaml"), "utf8"));
    for (const site of Object.values(doc.config["resilient-feed:sites"]) as Record<string, unknown>[]) {
      delete site.amiId;
      delete site.availabilityZones;
    }
    fs.writeFileSync(unpinnedFile, stringify(doc));
  });
  after(() => fs.rmSync(unpinnedFile, { force: true }));

  const failedOver = (edit: (c: Record<string, any>) => void) => prodWith((c) => {
    c.dr = drState("warm-standby", "secondary");
    edit(c);
  });
  const problems = (raw: Record<string, unknown>): string[] => {
    try {
      parseProjectConfig(raw);
    } catch (e) {
      if (e instanceof ConfigError) return e.problems.map(describeProblem);
      throw e;
    }
    return [];
  };

  it("a fenced AWS site without its pins is refused before any resource registers, naming the key, the value and what is allowed", async () => {
    let mocks: RecordingMocks | undefined;
    await assert.rejects(evaluateStack({ stack: unpinned, activeSite: "secondary", observe: (m) => (mocks = m) }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.deepEqual(e.problems.map(describeProblem), [
        "resilient-feed:sites.primary.amiId = (missing): required while the primary is fenced (dr.activeSite: secondary): its region may be down, and a lookup there fails the whole run (allowed: the AMI id the primary's launch template runs, stack output sites.primary.pins.amiId from before the failover)",
        "resilient-feed:sites.primary.availabilityZones = (missing): required while the primary is fenced (dr.activeSite: secondary): its region may be down, and a lookup there fails the whole run (allowed: the 3 AZ names its subnets are in, in subnet order, stack output sites.primary.pins.availabilityZones)",
      ]);
      return true;
    });
    assert.equal(mocks!.resources.length, 0);
  });

  it("unpinned sites look up in their own regions; the plan warns with the commands that pin what they run, and those pins carry the failover", async () => {
    const before = await evaluateStack({ stack: unpinned });
    const lookups = before.invokes.filter((i) => /getParameter|getAvailabilityZones/.test(i.token)).map((i) => `${i.token.split(":").pop()} ${i.region}`).sort();
    assert.deepEqual(lookups, [`getAvailabilityZones ${TOKYO}`, `getAvailabilityZones ${SEOUL}`, `getParameter ${TOKYO}`, `getParameter ${SEOUL}`]);
    const hint = (before.outputs.warnings as string[]).find((w) => w.startsWith("sites.primary is not pinned"));
    assert.ok(hint, "a warning for the unpinned primary");
    const lt = one(before, "aws:ec2/launchTemplate:LaunchTemplate", "primary-api").inputs;
    assert.ok(hint.includes(`pulumi config set --path 'resilient-feed:sites.primary.amiId' ${lt.imageId as string}; `), hint);
    const zones = ["0", "1", "2"].map((i) => new RegExp(`'resilient-feed:sites\\.primary\\.availabilityZones\\[${i}\\]' (\\S+?)(;|$)`).exec(hint)![1]);
    assert.deepEqual(zones, ["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c"]);
    assert.ok((before.outputs.warnings as string[]).some((w) => w.startsWith("sites.secondary is not pinned")));

    // the failover with what the hint said, while SSM would now answer a newer AMI everywhere
    const newer = "ami-0123456789abcdef0";
    const after = await evaluateStack({
      stack: unpinned,
      activeSite: "secondary",
      configOverrides: { sites: { primary: { amiId: lt.imageId, availabilityZones: zones } } },
      observe: (m) => {
        const call = m.call.bind(m);
        m.call = (a: pulumi.runtime.MockCallArgs) => (a.token === "aws:ssm/getParameter:getParameter" ? { ...call(a), value: newer } : call(a));
      },
    });
    assert.deepEqual(callsInto(after, SEOUL), []);
    assert.deepEqual(fencedInputs(after, "primary"), fencedInputs(before, "primary"));
    assert.equal(one(after, "aws:ec2/launchTemplate:LaunchTemplate", "secondary-api").inputs.imageId, newer, "the writer takes the newer AMI");
    assert.ok(!(after.outputs.warnings as string[]).some((w) => w.startsWith("sites.primary is not pinned")), "the pinned, fenced primary gets no hint");
  });

  it("the site that is not fenced may stay unpinned", () => {
    assert.deepEqual(problems(failedOver((c) => {
      delete c.sites.secondary.amiId;
      delete c.sites.secondary.availabilityZones;
    })), []);
  });

  it("bad pins: a malformed AMI, AZs of another region, a repeated AZ, too few AZs, pins on a DigitalOcean site", () => {
    assert.deepEqual(problems(prodWith((c) => (c.sites.secondary.amiId = "ami-XYZ"))), [
      'resilient-feed:sites.secondary.amiId = "ami-XYZ": must be an EC2 image id (ami- and 8 or 17 lower-case hex digits), e.g. the stack output sites.<site>.pins.amiId',
    ]);
    assert.deepEqual(problems(prodWith((c) => {
      c.sites.primary.availabilityZones = ["ap-northeast-1a", "ap-northeast-2b", "ap-northeast-2c"];
      c.sites.secondary.availabilityZones = ["ap-northeast-1a", "ap-northeast-1a", "ap-northeast-1c"];
    })), [
      'resilient-feed:sites.primary.availabilityZones = ["ap-northeast-1a","ap-northeast-2b","ap-northeast-2c"]: ap-northeast-1a is not in ap-northeast-2 (allowed: AZ names of the site\'s region, e.g. ap-northeast-2a)',
      'resilient-feed:sites.secondary.availabilityZones = ["ap-northeast-1a","ap-northeast-1a","ap-northeast-1c"]: names an AZ twice (allowed: distinct AZ names)',
    ]);
    assert.deepEqual(problems(prodWith((c) => (c.sites.secondary.availabilityZones = ["ap-northeast-1a", "ap-northeast-1c"]))), [
      'resilient-feed:sites.secondary.availabilityZones = ["ap-northeast-1a","ap-northeast-1c"]: has 2 AZs, the site uses 3 (sites.secondary.azCount) (allowed: exactly 3 names, in subnet order)',
    ]);
    const onDo = problems(prodWith((c) => {
      c.sites.secondary = { cloud: "digitalocean", region: "sgp1", cidr: "10.20.0.0/16", amiId: "ami-0123456789abcdef0" };
      c.dr = { mode: "backup-restore" };
    }));
    assert.ok(onDo.includes('resilient-feed:sites.secondary.amiId = "ami-0123456789abcdef0": pins an AWS lookup, and the secondary is on digitalocean (allowed: only on aws sites)'), onDo.join("\n"));
  });
});
