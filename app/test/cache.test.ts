import { strict as assert } from "node:assert";
import { call, makeApp, signupAndLogin, type TestApp } from "./support/services";

describe("app: profile read-through cache", function () {
  this.timeout(60_000);
  let t: TestApp;
  before(async () => {
    t = await makeApp();
  });
  after(async () => t?.close());

  it("second read is a cache hit: no SQL sent (query counter), TTL 30 s; update invalidates", async () => {
    const u = await signupAndLogin(t.app);
    await t.deps.redis.del(`user:${u.id}`);
    const hits0 = await t.deps.metrics.counterValue(t.deps.metrics.cacheRequests, { cache: "profile", result: "hit" });

    const q0 = t.deps.db.queryCount;
    const first = await call(t.app, "GET", `/users/${u.id}`);
    assert.equal(first.status, 200);
    assert.equal(t.deps.db.queryCount - q0, 1, "miss: one query");
    const ttl = await t.deps.redis.ttl(`user:${u.id}`);
    assert.ok(ttl > 28 && ttl <= 30, `ttl ${ttl}`);

    const q1 = t.deps.db.queryCount;
    const second = await call(t.app, "GET", `/users/${u.id}`);
    assert.equal(t.deps.db.queryCount - q1, 0, "hit: no query");
    assert.deepEqual(second.body, first.body);
    assert.equal(await t.deps.metrics.counterValue(t.deps.metrics.cacheRequests, { cache: "profile", result: "hit" }), hits0 + 1);

    const upd = await call(t.app, "PATCH", "/users/me", { token: u.token, body: { displayName: "Renamed", bio: "hello" } });
    assert.equal(upd.status, 200);
    assert.equal(upd.body.user.displayName, "Renamed");
    assert.equal(upd.body.user.bio, "hello");
    const after = await call(t.app, "GET", `/users/${u.id}`);
    assert.equal(after.body.user.displayName, "Renamed");
    assert.equal(after.body.user.bio, "hello");
    assert.ok(after.body.user.updatedAt > first.body.user.updatedAt);
    assert.equal(JSON.parse((await t.deps.redis.get(`user:${u.id}`)) as string).displayName, "Renamed");
  });

  it("a burst of cold reads shares one SQL statement; concurrent reads of one id share one load; counts stay exact", async () => {
    const users = await Promise.all(Array.from({ length: 5 }, () => signupAndLogin(t.app)));
    await t.deps.redis.del(...users.map((u) => `user:${u.id}`));
    const requests0 = await t.deps.metrics.counterValue(t.deps.metrics.httpRequests, { route: "/users/:id", status: "200" });
    const q0 = t.deps.db.queryCount;
    // 5 distinct cold ids, the first one three times, all in the same turn
    const ids = [...users.map((u) => u.id), users[0].id, users[0].id];
    const replies = await Promise.all(ids.map((id) => call(t.app, "GET", `/users/${id}`)));
    assert.deepEqual(replies.map((r) => [r.status, r.body.user.id]), ids.map((id) => [200, id]));
    assert.equal(t.deps.db.queryCount - q0, 1, "one SELECT ... WHERE id IN (...) for the whole burst");
    // the hot route's buffered counters are exact when read
    assert.equal(await t.deps.metrics.counterValue(t.deps.metrics.httpRequests, { route: "/users/:id", status: "200" }), requests0 + ids.length);
    const text = (await call(t.metrics, "GET", "/metrics")).body as string;
    const count = Number(/http_request_duration_seconds_count\{method="GET",route="\/users\/:id",status="200"\} (\d+)/.exec(text)?.[1]);
    assert.equal(count, requests0 + ids.length, "histogram count matches the requests");
  });

  it("unknown id → 404 JSON (and nothing cached)", async () => {
    const r = await call(t.app, "GET", "/users/123456789");
    assert.equal(r.status, 404);
    assert.deepEqual(r.body, { error: { code: "not_found", message: "user not found" } });
    assert.equal(await t.deps.redis.exists("user:123456789"), 0);
  });

  it("/metrics (loopback listener) exposes request, cache, pool and stream series", async () => {
    const m = await call(t.metrics, "GET", "/metrics");
    assert.equal(m.status, 200);
    const text = m.body as string;
    assert.match(text, /http_requests_total\{method="GET",route="\/users\/:id",status="200"\} \d+/);
    assert.match(text, /http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/users\/:id",status="200"\}/);
    assert.match(text, /cache_requests_total\{cache="profile",result="hit"\} [1-9]/);
    assert.match(text, /db_pool_connections_in_use\{pool="primary"\} 0/);
    assert.match(text, /db_queries_total\{pool="replica"\} \d+/);
    assert.match(text, /stream_lag\{stream="stream:fanout"\} \d+/);
    const h = await call(t.app, "GET", "/healthz");
    assert.deepEqual(h.body, { status: "ok" });
    const r = await call(t.app, "GET", "/readyz");
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { status: "ready" }, "the public answer names no dependency");
    assert.match(r.headers.get("x-request-id") ?? "", /^[0-9a-f]{12}-[0-9a-z]+$/);
    const detail = await call(t.metrics, "GET", "/readyz");
    assert.deepEqual([detail.status, detail.body], [200, { status: "ready", checks: { database: true, writer: true, redis: true } }]);
  });

  it("near-cache: hot reads skip Redis; an update on another instance reaches it through pub/sub", async () => {
    const a = await makeApp({ PROFILE_LOCAL_CACHE_MS: "10000" });
    const b = await makeApp({ PROFILE_LOCAL_CACHE_MS: "10000" });
    try {
      await new Promise((r) => setTimeout(r, 200)); // subscribers connected
      const u = await signupAndLogin(a.app);
      assert.equal((await call(b.app, "GET", `/users/${u.id}`)).status, 200);
      const local0 = await b.deps.metrics.counterValue(b.deps.metrics.localCacheHits);
      await b.deps.redis.del(`user:${u.id}`); // only the near-cache can answer now without SQL
      const q0 = b.deps.db.queryCount;
      const hot = await call(b.app, "GET", `/users/${u.id}`);
      assert.equal(hot.body.user.displayName, `Name ${u.handle}`);
      assert.equal(b.deps.db.queryCount, q0);
      assert.equal(await b.deps.metrics.counterValue(b.deps.metrics.localCacheHits), local0 + 1);

      assert.equal((await call(a.app, "PATCH", "/users/me", { token: u.token, body: { displayName: "Via A" } })).status, 200);
      let seen = "";
      for (let i = 0; i < 50 && seen !== "Via A"; i++) {
        await new Promise((r) => setTimeout(r, 20));
        seen = (await call(b.app, "GET", `/users/${u.id}`)).body.user.displayName;
      }
      assert.equal(seen, "Via A", "instance B dropped its near-cache entry on the invalidation message");
    } finally {
      await a.close();
      await b.close();
    }
  });
});
