import { strict as assert } from "node:assert";
import type * as pulumi from "@pulumi/pulumi";
import { Cdn } from "../../infra/aws/cdn";
import { StaticReplication } from "../../infra/aws/static-replication";
import { StaticSite } from "../../infra/aws/static-site";
import { Recorded, devAwsTopology, json, pick, prodTopology, record, setupMocks, siteOf, type TierMocks } from "./support/harness";

// The static files: a bucket per AWS site, S3 replication from the primary's to the standby's,
// and the stack's one CloudFront distribution with an origin group over the two.

const CDN_CERT = "arn:aws:acm:us-east-1:123456789012:certificate/abc";

describe("static files: buckets per site, S3 replication, one global CDN with an origin group", function () {
  this.timeout(60_000);
  let mocks: TierMocks;
  let prod: Recorded;
  let dev: Recorded;

  before(async () => {
    mocks = await setupMocks();
    const t = prodTopology();
    prod = await record(mocks, () => {
      const primary = new StaticSite("primary-cdn", { topology: t, site: siteOf(t, "primary"), logs: true });
      const standby = new StaticSite("secondary-cdn", { topology: t, site: siteOf(t, "secondary"), logs: false });
      new StaticReplication("static-replication", { topology: t, source: primary, destination: standby });
      new Cdn("cdn", { topology: t, primary, standby, api: { domainName: "feed.example.com", protocol: "https" }, certificate: { arn: CDN_CERT, aliases: ["static.feed.example.com"] } });
    });
    const d = devAwsTopology();
    dev = await record(mocks, () => {
      const primary = new StaticSite("primary-cdn", { topology: d, site: siteOf(d, "primary"), logs: true });
      new Cdn("cdn", { topology: d, primary, api: { domainName: "dev.feed.example.com", protocol: "http" } });
    });
  });

  it("each site's bucket: private, versioned (replication needs it on both sides), SSE-S3, in its own region; logs only in the primary", () => {
    for (const [name, region] of [["primary-cdn-static", "ap-northeast-2"], ["secondary-cdn-static", "ap-northeast-1"]]) {
      assert.deepEqual(pick(prod.one("s3/bucketPublicAccessBlock:BucketPublicAccessBlock", name), ["region", "blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]),
        { region, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
      assert.deepEqual(pick(prod.one("s3/bucketVersioning:BucketVersioning", name), ["region", "versioningConfiguration"]), { region, versioningConfiguration: { status: "Enabled" } });
      assert.equal((prod.one("s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", name).inputs.rules as any[])[0].applyServerSideEncryptionByDefault.sseAlgorithm, "AES256");
      assert.equal((prod.one("s3/bucketOwnershipControls:BucketOwnershipControls", name).inputs.rule as any).objectOwnership, "BucketOwnerEnforced");
    }
    assert.deepEqual(prod.of("s3/bucket:Bucket").map((b) => [b.name, b.region]), [["primary-cdn-static", "ap-northeast-2"], ["primary-cdn-cdn-logs", "ap-northeast-2"], ["secondary-cdn-static", "ap-northeast-1"]]);
    assert.equal((prod.one("s3/bucketOwnershipControls:BucketOwnershipControls", "primary-cdn-cdn-logs").inputs.rule as any).objectOwnership, "BucketOwnerPreferred");
  });

  it("S3 replication: primary bucket → standby bucket, every object and delete marker, by a role S3 assumes with only the replication actions", () => {
    const c = prod.one("s3/bucketReplicationConfig:BucketReplicationConfig", "static-replication");
    assert.deepEqual(c.inputs, {
      region: "ap-northeast-2", bucket: "primary-cdn-static-id", role: "arn:aws:iam::123456789012:role/static-replication",
      rules: [{ id: "static-to-standby", status: "Enabled", priority: 1, filter: {}, deleteMarkerReplication: { status: "Enabled" }, destination: { bucket: "arn:aws:s3:::secondary-cdn-static", storageClass: "STANDARD" } }],
    });
    assert.deepEqual(json(prod.one("iam/role:Role", "static-replication").inputs.assumeRolePolicy).Statement, [{ Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sts:AssumeRole" }]);
    assert.deepEqual(json(prod.one("iam/rolePolicy:RolePolicy", "static-replication").inputs.policy).Statement, [
      { Sid: "ReadReplicationConfiguration", Effect: "Allow", Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"], Resource: ["arn:aws:s3:::primary-cdn-static"] },
      { Sid: "ReadSourceVersions", Effect: "Allow", Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"], Resource: ["arn:aws:s3:::primary-cdn-static/*"] },
      { Sid: "WriteReplicas", Effect: "Allow", Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"], Resource: ["arn:aws:s3:::secondary-cdn-static/*"] },
    ]);
    const t = prodTopology();
    const same = new StaticSite("same-cdn", { topology: t, site: siteOf(t, "primary"), logs: false });
    assert.throws(() => new StaticReplication("bad", { topology: t, source: same, destination: same }), /StaticReplication bad: source and destination are both in ap-northeast-2/);
  });

  it("one distribution: an origin group (primary bucket, failing over to the standby's on 403/404/5xx) as the default, the edge name over HTTPS for /api/*", () => {
    assert.equal(prod.of("cloudfront/distribution:Distribution").length, 1);
    const d = prod.one("cloudfront/distribution:Distribution", "cdn").inputs as any;
    assert.deepEqual(d.origins, [
      { originId: "static-s3", domainName: "primary-cdn-static.s3.ap-northeast-2.amazonaws.com", originAccessControlId: "cdn-id" },
      { originId: "static-s3-standby", domainName: "secondary-cdn-static.s3.ap-northeast-1.amazonaws.com", originAccessControlId: "cdn-id" },
      { originId: "api", domainName: "feed.example.com", customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"], originReadTimeout: 30, originKeepaliveTimeout: 5 } },
    ]);
    assert.deepEqual(d.originGroups, [{ originId: "static", failoverCriteria: { statusCodes: [403, 404, 500, 502, 503, 504] }, members: [{ originId: "static-s3" }, { originId: "static-s3-standby" }] }]);
    assert.deepEqual(d.defaultCacheBehavior, { targetOriginId: "static", viewerProtocolPolicy: "redirect-to-https", allowedMethods: ["GET", "HEAD", "OPTIONS"], cachedMethods: ["GET", "HEAD"], compress: true, cachePolicyId: "658327ea-f89d-4fab-a63d-7e88639e58f6" });
    assert.deepEqual(d.orderedCacheBehaviors, [{
      pathPattern: "/api/*", targetOriginId: "api", viewerProtocolPolicy: "redirect-to-https", allowedMethods: ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"], cachedMethods: ["GET", "HEAD"], compress: true,
      cachePolicyId: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", originRequestPolicyId: "b689b0a8-53d0-40ab-baf2-68738e2966ac",
      functionAssociations: [{ eventType: "viewer-request", functionArn: "arn:aws:cloudfront::123456789012:function/cdn-strip-api" }],
    }]);
    assert.deepEqual([d.enabled, d.priceClass, d.defaultRootObject, d.loggingConfig, d.aliases, d.viewerCertificate, d.tags], [
      true, "PriceClass_200", "index.html", { bucket: "primary-cdn-cdn-logs.s3.amazonaws.com", prefix: "cdn/", includeCookies: false }, ["static.feed.example.com"],
      { acmCertificateArn: CDN_CERT, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" }, { project: "resilient-feed", environment: "prod", tier: "cdn" },
    ]);
    assert.deepEqual(pick(prod.one("cloudfront/originAccessControl:OriginAccessControl", "cdn"), ["name", "originAccessControlOriginType", "signingBehavior", "signingProtocol"]),
      { name: "resilient-feed-prod-static", originAccessControlOriginType: "s3", signingBehavior: "always", signingProtocol: "sigv4" });
  });

  it("both buckets admit only this distribution (OAC), over TLS, each policy in its bucket's region", () => {
    for (const [name, bucket, region] of [["cdn-static-primary", "primary-cdn-static", "ap-northeast-2"], ["cdn-static-standby", "secondary-cdn-static", "ap-northeast-1"]]) {
      const p = prod.one("s3/bucketPolicy:BucketPolicy", name);
      assert.deepEqual([p.inputs.region, p.inputs.bucket], [region, `${bucket}-id`]);
      assert.deepEqual(json(p.inputs.policy).Statement, [
        { Sid: "CloudFrontReadsThroughOac", Effect: "Allow", Principal: { Service: "cloudfront.amazonaws.com" }, Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucket}/*`,
          Condition: { StringEquals: { "AWS:SourceArn": json(p.inputs.policy).Statement[0].Condition.StringEquals["AWS:SourceArn"] } } },
        { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } },
      ]);
      assert.match(json(p.inputs.policy).Statement[0].Condition.StringEquals["AWS:SourceArn"], /^arn:aws:cloudfront::123456789012:distribution\//);
    }
  });

  it("what was the primary site's (distribution, OAC, function, the primary bucket's policy) is aliased to its old name under the primary StaticSite", async () => {
    // resource options do not reach the mocks; a transformation on the component sees every child's
    const seen: { type: string; name: string; aliases?: unknown[] }[] = [];
    const capture: pulumi.ResourceTransformation = (a) => { seen.push({ type: a.type, name: a.name, aliases: a.opts.aliases as unknown[] | undefined }); return undefined; };
    const t = prodTopology();
    let primary!: StaticSite;
    await record(mocks, () => {
      primary = new StaticSite("primary-cdn", { topology: t, site: siteOf(t, "primary"), logs: true });
      new Cdn("cdn", { topology: t, primary, api: { domainName: "feed.example.com", protocol: "https" } }, { transformations: [capture] });
    });
    const aliased = seen.filter((r) => r.aliases !== undefined).map((r) => [r.type, r.name, (r.aliases as any[]).map((a) => [a.name, a.parent === primary])]);
    assert.deepEqual(aliased, [
      ["aws:cloudfront/originAccessControl:OriginAccessControl", "cdn", [["primary-cdn", true]]],
      ["aws:cloudfront/function:Function", "cdn-strip-api", [["primary-cdn-strip-api", true]]],
      ["aws:cloudfront/distribution:Distribution", "cdn", [["primary-cdn", true]]],
      ["aws:s3/bucketPolicy:BucketPolicy", "cdn-static-primary", [["primary-cdn-static", true]]],
    ]);
  });

  it("/api/* reaches the API without the prefix: a published CloudFront Function rewrites the path", () => {
    const f = prod.one("cloudfront/function:Function", "cdn-strip-api").inputs as any;
    assert.deepEqual([f.runtime, f.publish], ["cloudfront-js-2.0", true]);
    const handler = new Function(`${f.code}\nreturn handler;`)() as (e: { request: { uri: string; querystring: object } }) => { uri: string; querystring: object };
    const rewrite = (uri: string) => handler({ request: { uri, querystring: { limit: { value: "20" } } } });
    assert.deepEqual(["/api/feed", "/api/users/123/follow", "/api/", "/api"].map((u) => rewrite(u).uri), ["/feed", "/users/123/follow", "/", "/"]);
    assert.deepEqual(rewrite("/api/feed").querystring, { limit: { value: "20" } });
    assert.equal(rewrite("/apiary/x").uri, "/apiary/x", "only a whole /api segment is stripped");
  });

  it("dev (one site, no certificate): the bucket as the only static origin, the API over HTTP with every viewer header", () => {
    const d = dev.one("cloudfront/distribution:Distribution", "cdn").inputs as any;
    assert.deepEqual(d.origins.map((o: any) => o.originId), ["static-s3", "api"]);
    assert.deepEqual([d.originGroups, d.defaultCacheBehavior.targetOriginId, d.origins[1].domainName, d.origins[1].customOriginConfig.originProtocolPolicy], [undefined, "static-s3", "dev.feed.example.com", "http-only"]);
    assert.equal(d.orderedCacheBehaviors[0].originRequestPolicyId, "216adef6-5c7f-47e4-b989-5492eafa07d3");
    assert.deepEqual([d.aliases, d.viewerCertificate], [undefined, { cloudfrontDefaultCertificate: true, minimumProtocolVersion: "TLSv1" }]);
    assert.equal(dev.one("s3/bucket:Bucket", "primary-cdn-static").inputs.forceDestroy, true);
    assert.equal(dev.of("s3/bucketReplicationConfig:BucketReplicationConfig").length, 0);
  });
});
