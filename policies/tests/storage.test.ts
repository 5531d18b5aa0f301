import { strict as assert } from "node:assert";
import { awsCloudfrontTls, awsElasticacheEncryption, awsElasticacheFailover, awsKmsKeyRotation, awsS3BucketProtected, awsS3PublicAccessBlock } from "../rules/storage";
import { checkResource, checkStack, deployment, tags, type FakeResource } from "./util";

const cache = (props: Record<string, unknown>, environment: "dev" | "prod" = "prod"): FakeResource => ({
  type: "aws:elasticache/replicationGroup:ReplicationGroup",
  name: "primary-cache",
  props: { nodeType: "cache.r7g.large", numCacheClusters: 2, automaticFailoverEnabled: true, multiAzEnabled: true, atRestEncryptionEnabled: true, transitEncryptionEnabled: true, authToken: "secret", tags: tags(environment), ...props },
});

describe("policies: data stores, CDN and keys", () => {
  it("aws-elasticache-encryption: at rest, in transit, with AUTH", async () => {
    assert.deepEqual((await checkResource(awsElasticacheEncryption, cache({}))).violations, []);
    const bad = await checkResource(awsElasticacheEncryption, cache({ atRestEncryptionEnabled: false, transitEncryptionEnabled: false, authToken: undefined }));
    assert.equal(bad.violations.length, 3);
    assert.match(bad.violations[0], /^aws:elasticache\/ReplicationGroup "primary-cache" does not encrypt at rest/);
    assert.match(bad.violations[1], /accepts plaintext connections .*transitEncryptionEnabled: true/);
    assert.match(bad.violations[2], /requires no authentication \(no authToken and no userGroupIds\)/);
    assert.deepEqual((await checkResource(awsElasticacheEncryption, cache({ authToken: undefined, userGroupIds: ["ug"] }))).violations, []);
  });

  it("aws-elasticache-automatic-failover: prod only; the standby site's cache (role from the Deployment, not a tag) excepted", async () => {
    const marker = deployment("warm-standby");
    const sites = { primary: { role: "active" }, secondary: { role: "standby" } };
    const withSites = { ...marker, props: { ...marker.props, sites } };
    const standby = { ...cache({ automaticFailoverEnabled: false, numCacheClusters: 1, tags: tags("prod", { site: "secondary" }) }), name: "secondary-cache" };
    assert.deepEqual((await checkStack(awsElasticacheFailover, [withSites, cache({}), standby])).violations, []);
    const bad = await checkStack(awsElasticacheFailover, [withSites, cache({ automaticFailoverEnabled: false, numCacheClusters: 1 }), standby]);
    assert.equal(bad.violations.length, 1);
    assert.match(bad.violations[0], /^aws:elasticache\/ReplicationGroup "primary-cache" has no automatic failover.*Set automaticFailoverEnabled: true and multiAzEnabled: true/);
    assert.equal(bad.urns[0], "urn:pulumi:prod::resilient-feed::aws:elasticache/replicationGroup:ReplicationGroup::primary-cache");
    // after failover the Deployment makes the secondary active: its cache is checked, the fenced primary's is not
    const failedOver = { ...deployment("warm-standby", "prod", "secondary"), props: { ...deployment("warm-standby", "prod", "secondary").props, sites: { primary: { role: "standby" }, secondary: { role: "active" } } } };
    const after = await checkStack(awsElasticacheFailover, [failedOver, cache({ automaticFailoverEnabled: false }), standby]);
    assert.match(after.violations[0], /^aws:elasticache\/ReplicationGroup "secondary-cache" has no automatic failover/);
    // without the per-site map, the role follows activeSite
    assert.deepEqual((await checkStack(awsElasticacheFailover, [marker, cache({}), standby])).violations, []);
    assert.match((await checkStack(awsElasticacheFailover, [withSites, standby])).notApplicable!, /belongs to a standby site/);
    assert.match((await checkStack(awsElasticacheFailover, [deployment("warm-standby", "dev"), cache({ automaticFailoverEnabled: false }, "dev")])).notApplicable!, /prod stacks only/);
  });

  it("aws-s3-public-access-block: all four settings on", async () => {
    const all = { bucket: "b", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };
    assert.deepEqual((await checkResource(awsS3PublicAccessBlock, { type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", name: "static", props: all })).violations, []);
    const bad = await checkResource(awsS3PublicAccessBlock, { type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", name: "static", props: { ...all, blockPublicPolicy: false, restrictPublicBuckets: undefined } });
    assert.match(bad.violations[0], /^aws:s3\/BucketPublicAccessBlock "static" leaves blockPublicPolicy, restrictPublicBuckets off/);
  });

  it("aws-s3-bucket-protected: every bucket has a public access block and encryption", async () => {
    const bucket: FakeResource = { type: "aws:s3/bucket:Bucket", name: "static", props: { region: "ap-northeast-2" } };
    const pab: FakeResource = { type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", name: "static-pab", props: { bucket: "static-id" }, deps: { bucket: ["static"] } };
    const sse: FakeResource = { type: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", name: "static-sse", props: { bucket: "static-id", rules: [] }, deps: { bucket: ["static"] } };
    assert.deepEqual((await checkStack(awsS3BucketProtected, [bucket, pab, sse])).violations, []);
    const bare = await checkStack(awsS3BucketProtected, [bucket]);
    assert.equal(bare.violations.length, 2);
    assert.match(bare.violations[0], /^aws:s3\/Bucket "static" has no aws\.s3\.BucketPublicAccessBlock\. Add one with bucket: static\.id/);
    assert.match(bare.violations[1], /^aws:s3\/Bucket "static" has no default encryption configuration/);
    assert.equal(bare.urns[0], "urn:pulumi:prod::resilient-feed::aws:s3/bucket:Bucket::static");
    assert.match((await checkStack(awsS3BucketProtected, [])).notApplicable!, /no S3 buckets/);
  });

  it("aws-cloudfront-viewer-tls: ACM certificate with TLS 1.2+, HTTPS-only behaviours", async () => {
    const dist = (props: Record<string, unknown>): FakeResource => ({
      type: "aws:cloudfront/distribution:Distribution",
      name: "primary-cdn",
      props: {
        viewerCertificate: { acmCertificateArn: "arn:aws:acm:us-east-1:1:certificate/x", sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" },
        defaultCacheBehavior: { viewerProtocolPolicy: "redirect-to-https" },
        orderedCacheBehaviors: [{ pathPattern: "/api/*", viewerProtocolPolicy: "https-only" }],
        ...props,
      },
    });
    assert.deepEqual((await checkResource(awsCloudfrontTls, dist({}))).violations, []);
    const defaultCert = await checkResource(awsCloudfrontTls, dist({ viewerCertificate: { cloudfrontDefaultCertificate: true, minimumProtocolVersion: "TLSv1" } }));
    assert.match(defaultCert.violations[0], /^aws:cloudfront\/Distribution "primary-cdn" uses the default \*\.cloudfront\.net certificate, on which CloudFront accepts TLS 1\.0/);
    const old = await checkResource(awsCloudfrontTls, dist({ viewerCertificate: { acmCertificateArn: "arn", minimumProtocolVersion: "TLSv1.1_2016" }, orderedCacheBehaviors: [{ pathPattern: "/api/*", viewerProtocolPolicy: "allow-all" }] }));
    assert.deepEqual(old.violations, [
      `aws:cloudfront/Distribution "primary-cdn" allows viewer TLS below 1.2 (minimumProtocolVersion is "TLSv1.1_2016"). Set viewerCertificate.minimumProtocolVersion: "TLSv1.2_2021".`,
      `aws:cloudfront/Distribution "primary-cdn" orderedCacheBehaviors[0] (/api/*) serves plain HTTP to viewers (viewerProtocolPolicy is "allow-all"). Set viewerProtocolPolicy: "redirect-to-https" (or "https-only").`,
    ]);
  });

  it("aws-kms-key-rotation: symmetric keys rotate; asymmetric keys are not applicable", async () => {
    const key = (props: Record<string, unknown>): FakeResource => ({ type: "aws:kms/key:Key", name: "primary-db-kms", props: { region: "ap-northeast-2", ...props } });
    assert.deepEqual((await checkResource(awsKmsKeyRotation, key({ enableKeyRotation: true }))).violations, []);
    assert.deepEqual((await checkResource(awsKmsKeyRotation, key({}))).violations, [
      `aws:kms/Key "primary-db-kms" does not rotate its key material (enableKeyRotation is not true). Set enableKeyRotation: true (rotationPeriodInDays defaults to 365).`,
    ]);
    assert.match((await checkResource(awsKmsKeyRotation, key({ customerMasterKeySpec: "RSA_2048", keyUsage: "SIGN_VERIFY" }))).notApplicable!, /RSA_2048\/SIGN_VERIFY key/);
  });
});
