import { strict as assert } from "node:assert";
import { offlineDependencies } from "../../tools/cloud-gameday/dependencies";

// The dependencies the step check orders a real preview's steps by come from the program's
// offline evaluation (one evaluation of prod here), keyed `type::name` like the adapter's.

describe("cloud game day: the program's dependencies for the step check", function () {
  this.timeout(120000);
  it("keys every resource `type::name`, its dependencies the same way (a record on the health check it names)", async () => {
    const deps = await offlineDependencies("prod", {});
    assert.ok(deps && deps.size > 100);
    assert.ok(deps.get("aws:route53/record:Record::edge-failover-primary")?.includes("aws:route53/healthCheck:HealthCheck::edge-primary-readyz"));
    for (const [key, list] of deps) for (const d of [key, ...list]) assert.match(d, /^[a-z0-9-]+:[\w/.-]*:\w+::[^:]+$/, d);
  });
});
