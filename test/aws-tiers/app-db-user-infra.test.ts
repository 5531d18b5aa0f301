import { strict as assert } from "node:assert";
import { LAMBDA_CA_FILE, LAMBDA_VPC_POLICY, provisionerBundle } from "../../infra/aws/app-db-user";
import { deploySites, tinyBundle } from "./support/deploy";
import { MOCK_AUTH_TOKEN, json, pick, prodTopology, secret, type Recorded } from "./support/harness";

// The app's own database user in the composed prod stack: its secret, the provisioning Lambda in
// the writer's VPC (master credentials in its invocation only), and instances that can read the
// app user's secret but not the master's.

const APP_SECRET = (region: string) => `arn:aws:secretsmanager:${region}:123456789012:secret:db-app-user`;
const unwrap = (v: unknown) => (v as { value: unknown }).value;

describe("the app's database user in the AWS program", function () {
  this.timeout(120_000);
  let prod: Recorded;
  let failedOver: Recorded;

  before(async () => {
    const bundle = tinyBundle();
    prod = await deploySites(prodTopology(), bundle);
    failedOver = await deploySites(prodTopology({ activeSite: "secondary" }), bundle);
  });

  it("its own secret, generated, in the primary region and replicated to the standby's", () => {
    assert.deepEqual(pick(prod.one("secretsmanager/secret:Secret", "db-app-user"), ["region", "replicas", "recoveryWindowInDays"]), { region: "ap-northeast-2", replicas: [{ region: "ap-northeast-1" }], recoveryWindowInDays: 7 });
    assert.deepEqual(prod.one("secretsmanager/secretVersion:SecretVersion", "db-app-user").inputs.secretString, secret(JSON.stringify({ username: "feedapp", password: MOCK_AUTH_TOKEN })));
    assert.deepEqual(pick(prod.one("random:index/randomPassword:RandomPassword", "db-app-user"), ["length", "special"]), { length: 40, special: false });
  });

  it("a Lambda in the writer site's app subnets, reaching only the database, with the RDS CAs loaded", () => {
    const fn = prod.one("lambda/function:Function", "primary-db-app-user");
    assert.deepEqual(pick(fn, ["region", "runtime", "architectures", "handler", "timeout", "memorySize", "vpcConfig", "environment"]), {
      region: "ap-northeast-2", runtime: "nodejs22.x", architectures: ["arm64"], handler: "index.handler", timeout: 60, memorySize: 256,
      vpcConfig: { subnetIds: ["primary-net-private-app-0-id", "primary-net-private-app-1-id", "primary-net-private-app-2-id"], securityGroupIds: ["primary-sg-db-provisioner-id"] },
      environment: { variables: { NODE_EXTRA_CA_CERTS: LAMBDA_CA_FILE } },
    });
    assert.match(provisionerBundle(), /CREATE USER IF NOT EXISTS/);
    assert.deepEqual(json(prod.one("iam/role:Role", "primary-db-app-user").inputs.assumeRolePolicy).Statement, [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }]);
    // network interfaces only: no Secrets Manager or other API access
    assert.deepEqual(prod.of("iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => a.name === "primary-db-app-user").map((a) => a.inputs.policyArn), [LAMBDA_VPC_POLICY]);
    assert.equal(prod.of("iam/rolePolicy:RolePolicy").filter((p) => p.name.includes("db-app-user")).length, 0);
    const rules = prod.all.filter((r) => /primary-sg-(db-from-provisioner|provisioner-to-db)$/.test(r.name)).map((r) => [r.name, r.inputs.securityGroupId, r.inputs.referencedSecurityGroupId, r.inputs.fromPort, r.inputs.toPort]);
    assert.deepEqual(rules.sort(), [
      ["primary-sg-db-from-provisioner", "primary-sg-database-id", "primary-sg-db-provisioner-id", 3306, 3306],
      ["primary-sg-provisioner-to-db", "primary-sg-db-provisioner-id", "primary-sg-database-id", 3306, 3306],
    ]);
  });

  it("its invocation carries the writer's address and both credentials, as a secret, and re-runs when the SQL or code changes", () => {
    const inv = prod.one("lambda/invocation:Invocation", "primary-db-app-user");
    assert.equal(inv.inputs.region, "ap-northeast-2");
    assert.deepEqual(json(unwrap(inv.inputs.input)), {
      host: "primary-db.mock.ap-northeast-2.rds.amazonaws.com", port: 3306, database: "feed",
      master: { username: "feedadmin", password: MOCK_AUTH_TOKEN }, app: { username: "feedapp", password: MOCK_AUTH_TOKEN },
    });
    assert.deepEqual(Object.keys(inv.inputs.triggers as object).sort(), ["code", "statements"]);
    // a replica site creates no user: it receives it from its source
    assert.equal(prod.of("lambda/invocation:Invocation").length, 1);
  });

  it("instances read the app user's secret in their own region, never the master's", () => {
    for (const [site, region] of [["primary", "ap-northeast-2"], ["secondary", "ap-northeast-1"]]) {
      const readable = json(prod.one("iam/rolePolicy:RolePolicy", `${site}-api-instance`).inputs.policy).Statement.find((s: { Sid: string }) => s.Sid === "ReadAppSecrets").Resource as string[];
      assert.ok(readable.includes(APP_SECRET(region)), `${site}: ${readable.join(", ")}`);
      assert.ok(!readable.some((arn) => arn.includes("db-master")), `${site} can read the master secret: ${readable.join(", ")}`);
    }
  });

  it("after failover the promoted writer gets its own provisioner; the fenced site's is unchanged", () => {
    const inv = failedOver.one("lambda/invocation:Invocation", "secondary-db-app-user");
    assert.equal(inv.inputs.region, "ap-northeast-1");
    assert.equal(json(unwrap(inv.inputs.input)).host, "secondary-db.mock.ap-northeast-1.rds.amazonaws.com");
    for (const [type, name] of [["lambda/invocation:Invocation", "primary-db-app-user"], ["lambda/function:Function", "primary-db-app-user"]]) {
      assert.deepEqual(failedOver.one(type, name).inputs, prod.one(type, name).inputs, `${name} changed with the failover`);
    }
  });
});
