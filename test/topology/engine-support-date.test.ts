import { strict as assert } from "node:assert";
import { todayUtc } from "../../infra/clock";
import { parseProjectConfig } from "../../infra/config/parse";
import { DO_MYSQL_VERSIONS } from "../../infra/facts/digitalocean";
import { buildTopology } from "../../infra/topology/build";
import { devOnAws, stackRaw } from "../support/config-fixtures";

// The Topology is a pure function of its arguments: the engine-support warning for DigitalOcean
// MySQL is decided by the day the caller passes (the program and the plan pass today), never by
// the clock inside buildTopology.

const WARNING = "DigitalOcean MySQL 8 runs MySQL 8.0, past upstream standard support since 2026-04-30, and DigitalOcean offers no newer major: dev only (prod runs on aws)";
const dev = () => parseProjectConfig(stackRaw("dev"));
const supportWarnings = (asOf?: string, cfg = dev()) => buildTopology(cfg, asOf).warnings.filter((w) => w.includes("past upstream standard support"));

describe("topology: the engine-support date comes from the caller", () => {
  it("MySQL 8 on DigitalOcean: no warning on its last day of support (2026-04-30), the warning the day after", () => {
    assert.equal(DO_MYSQL_VERSIONS.find((v) => v.version === "8")?.standardSupportEnds, "2026-04-30");
    assert.deepEqual(supportWarnings("2026-04-30"), []);
    assert.deepEqual(supportWarnings("2026-05-01"), [WARNING]);
  });

  it("the same config and day build the same Topology; without a day, no date-dependent warning", () => {
    assert.deepEqual(buildTopology(dev(), "2030-01-01"), buildTopology(dev(), "2030-01-01"));
    assert.deepEqual(supportWarnings(undefined), []);
    // everything else is the same as with a day before the end of support
    assert.deepEqual(buildTopology(dev()), buildTopology(dev(), "2020-01-01"));
  });

  it("an AWS-only stack gets no DigitalOcean engine warning on any day", () => {
    assert.deepEqual(supportWarnings("2030-01-01", parseProjectConfig(devOnAws())), []);
  });

  it("refuses a day that is not YYYY-MM-DD, naming it", () => {
    assert.throws(() => buildTopology(dev(), "1 May 2026"), { message: 'buildTopology: asOf "1 May 2026" is not a YYYY-MM-DD date' });
  });

  it("todayUtc: the UTC calendar day, as the program passes it", () => {
    assert.equal(todayUtc(new Date("2026-04-30T23:59:59.999Z")), "2026-04-30");
    assert.equal(todayUtc(new Date("2026-05-01T00:00:00+09:00")), "2026-04-30");
  });
});
