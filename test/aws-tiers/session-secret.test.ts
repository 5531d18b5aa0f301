import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { SessionSecret, perSiteSecretAlias, sessionSecretFor } from "../../infra/aws/session-secret";
import { parseProjectConfig } from "../../infra/config/parse";
import { buildTopology } from "../../infra/topology/build";
import { stackRaw } from "../support/config-fixtures";
import { MOCK_AUTH_TOKEN, Recorded, devAwsTopology, pick, prodTopology, record, secret, setupMocks, value } from "./support/harness";

// The stack's one session-signing key (SESSION_SECRET): created in the primary's region,
// replicated to the other AWS site's region, each site reading its own copy.

const ARN = (region: string) => `arn:aws:secretsmanager:${region}:123456789012:secret:session`;

describe("SessionSecret: one session key for every site, replicated, untouched by failover", function () {
  this.timeout(60_000);
  let prod: Recorded;
  let failedOver: Recorded;
  let dev: Recorded;
  let prodSecret!: SessionSecret;

  before(async () => {
    const mocks = await setupMocks();
    prod = await record(mocks, () => { prodSecret = new SessionSecret("session", { topology: prodTopology() }); });
    failedOver = await record(mocks, () => { new SessionSecret("session", { topology: prodTopology({ activeSite: "secondary" }) }); });
    dev = await record(mocks, () => { new SessionSecret("session", { topology: devAwsTopology() }); });
  });

  it("a generated 64-character key in a secret of the primary's region, replicated to the standby's region, tags without role or DR mode", () => {
    assert.deepEqual(pick(prod.one("random:index/randomPassword:RandomPassword", "session"), ["length", "special"]), { length: 64, special: false });
    const s = prod.one("secretsmanager/secret:Secret", "session");
    assert.deepEqual(pick(s, ["region", "replicas", "recoveryWindowInDays", "tags"]), {
      region: "ap-northeast-2",
      replicas: [{ region: "ap-northeast-1" }],
      recoveryWindowInDays: 7,
      tags: { project: "resilient-feed", environment: "prod", site: "primary", tier: "api" },
    });
    const version = prod.one("secretsmanager/secretVersion:SecretVersion", "session");
    assert.deepEqual(pick(version, ["region", "secretString"]), { region: "ap-northeast-2", secretString: secret(MOCK_AUTH_TOKEN) });
  });

  it("each site reads its own region's copy (a replica keeps the ARN but for the region); no other region has one", async () => {
    assert.equal(await value(prodSecret.arnIn("ap-northeast-2")), ARN("ap-northeast-2"));
    assert.equal(await value(prodSecret.arnIn("ap-northeast-1")), ARN("ap-northeast-1"));
    assert.throws(() => prodSecret.arnIn("us-east-1"), /SessionSecret: no replica in us-east-1 \(home ap-northeast-2, replicas: ap-northeast-1\)/);
  });

  it("static stability: a failover registers exactly the same inputs (nothing to change in the failed region)", () => {
    const shape = (r: Recorded) => r.custom.map((x) => `${x.type} ${x.name} ${x.region} ${JSON.stringify(x.inputs)}`).sort();
    assert.deepEqual(shape(failedOver), shape(prod));
  });

  it("a single AWS site (dev): the secret in its region, no replica", () => {
    assert.deepEqual(pick(dev.one("secretsmanager/secret:Secret", "session"), ["region", "replicas"]), { region: "ap-southeast-1", replicas: [] });
  });

  it("a stack without an AWS site gets none; one whose primary is on DigitalOcean keeps it in the AWS site's region", async () => {
    const doOnly = buildTopology(parseProjectConfig(stackRaw("dev")));
    assert.equal(doOnly.sites.some((s) => s.cloud === "aws"), false);
    assert.equal(sessionSecretFor(doOnly), undefined);
    const raw = stackRaw("dev");
    raw.sites.secondary = { cloud: "aws", region: "ap-southeast-1", cidr: "10.31.0.0/16" };
    const mixed = buildTopology(parseProjectConfig(raw));
    const mocks = await setupMocks();
    const rec = await record(mocks, () => { sessionSecretFor(mixed); });
    assert.deepEqual(pick(rec.one("secretsmanager/secret:Secret", "session"), ["region", "replicas"]), { region: "ap-southeast-1", replicas: [] });
    assert.equal((rec.one("secretsmanager/secret:Secret", "session").inputs.tags as Record<string, string>).site, "secondary");
  });

  it("the home site's old per-site secret is reached through an alias (its value, and the sessions it signed, carry over)", async () => {
    const a = perSiteSecretAlias("primary", undefined) as { name: string; parent: pulumi.Input<string> };
    assert.equal(a.name, "primary-session");
    assert.equal(await value(pulumi.output(a.parent)), "urn:pulumi:test::resilient-feed::resilient-feed:aws:Site::primary");
  });
});
