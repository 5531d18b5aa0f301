import { strict as assert } from "node:assert";
import { certificateCovers, isAwsServiceName, namesCover } from "../../infra/facts/certificate-names";
import { awsCloudFrontOriginTls } from "../rules/acceptance/cloudfront-origins";
import { checkStack, deployment, type FakeResource } from "./util";

const DIST = "aws:cloudfront/distribution:Distribution";
const CERT = (region: string) => `arn:aws:acm:${region}:123456789012:certificate/c`;
const marker = (domains: Record<string, string[]>): FakeResource => {
  const base = deployment("warm-standby");
  return { ...base, props: { ...base.props, originCertificates: Object.entries(domains).map(([site, d], i) => ({ site, certificateArn: CERT(i === 0 ? "ap-northeast-2" : "ap-northeast-1"), domains: d })) } };
};
const cdn = (domainName: string, originProtocolPolicy = "https-only"): FakeResource => ({
  type: DIST, name: "cdn", props: { origins: [
    { originId: "static-s3", domainName: "b.s3.ap-northeast-2.amazonaws.com", originAccessControlId: "oac" },
    { originId: "api", domainName, customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy, originSslProtocols: ["TLSv1.2"] } },
  ] },
});
const both = { primary: ["feed.example.com"], secondary: ["*.example.com"] };

describe("policies: cloud acceptance, CloudFront origins over TLS", () => {
  it("certificate names: exact, one-level wildcard only, AWS service names", () => {
    assert.equal(certificateCovers("feed.example.com", "FEED.example.com."), true);
    assert.equal(certificateCovers("*.example.com", "feed.example.com"), true);
    assert.equal(certificateCovers("*.example.com", "example.com"), false);
    assert.equal(certificateCovers("*.example.com", "a.feed.example.com"), false);
    assert.equal(namesCover(["static.example.com", "*.feed.example.com"], "api.feed.example.com"), true);
    assert.equal(isAwsServiceName("primary-api-123.ap-northeast-2.elb.amazonaws.com"), true);
    assert.equal(isAwsServiceName("feed.example.com"), false);
  });

  it("passes an https-only origin by a name every site's certificate covers; S3 origins are not checked", async () => {
    assert.deepEqual((await checkStack(awsCloudFrontOriginTls, [marker(both), cdn("feed.example.com")])).violations, []);
  });

  it("fails the ALB's own name (the 502 the issue found)", async () => {
    const out = await checkStack(awsCloudFrontOriginTls, [marker(both), cdn("primary-api-1.ap-northeast-2.elb.amazonaws.com")]);
    assert.deepEqual(out.violations, [
      `aws:cloudfront/Distribution "cdn" origin "api" is primary-api-1.ap-northeast-2.elb.amazonaws.com: no ACM certificate can cover an AWS service name, so CloudFront's TLS check of the origin fails and every request through it answers 502. ` +
      `Point the origin at a name the load balancer's certificate covers (the edge's name, edge.domain).`,
    ]);
    assert.equal(out.urns[0], "urn:pulumi:prod::resilient-feed::aws:cloudfront/distribution:Distribution::cdn");
  });

  it("fails a name one site's certificate does not cover (failover would 502), and undeclared names", async () => {
    const out = await checkStack(awsCloudFrontOriginTls, [marker({ primary: ["feed.example.com"], secondary: ["api.example.com"] }), cdn("feed.example.com")]);
    assert.equal(out.violations.length, 1);
    assert.match(out.violations[0], /^aws:cloudfront\/Distribution "cdn" origin "api" is feed\.example\.com, which the secondary site's certificate arn:aws:acm:ap-northeast-1:123456789012:certificate\/c does not cover \(it covers: api\.example\.com\)/);
    const none = await checkStack(awsCloudFrontOriginTls, [deployment("warm-standby"), cdn("feed.example.com")]);
    assert.match(none.violations[0], /declares no certificate names for its load balancers/);
  });

  it("fails an origin over plain HTTP or match-viewer", async () => {
    for (const policy of ["http-only", "match-viewer"]) {
      const out = await checkStack(awsCloudFrontOriginTls, [marker(both), cdn("feed.example.com", policy)]);
      assert.deepEqual(out.violations, [`aws:cloudfront/Distribution "cdn" origin "api" uses originProtocolPolicy "${policy}": requests, cookies included, cross the internet to it in clear. Set https-only, with a certificate on the origin that covers its name.`]);
    }
  });

  it("not applicable without custom origins", async () => {
    const s3only: FakeResource = { type: DIST, name: "cdn", props: { origins: [{ originId: "s3", domainName: "b.s3.amazonaws.com" }] } };
    assert.equal((await checkStack(awsCloudFrontOriginTls, [marker(both), s3only])).notApplicable, "no CloudFront distribution in the stack has a custom origin");
  });
});
