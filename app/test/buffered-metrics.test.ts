import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { Counter, Histogram, Registry } from "prom-client";
import { bufferedCounter, bufferedHistogram } from "../src/http/buffered-metrics";

// http/buffered-metrics.ts adds to prom-client's private histogram state (`upperBounds`, and
// `hashMap` entries of {labels, bucketValues, sum, count}) and wraps `collect`. prom-client is
// pinned to an exact version for that; these tests fail if an upgrade changes what it relies on
// (the code itself would silently fall back to plain observe(), losing the speed, not the counts).

describe("app: buffered metrics and prom-client's internal shape", () => {
  it("prom-client is pinned to an exact version, and that version is the one installed", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "../../package.json"), "utf8")) as { dependencies: Record<string, string> };
    const lock = JSON.parse(fs.readFileSync(path.join(__dirname, "../../package-lock.json"), "utf8")) as { packages: Record<string, { version?: string; dependencies?: Record<string, string> }> };
    const pinned = pkg.dependencies["prom-client"];
    assert.match(pinned, /^\d+\.\d+\.\d+$/, "an exact version, no range");
    assert.equal(lock.packages[""].dependencies?.["prom-client"], pinned);
    assert.equal(lock.packages["node_modules/prom-client"].version, pinned);
    assert.equal((require("prom-client/package.json") as { version: string }).version, pinned);
  });

  it("a histogram's private state has the shape bufferedHistogram adds to", () => {
    const registry = new Registry();
    const h = new Histogram({ name: "shape_seconds", help: "h", labelNames: ["route"], buckets: [0.1, 1], registers: [registry] });
    const internals = h as unknown as { upperBounds: unknown; hashMap: Record<string, unknown>; collect?: unknown };
    assert.deepEqual(internals.upperBounds, [0.1, 1]);
    h.zero({ route: "/a" });
    assert.deepEqual(Object.values(internals.hashMap), [{ labels: { route: "/a" }, bucketValues: { 0.1: 0, 1: 0 }, sum: 0, count: 0 }]);
    h.observe({ route: "/a" }, 0.5);
    assert.deepEqual(Object.values(internals.hashMap), [{ labels: { route: "/a" }, bucketValues: { 0.1: 0, 1: 1 }, sum: 0.5, count: 1 }], "observe() counts into the first bucket >= the value, non-cumulative");
  });

  it("buffered observations stay out of prom-client until a read, then the read is exact", async () => {
    const registry = new Registry();
    const h = new Histogram({ name: "buffered_seconds", help: "h", labelNames: ["route"], buckets: [0.1, 1], registers: [registry] });
    const c = new Counter({ name: "buffered_total", help: "c", labelNames: ["route"], registers: [registry] });
    const hist = bufferedHistogram(h, { route: "/b" });
    const count = bufferedCounter(c, { route: "/b" });
    for (const v of [0.05, 0.5, 0.5, 3]) hist.observe(v);
    for (let i = 0; i < 4; i++) count.inc();
    const state = Object.values((h as unknown as { hashMap: Record<string, { count: number }> }).hashMap);
    assert.deepEqual(state.map((e) => e.count), [0], "nothing handed to prom-client before a read");

    const text = await registry.metrics();
    assert.match(text, /buffered_seconds_bucket\{le="0.1",route="\/b"\} 1\n/);
    assert.match(text, /buffered_seconds_bucket\{le="1",route="\/b"\} 3\n/);
    assert.match(text, /buffered_seconds_bucket\{le="\+Inf",route="\/b"\} 4\n/);
    assert.match(text, /buffered_seconds_sum\{route="\/b"\} 4.05\n/);
    assert.match(text, /buffered_seconds_count\{route="\/b"\} 4\n/);
    assert.match(text, /buffered_total\{route="\/b"\} 4\n/);
    // A second read adds nothing twice.
    assert.match(await registry.metrics(), /buffered_seconds_count\{route="\/b"\} 4\n/);
    assert.equal((await c.get()).values[0].value, 4);
  });
});
