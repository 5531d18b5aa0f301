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
/** The routing policy's set (every record but the entry at edge.domain), without zone and type. */
const rows = (rec: Recorded) => rec.of("route53/record:Record").filter((r) => !/-entry$/.test(r.name)).map((r) => {
  const { zoneId, type, ...rest } = r.inputs as Record<string, any>;
  return { id: r.name.replace(/^edge\d+-/, ""), ...rest, healthCheckId: rest.healthCheckId?.replace(/^edge\d+-/, "") };
}).sort((a, b) => a.id.localeCompare(b.id)); // registration order follows output resolution
/** The one record at edge.domain: its answer, and the records it waits for. */
const entry = (rec: Recorded) => {
  const [e] = rec.of("route53/record:Record").filter((r) => /-entry$/.test(r.name));
  const { zoneId, ...rest } = e.inputs as Record<string, any>;
  return rest;
};
const toSet = (label: string, zoneId: unknown) => [{ name: `${label}.feed.example.com`, zoneId, evaluateTargetHealth: true }];
const alias = (site: "primary" | "secondary", evaluateTargetHealth = true) => [{ name: ALB[site].dnsName, zoneId: ALB[site].zoneId, evaluateTargetHealth }];

describe("edge: Route 53", function () {
  this.timeout(60_000);
  before(async () => {
    mocks = await setupMocks("prod");
  });

  it("failover (warm-standby): health check per site on /readyz via HTTPS + SNI from 3 checker regions; failover.<domain>: PRIMARY = primary, SECONDARY = secondary, aliases without TTL; edge.domain a simple alias to that set", async () => {
    const rec = await build({});
    const checks = rec.of("route53/healthCheck:HealthCheck").sort((a, b) => a.name.localeCompare(b.name));
    assert.deepEqual(checks.map((c) => pick(c, ["type", "fqdn", "port", "enableSni", "resourcePath", "requestInterval", "failureThreshold", "regions"])), (["primary", "secondary"] as const).map((site) => ({
      type: "HTTPS", fqdn: ALB[site].dnsName, port: 443, enableSni: true, resourcePath: "/readyz", requestInterval: 10, failureThreshold: 3, regions: ["ap-northeast-1", "ap-southeast-1", "us-west-2"],
    })));
    assert.deepEqual(checks.map((c) => (c.inputs.tags as any).site), ["primary", "secondary"]);
    assert.deepEqual(rows(rec), [
      { id: "failover-primary", name: "failover.feed.example.com", setIdentifier: "failover-primary", failoverRoutingPolicies: [{ type: "PRIMARY" }], aliases: alias("primary"), healthCheckId: "primary-readyz-id" },
      { id: "failover-secondary", name: "failover.feed.example.com", setIdentifier: "failover-secondary", failoverRoutingPolicies: [{ type: "SECONDARY" }], aliases: alias("secondary"), healthCheckId: "secondary-readyz-id" },
    ]);
    const zone = rec.of("route53/record:Record")[0].inputs.zoneId;
    assert.deepEqual(entry(rec), { name: "feed.example.com", type: "A", aliases: toSet("failover", zone) });
    for (const r of rec.of("route53/record:Record")) {
      assert.deepEqual([r.inputs.type, r.inputs.ttl, r.inputs.zoneId], ["A", undefined, zone]);
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
    assert.deepEqual(given.of("route53/record:Record").map((r) => r.inputs.zoneId), ["Z0123456789ABCDEFGHIJ", "Z0123456789ABCDEFGHIJ", "Z0123456789ABCDEFGHIJ"]);
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

  it("failover after failing over (pilot-light and warm-standby): the PRIMARY record answers with the secondary (same record, same set identifier: an in-place UPSERT); the fenced primary has no record and no check", async () => {
    for (const mode of ["pilot-light", "warm-standby"] as const) {
      const rec = await build({ mode, activeSite: "secondary" });
      assert.deepEqual(rows(rec), [{ id: "failover-primary", name: "failover.feed.example.com", setIdentifier: "failover-primary", failoverRoutingPolicies: [{ type: "PRIMARY" }], aliases: alias("secondary"), healthCheckId: "secondary-readyz-id" }], mode);
      assert.deepEqual(entry(rec).aliases[0].name, "failover.feed.example.com");
      assert.deepEqual(rec.of("route53/healthCheck:HealthCheck").map((c) => c.inputs.fqdn), [ALB.secondary.dnsName], mode);
    }
  });

  it("geo (active-active with edge.geo): one record per rule plus the default (*) to the writer, all health-checked", async () => {
    const rec = await build({ mode: "active-active", geo: true });
    assert.deepEqual(rows(rec), [
      { id: "geo-continent-AS", name: "geo.feed.example.com", setIdentifier: "geo-continent-AS", geolocationRoutingPolicies: [{ continent: "AS" }], aliases: alias("primary"), healthCheckId: "primary-readyz-id" },
      { id: "geo-country-JP", name: "geo.feed.example.com", setIdentifier: "geo-country-JP", geolocationRoutingPolicies: [{ country: "JP" }], aliases: alias("secondary"), healthCheckId: "secondary-readyz-id" },
      { id: "geo-default", name: "geo.feed.example.com", setIdentifier: "geo-default", geolocationRoutingPolicies: [{ country: "*" }], aliases: alias("primary"), healthCheckId: "primary-readyz-id" },
    ]);
    assert.equal(entry(rec).aliases[0].name, "geo.feed.example.com");
  });

  it("geo after failover: the fenced primary's rule is gone, the default and JP answer with the secondary", async () => {
    const rec = await build({ mode: "active-active", geo: true, activeSite: "secondary" });
    assert.deepEqual(rows(rec), [
      { id: "geo-country-JP", name: "geo.feed.example.com", setIdentifier: "geo-country-JP", geolocationRoutingPolicies: [{ country: "JP" }], aliases: alias("secondary"), healthCheckId: "secondary-readyz-id" },
      { id: "geo-default", name: "geo.feed.example.com", setIdentifier: "geo-default", geolocationRoutingPolicies: [{ country: "*" }], aliases: alias("secondary"), healthCheckId: "secondary-readyz-id" },
    ]);
  });

  it("latency (active-active without rules): one health-checked record per site in its region; after failover only the secondary", async () => {
    assert.deepEqual(rows(await build({ mode: "active-active" })), [
      { id: "latency-primary", name: "latency.feed.example.com", setIdentifier: "latency-primary", latencyRoutingPolicies: [{ region: "ap-northeast-2" }], aliases: alias("primary"), healthCheckId: "primary-readyz-id" },
      { id: "latency-secondary", name: "latency.feed.example.com", setIdentifier: "latency-secondary", latencyRoutingPolicies: [{ region: "ap-northeast-1" }], aliases: alias("secondary"), healthCheckId: "secondary-readyz-id" },
    ]);
    assert.deepEqual(rows(await build({ mode: "active-active", activeSite: "secondary" })), [
      { id: "latency-secondary", name: "latency.feed.example.com", setIdentifier: "latency-secondary", latencyRoutingPolicies: [{ region: "ap-northeast-1" }], aliases: alias("secondary"), healthCheckId: "secondary-readyz-id" },
    ]);
  });

  it("single (backup-restore): edge.domain is the one record, a plain alias to the active site (no policy set); the standby without an API tier has no check", async () => {
    const rec = await build({ mode: "backup-restore" });
    assert.deepEqual(rows(rec), []);
    assert.deepEqual(entry(rec), { name: "feed.example.com", type: "A", aliases: alias("primary", false) });
    assert.deepEqual(rec.of("route53/healthCheck:HealthCheck").map((c) => c.inputs.fqdn), [ALB.primary.dnsName]);
    const failed = await build({ mode: "backup-restore", activeSite: "secondary" });
    assert.deepEqual([rows(failed), entry(failed)], [[], { name: "feed.example.com", type: "A", aliases: alias("secondary", false) }]);
  });

  it("migration stage 1 (edge.legacyApexRecords): the writer's old record stays at edge.domain exactly as the old layout had it, the set is created beside it, and no entry exists yet", async () => {
    const rec = await build({ edge: { legacyApexRecords: true } });
    const legacy = rec.of("route53/record:Record").filter((r) => r.inputs.name === "feed.example.com");
    assert.deepEqual(legacy.map((r) => [r.name.replace(/^edge\d+-/, ""), pick(r, ["setIdentifier", "failoverRoutingPolicies", "aliases"]), String(r.inputs.healthCheckId).replace(/^edge\d+-/, "")]), [
      ["primary", { setIdentifier: "primary", failoverRoutingPolicies: [{ type: "PRIMARY" }], aliases: alias("primary") }, "primary-readyz-id"],
    ]);
    assert.deepEqual(rows(rec).map((r) => [r.id, (r as { name?: string }).name]), [["failover-primary", "failover.feed.example.com"], ["failover-secondary", "failover.feed.example.com"], ["primary", "feed.example.com"]]);
  });

  it("an ALB without a certificate is checked over plain HTTP on 80, without SNI", async () => {
    const rec = await build({}, false);
    assert.deepEqual(pick(rec.of("route53/healthCheck:HealthCheck")[0], ["type", "port", "enableSni", "fqdn"]), { type: "HTTP", port: 80, enableSni: undefined, fqdn: ALB.primary.dnsName });
  });
});
