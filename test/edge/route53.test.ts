import { strict as assert } from "node:assert";
import { Route53Edge } from "../../infra/edge/route53";
import { pick, record, setupMocks, type Recorded, type TierMocks } from "../aws-tiers/support/harness";
import { ALB, albOrigins, edgeTopology, type EdgeVariant } from "./support";

// The Route 53 edge, built from the Topology with the project's recording mocks: exact health
// checks, alarms and records for every routing variant, before and after a failover.

let mocks: TierMocks;
let n = 0;

async function build(v: EdgeVariant, https = true): Promise<Recorded> {
  const name = `edge${n++}`;
  return record(mocks, () => { new Route53Edge(name, { topology: edgeTopology(v), origins: albOrigins(https) }); });
}
const rows = (rec: Recorded) => rec.of("route53/record:Record").map((r) => {
  const { zoneId, name, type, ...rest } = r.inputs as Record<string, any>;
  return { id: r.name.replace(/^edge\d+-/, ""), ...rest, healthCheckId: rest.healthCheckId?.replace(/^edge\d+-/, "") };
}).sort((a, b) => a.id.localeCompare(b.id)); // registration order follows output resolution
const alias = (site: "primary" | "secondary", evaluateTargetHealth = true) => [{ name: ALB[site].dnsName, zoneId: ALB[site].zoneId, evaluateTargetHealth }];

