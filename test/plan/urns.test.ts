import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { evaluateStack } from "../../tools/plan/evaluate";
import { drState } from "../support/config-fixtures";
import { UrnRecorder } from "../support/urns";

// A deployed stack must not notice a refactoring: every URN the prod stack had at the deployed
// baseline (test/fixtures/prod-urns-84a3366.json, captured in each of the 8 DR states) must still
// be reached, by the same URN or through an alias (a renamed, re-typed or re-parented resource).
// Otherwise Pulumi would delete the old resource and create a new one: a new ALB, ASG or database.
// Resources removed on purpose are listed below, each with the reason.

const FIXTURE = path.join(__dirname, "..", "fixtures", "prod-urns-84a3366.json");

interface Baseline {
  readonly commit: string;
  readonly states: readonly string[];
  /** URN → the DR states (mode/activeSite) it exists in, or "all" */
  readonly urns: Readonly<Record<string, "all" | readonly string[]>>;
}

/** Deliberate removals since the baseline: URNs matching `urn` may be gone, for `reason`. */
export const REMOVED_ON_PURPOSE: readonly { urn: RegExp; reason: string }[] = [
  {
    urn: /\$resilient-feed:aws:StaticSite\$aws:cloudfront\/(distribution:Distribution|function:Function|originAccessControl:OriginAccessControl)::secondary-cdn(-strip-api)?$/,
    reason: "one global CloudFront distribution (origin group over both sites' buckets) replaced the per-site ones (3234bec); the primary's distribution, function and OAC moved to it through aliases, the secondary's are deleted",
  },
  {
    urn: /\$resilient-feed:aws:StaticSite\$aws:s3\/[A-Za-z]+:[A-Za-z]+::secondary-cdn-cdn-logs$/,
    reason: "the secondary distribution's standard-log bucket and its settings went with it (the global distribution logs to the primary's); in prod the bucket is not force-destroyed, so it must be empty when the update deletes it",
  },
  {
    urn: /\$resilient-feed:aws:SessionSecret(\$(aws:secretsmanager\/secret:Secret|aws:secretsmanager\/secretVersion:SecretVersion|random:index\/randomPassword:RandomPassword))?::secondary-session$/,
    reason: "one session secret for the whole stack, replicated into the other site's region (62cda12), replaced the per-site ones: the primary's moved to it through an alias, the secondary's is deleted (sessions it signed end once)",
  },
  {
    urn: /\$resilient-feed:aws:SecurityChain\$aws:vpc\/securityGroupIngressRule:SecurityGroupIngressRule::(primary|secondary)-sg-lb-https?-ipv[46]$/,
    reason: "behind CloudFront (edge.cdnFrontsApi, prod's default) the load balancers admit only CloudFront's and the Route 53 health checkers' prefix lists: the rules opening 80 and 443 to the internet are deleted, after the new rules exist (deletes come last)",
  },
];

describe("prod URNs: a deployed stack keeps every resource it has", function () {
  this.timeout(900_000);
  const baseline = JSON.parse(fs.readFileSync(FIXTURE, "utf8")) as Baseline;
  const recorder = new UrnRecorder();
  /** state → baseline URNs not reached, and how many were reached through an alias only */
  const results = new Map<string, { missing: string[]; viaAlias: string[] }>();

  before(async () => {
    recorder.install();
    try {
      for (const state of baseline.states) {
        const [mode, activeSite] = state.split("/");
        recorder.clear();
        // a backup-restore failover restores from a recovery point, which the config must name
        await evaluateStack({ stack: "prod", configOverrides: { dr: drState(mode, activeSite) } });
        const current = new Set(recorder.registered.map((r) => r.urn));
        const aliased = new Set(recorder.registered.flatMap((r) => r.aliases));
        const missing: string[] = [];
        const viaAlias: string[] = [];
        for (const [urn, states] of Object.entries(baseline.urns)) {
          if (states !== "all" && !states.includes(state)) continue;
          if (current.has(urn)) continue;
          if (aliased.has(urn)) viaAlias.push(urn);
          else missing.push(urn);
        }
        results.set(state, { missing, viaAlias });
      }
    } finally {
      recorder.uninstall();
    }
  });

  it("covers the 8 DR states of the baseline", () => {
    assert.deepEqual([...baseline.states].sort(), ["active-active/primary", "active-active/secondary", "backup-restore/primary", "backup-restore/secondary", "pilot-light/primary", "pilot-light/secondary", "warm-standby/primary", "warm-standby/secondary"]);
  });

  it("reaches every baseline URN in every DR state, by URN or alias, except deliberate removals", () => {
    const unexplained = [...results].flatMap(([state, r]) => r.missing.filter((u) => !REMOVED_ON_PURPOSE.some((x) => x.urn.test(u))).map((u) => `${state}: ${u}`));
    assert.deepEqual(unexplained, [], "baseline resources Pulumi would replace or delete");
  });

  it("lists no removal that explains nothing (the list stays honest)", () => {
    const missing = [...results.values()].flatMap((r) => r.missing);
    for (const removal of REMOVED_ON_PURPOSE) assert.ok(missing.some((u) => removal.urn.test(u)), `${removal.urn} matches no removed resource: ${removal.reason}`);
  });

  it("the split API tier reaches the deployed ALB, target group, launch template and ASG through aliases", () => {
    const { viaAlias } = results.get("warm-standby/primary")!;
    const under = "resilient-feed:index:Deployment$resilient-feed:aws:Site$resilient-feed:aws:ApiService$";
    for (const [type, name] of [["aws:lb/loadBalancer:LoadBalancer", "primary-api"], ["aws:lb/targetGroup:TargetGroup", "primary-api"], ["aws:ec2/launchTemplate:LaunchTemplate", "primary-api"], ["aws:autoscaling/group:Group", "primary-api"], ["aws:s3/bucket:Bucket", "primary-api-alb-logs"]]) {
      const urn = `urn:pulumi:prod::resilient-feed::${under}${type}::${name}`;
      assert.ok(baseline.urns[urn], `${urn} is in the baseline`);
      assert.ok(viaAlias.includes(urn), `${urn} is reached through an alias`);
    }
  });
});
