import { strict as assert } from "node:assert";
import { awsCloudfrontUniqueAliases } from "../rules/cdn";
import { checkStack, type FakeResource } from "./util";

const distribution = (name: string, aliases?: string[]): FakeResource => ({ type: "aws:cloudfront/distribution:Distribution", name, props: { aliases, enabled: true } });

describe("policies: aws-cloudfront-unique-aliases", () => {
  it("passes distinct aliases, distributions without aliases, and a single distribution", async () => {
    assert.deepEqual((await checkStack(awsCloudfrontUniqueAliases, [distribution("cdn", ["static.feed.example.com"]), distribution("docs", ["docs.feed.example.com"]), distribution("bare")])).violations, []);
    assert.match((await checkStack(awsCloudfrontUniqueAliases, [distribution("cdn", ["static.feed.example.com"])])).notApplicable!, /1 CloudFront distribution in the stack/);
  });

  it("fails two distributions claiming the same alias (case-insensitive), reported on the second", async () => {
    const out = await checkStack(awsCloudfrontUniqueAliases, [distribution("primary-cdn", ["static.feed.example.com"]), distribution("secondary-cdn", ["Static.Feed.Example.com", "other.example.com"])]);
    assert.deepEqual(out.violations, [
      `aws:cloudfront/Distribution "primary-cdn" and aws:cloudfront/Distribution "secondary-cdn" both claim the alias "static.feed.example.com"; CloudFront refuses a CNAME that another distribution has (CNAMEAlreadyExists). ` +
      `Keep one distribution for the name (e.g. an origin group that fails over between the sites' origins) and remove the alias from the others.`,
    ]);
    assert.equal(out.urns[0], "urn:pulumi:prod::resilient-feed::aws:cloudfront/distribution:Distribution::secondary-cdn");
  });
});