describe("edge: Route 53", function () {
  this.timeout(60_000);
  before(async () => {
    mocks = await setupMocks("prod");
  });

  it("failover (warm-standby): health check per site on /readyz via HTTPS + SNI from 3 checker regions; PRIMARY = primary, SECONDARY = secondary, aliases without TTL", async () => {
    const rec = await build({});
    const checks = rec.of("route53/healthCheck:HealthCheck").sort((a, b) => a.name.localeCompare(b.name));
    assert.deepEqual(checks.map((c) => pick(c, ["type", "fqdn", "port", "enableSni", "resourcePath", "requestInterval", "failureThreshold", "regions"])), (["primary", "secondary"] as const).map((site) => ({
      type: "HTTPS", fqdn: ALB[site].dnsName, port: 443, enableSni: true, resourcePath: "/readyz", requestInterval: 10, failureThreshold: 3, regions: ["ap-northeast-1", "ap-southeast-1", "us-west-2"],
    })));
    assert.deepEqual(checks.map((c) => (c.inputs.tags as any).site), ["primary", "secondary"]);
    assert.deepEqual(rows(rec), [
      { id: "primary", setIdentifier: "primary", failoverRoutingPolicies: [{ type: "PRIMARY" }], aliases: alias("primary"), healthCheckId: "primary-readyz-id" },
      { id: "secondary", setIdentifier: "secondary", failoverRoutingPolicies: [{ type: "SECONDARY" }], aliases: alias("secondary"), healthCheckId: "secondary-readyz-id" },
    ]);
    for (const r of rec.of("route53/record:Record")) {
      assert.deepEqual([r.inputs.name, r.inputs.type, r.inputs.ttl], ["feed.example.com", "A", undefined]);
    }
    assert.equal(rec.of("route53/record:Record").filter((r) => r.inputs.type === "AAAA").length, 0);
  });

  it("the zone is looked up by name (the domain's parent) through aws.route53.getZone, or taken from edge.zoneId", async () => {
    const before = mocks.invokes.length;
    const looked = await build({});
    const invoke = mocks.invokes.slice(before).find((i) => i.token === "aws:route53/getZone:getZone");
    assert.deepEqual(invoke?.inputs, { name: "example.com", privateZone: false });
    assert.match(String(looked.of("route53/record:Record")[0].inputs.zoneId), /^Z[0-9A-F]{12}$/);
    const mark = mocks.invokes.length;
    const given = await build({ edge: { zoneId: "Z0123456789ABCDEFGHIJ" } });
    assert.deepEqual(given.of("route53/record:Record").map((r) => r.inputs.zoneId), ["Z0123456789ABCDEFGHIJ", "Z0123456789ABCDEFGHIJ"]);
    assert.equal(mocks.invokes.slice(mark).filter((i) => i.token === "aws:route53/getZone:getZone").length, 0);
  });

  it("health-check alarms in us-east-1 (where Route 53 publishes) to a us-east-1 topic on a rotating customer key CloudWatch may use", async () => {
    const rec = await build({});
    const alarms = rec.of("cloudwatch/metricAlarm:MetricAlarm");
    assert.deepEqual(alarms.map((a) => pick(a, ["region", "namespace", "metricName", "statistic", "comparisonOperator", "threshold", "period", "evaluationPeriods"])), [0, 1].map(() => ({
      region: "us-east-1", namespace: "AWS/Route53", metricName: "HealthCheckStatus", statistic: "Minimum", comparisonOperator: "LessThanThreshold", threshold: 1, period: 60, evaluationPeriods: 1,
    })));
    const [topic] = rec.of("sns/topic:Topic");
    const [key] = rec.of("kms/key:Key");
    assert.deepEqual([topic.region, key.region, key.inputs.enableKeyRotation], ["us-east-1", "us-east-1", true]);
    assert.equal(topic.inputs.kmsMasterKeyId, key.arn);
    assert.ok(topic.inputs.kmsMasterKeyId !== "alias/aws/sns");
    const statements = JSON.parse(String(key.inputs.policy)).Statement;
    assert.deepEqual(statements[1], { Sid: "PublishersUseTheKey", Effect: "Allow", Principal: { Service: ["cloudwatch.amazonaws.com"] }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*" });
    assert.deepEqual(alarms.map((a) => a.inputs.alarmActions), [[topic.arn], [topic.arn]]);
    assert.deepEqual(rec.of("sns/topicSubscription:TopicSubscription").map((s) => pick(s, ["region", "protocol", "endpoint"])), [{ region: "us-east-1", protocol: "email", endpoint: "oncall@example.com" }]);
  });

  it("failover after failing over (pilot-light and warm-standby): only the secondary answers, as PRIMARY; the fenced primary has no record and no check", async () => {
    for (const mode of ["pilot-light", "warm-standby"] as const) {
      const rec = await build({ mode, activeSite: "secondary" });
      assert.deepEqual(rows(rec), [{ id: "secondary", setIdentifier: "secondary", failoverRoutingPolicies: [{ type: "PRIMARY" }], aliases: alias("secondary"), healthCheckId: "secondary-readyz-id" }], mode);
      assert.deepEqual(rec.of("route53/healthCheck:HealthCheck").map((c) => c.inputs.fqdn), [ALB.secondary.dnsName], mode);
    }
  });

  it("geo (active-active with edge.geo): one record per rule plus the default (*) to the writer, all health-checked", async () => {
    const rec = await build({ mode: "active-active", geo: true });
    assert.deepEqual(rows(rec), [
      { id: "default", setIdentifier: "default", geolocationRoutingPolicies: [{ country: "*" }], aliases: alias("primary"), healthCheckId: "primary-readyz-id" },
      { id: "geo-continent-AS", setIdentifier: "geo-continent-AS", geolocationRoutingPolicies: [{ continent: "AS" }], aliases: alias("primary"), healthCheckId: "primary-readyz-id" },
      { id: "geo-country-JP", setIdentifier: "geo-country-JP", geolocationRoutingPolicies: [{ country: "JP" }], aliases: alias("secondary"), healthCheckId: "secondary-readyz-id" },
    ]);
  });

  it("geo after failover: the fenced primary's rule is gone, the default and JP answer with the secondary", async () => {
    const rec = await build({ mode: "active-active", geo: true, activeSite: "secondary" });
    assert.deepEqual(rows(rec), [
      { id: "default", setIdentifier: "default", geolocationRoutingPolicies: [{ country: "*" }], aliases: alias("secondary"), healthCheckId: "secondary-readyz-id" },
      { id: "geo-country-JP", setIdentifier: "geo-country-JP", geolocationRoutingPolicies: [{ country: "JP" }], aliases: alias("secondary"), healthCheckId: "secondary-readyz-id" },
    ]);
  });

  it("latency (active-active without rules): one health-checked record per site in its region; after failover only the secondary", async () => {
    assert.deepEqual(rows(await build({ mode: "active-active" })), [
      { id: "primary", setIdentifier: "primary", latencyRoutingPolicies: [{ region: "ap-northeast-2" }], aliases: alias("primary"), healthCheckId: "primary-readyz-id" },
      { id: "secondary", setIdentifier: "secondary", latencyRoutingPolicies: [{ region: "ap-northeast-1" }], aliases: alias("secondary"), healthCheckId: "secondary-readyz-id" },
    ]);
    assert.deepEqual(rows(await build({ mode: "active-active", activeSite: "secondary" })), [
      { id: "secondary", setIdentifier: "secondary", latencyRoutingPolicies: [{ region: "ap-northeast-1" }], aliases: alias("secondary"), healthCheckId: "secondary-readyz-id" },
    ]);
  });

  it("single (backup-restore): one plain alias to the active site; the standby without an API tier has no check", async () => {
    const rec = await build({ mode: "backup-restore" });
    assert.deepEqual(rows(rec), [{ id: "primary", aliases: alias("primary", false), healthCheckId: undefined }]);
    assert.deepEqual(rec.of("route53/healthCheck:HealthCheck").map((c) => c.inputs.fqdn), [ALB.primary.dnsName]);
    assert.deepEqual(rows(await build({ mode: "backup-restore", activeSite: "secondary" })), [{ id: "secondary", aliases: alias("secondary", false), healthCheckId: undefined }]);
  });

  it("an ALB without a certificate is checked over plain HTTP on 80, without SNI", async () => {
    const rec = await build({}, false);
    assert.deepEqual(pick(rec.of("route53/healthCheck:HealthCheck")[0], ["type", "port", "enableSni", "fqdn"]), { type: "HTTP", port: 80, enableSni: undefined, fqdn: ALB.primary.dnsName });
  });
});
