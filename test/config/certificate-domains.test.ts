import { strict as assert } from "node:assert";
import { ConfigError } from "../../infra/config/errors";
import { parseProjectConfig } from "../../infra/config/parse";
import { buildTopology } from "../../infra/topology/build";
import { originCertificates } from "../../infra/program";
import { devOnAws, prodWith, stackRaw } from "../support/config-fixtures";

function problem(raw: Record<string, unknown>, keyPart: string): string | undefined {
  try {
    parseProjectConfig(raw);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    return e.message.split("\n").map((l) => l.trim().replace(/^- /, "")).find((l) => l.includes(keyPart));
  }
  assert.fail("config was accepted");
}

describe("config: sites.<site>.certificateDomains", () => {
  it("prod as shipped: both certificates cover edge.domain; the Deployment carries the names for the policy pack", () => {
    const t = buildTopology(parseProjectConfig(stackRaw("prod")));
    assert.deepEqual(originCertificates(t), [
      { site: "primary", certificateArn: "arn:aws:acm:ap-northeast-2:123456789012:certificate/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", domains: ["feed.example.com", "*.feed.example.com"] },
      { site: "secondary", certificateArn: "arn:aws:acm:ap-northeast-1:123456789012:certificate/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", domains: ["feed.example.com", "*.feed.example.com"] },
    ]);
    assert.deepEqual(originCertificates(buildTopology(parseProjectConfig(devOnAws()))), []);
  });

  it("accepts a one-level wildcard over edge.domain (users reaching the load balancers directly)", () => {
    assert.doesNotThrow(() => parseProjectConfig(prodWith((c) => {
      c.sites.secondary.certificateDomains = ["*.example.com"];
      c.edge.cdnFrontsApi = false;
    })));
  });

  it("behind CloudFront, the certificate must also cover the routing policy's name CloudFront calls", () => {
    assert.equal(problem(prodWith((c) => (c.sites.secondary.certificateDomains = ["feed.example.com"])), "certificateDomains"),
      `resilient-feed:sites.secondary.certificateDomains = ["feed.example.com"]: does not cover failover.feed.example.com, the name CloudFront reaches this load balancer by (edge.cdnFrontsApi): TLS to it would fail (CloudFront answers 502) (allowed: names including *.feed.example.com)`);
  });

  it("rejects names that do not cover edge.domain, naming key, value and what would", () => {
    assert.equal(problem(prodWith((c) => (c.sites.secondary.certificateDomains = ["*.feed.example.com"])), "certificateDomains"),
      `resilient-feed:sites.secondary.certificateDomains = ["*.feed.example.com"]: does not cover feed.example.com (edge.domain), the name the edge and CloudFront's /api origin use to reach this load balancer: TLS to it would fail (CloudFront answers 502) (allowed: names including feed.example.com or *.example.com; a wildcard covers one level only)`);
  });

  it("requires the names with a certificate, refuses them without one, and checks their shape", () => {
    assert.match(problem(prodWith((c) => delete c.sites.primary.certificateDomains), "certificateDomains") ?? "",
      /^resilient-feed:sites\.primary\.certificateDomains = \(missing\): must list the names sites\.primary\.certificateArn covers/);
    assert.match(problem(prodWith((c) => { delete c.sites.secondary.certificateArn; }), "secondary.certificateDomains") ?? "",
      /names what sites\.secondary\.certificateArn covers, which is not set \(allowed: only together with certificateArn\)/);
    assert.match(problem(prodWith((c) => (c.sites.primary.certificateDomains = ["Feed.Example.com"])), "certificateDomains") ?? "",
      /must be a lower-case DNS name, optionally a one-level wildcard such as \*\.example\.com/);
  });
});
