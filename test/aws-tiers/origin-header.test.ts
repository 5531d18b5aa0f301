import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { ApiLoadBalancer } from "../../infra/aws/api-load-balancer";
import { OriginSecret } from "../../infra/aws/origin-secret";
import { parseProjectConfig } from "../../infra/config/parse";
import { buildTopology } from "../../infra/topology/build";
import { prodWith } from "../support/config-fixtures";
import { fakeNetwork, record, siteOf, TierMocks, value } from "./support/harness";

// The secret origin header end to end at the load balancer: the listener accepts both slots'
// values, CloudFront gets the one `edge.originSecret.send` names, and the ALB carries every
// group SecurityChain hands it. Each RandomPassword answers with its own name here, so the
// values say which slot they came from.

class SlotMocks extends TierMocks {
  async newResource(args: pulumi.runtime.MockResourceArgs): Promise<{ id: string; state: Record<string, unknown> }> {
    const out = await super.newResource(args);
    if (args.type === "random:index/randomPassword:RandomPassword") out.state = { ...out.state, result: `value-of-${args.name}` };
    return out;
  }
}

describe("origin header at the load balancer", function () {
  this.timeout(60_000);
  let mocks: SlotMocks;
  before(async () => {
    mocks = new SlotMocks("resilient-feed", "prod");
    await pulumi.runtime.setMocks(mocks, "resilient-feed", "prod", false);
  });

  it("rotation's second step: CloudFront sends slot b, the listener accepts a and b; the ALB carries both groups", async () => {
    const topology = buildTopology(parseProjectConfig(prodWith((c) => { c.edge.originSecret = { send: "b", a: 3, b: 4 }; })));
    const site = siteOf(topology, "primary");
    const n = fakeNetwork(site);
    let secret!: OriginSecret;
    const rec = await record(mocks, () => {
      secret = new OriginSecret("os", { topology });
      const lb = new ApiLoadBalancer("p", {
        topology, site, vpcId: n.vpcId, publicSubnetIds: n.publicSubnetIds,
        loadBalancerSecurityGroupId: n.loadBalancerSecurityGroupId,
        loadBalancerSecurityGroupIds: [n.loadBalancerSecurityGroupId, "sg-primary-lb-2"],
        certificateArn: site.certificateArn, originSecrets: secret.accepted,
      });
      lb.refuseOthers!([]);
    });
    assert.equal(await value(secret.sent), "value-of-os-b");
    assert.deepEqual(rec.of("random:index/randomPassword:RandomPassword").map((r) => [r.name, (r.inputs as any).keepers]), [["os-a", { generation: "3" }], ["os-b", { generation: "4" }]]);
    const header = rec.one("lb/listenerRule:ListenerRule", "p-from-cdn").inputs as any;
    assert.deepEqual(header.conditions, [{ httpHeader: { httpHeaderName: "X-Origin-Verify", values: ["value-of-os-a", "value-of-os-b"] } }]);
    assert.deepEqual(rec.one("lb/loadBalancer:LoadBalancer", "p").inputs.securityGroups, ["sg-primary-lb", "sg-primary-lb-2"]);
    assert.deepEqual(rec.of("lb/listenerRule:ListenerRule").map((r) => [r.name, r.inputs.priority]).sort(), [["p-deny-rest", 50000], ["p-from-cdn", 20], ["p-hide-metrics", 10], ["p-readiness", 30]]);
    // the listener itself still forwards: the 403 is the last rule, created after the allow rules
    assert.deepEqual((rec.one("lb/listener:Listener", "p-https").inputs as any).defaultActions.map((a: any) => a.type), ["forward"]);
  });

  it("reached directly (no origin secrets), the listener has no header rule and no 403", async () => {
    const topology = buildTopology(parseProjectConfig(prodWith((c) => { c.edge.cdnFrontsApi = false; })));
    const site = siteOf(topology, "secondary");
    const n = fakeNetwork(site);
    const rec = await record(mocks, () => { new ApiLoadBalancer("s", { topology, site, vpcId: n.vpcId, publicSubnetIds: n.publicSubnetIds, loadBalancerSecurityGroupId: n.loadBalancerSecurityGroupId, certificateArn: site.certificateArn }); });
    assert.deepEqual(rec.of("lb/listenerRule:ListenerRule").map((r) => r.name), ["s-hide-metrics"]);
  });
});
