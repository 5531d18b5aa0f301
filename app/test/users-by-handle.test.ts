import { strict as assert } from "node:assert";
import { call, makeApp, services, signupAndLogin, uniq, type TestApp } from "./support/services";

// GET /users/@{handle}: the profile read by handle, against real MariaDB (primary + replica) and
// Redis. Statements are counted by the pools' query counter.

describe("app: profile by handle (GET /users/@handle)", function () {
  this.timeout(60_000);
  let t: TestApp;
  let near: TestApp; // with the near-cache on (the test default turns it off)
  before(async () => {
    t = await makeApp();
    near = await makeApp({ PROFILE_LOCAL_CACHE_MS: "5000" });
  });
  after(async () => {
    await t?.close();
    await near?.close();
  });

  it("answers the same profile as GET /users/:id, whatever the handle's case", async () => {
    const u = await signupAndLogin(t.app, uniq("Hdl"));
    const byId = await call(t.app, "GET", `/users/${u.id}`);
    const byHandle = await call(t.app, "GET", `/users/@${u.handle}`);
    assert.equal(byHandle.status, 200);
    assert.deepEqual(byHandle.body, byId.body);
    assert.equal(byHandle.headers.get("content-type"), "application/json");
    assert.ok(byHandle.headers.get("x-request-id"));
    const upper = await call(t.app, "GET", `/users/@${u.handle.toUpperCase()}`);
    assert.deepEqual(upper.body, byId.body, "handles compare without case, like the column");
    // counted under its own route label
    const count = await t.deps.metrics.counterValue(t.deps.metrics.httpRequests, { route: "/users/@:handle", status: "200" });
    assert.ok(count >= 2, `requests counted: ${count}`);
  });

  it("is cached like the profile: Redis handle:{h} with the profile TTL, then no SQL; near-cache too", async () => {
    const u = await signupAndLogin(t.app);
    await t.deps.redis.del(`user:${u.id}`, `handle:${u.handle.toLowerCase()}`);
    const q0 = t.deps.db.queryCount;
    assert.equal((await call(t.app, "GET", `/users/@${u.handle}`)).status, 200);
    assert.equal(t.deps.db.queryCount - q0, 2, "cold: the handle's id, then the profile");
    assert.equal(await t.deps.redis.get(`handle:${u.handle.toLowerCase()}`), u.id);
    const ttl = await t.deps.redis.ttl(`handle:${u.handle.toLowerCase()}`);
    assert.ok(ttl > 28 && ttl <= 30, `ttl ${ttl}`);
    const q1 = t.deps.db.queryCount;
    assert.equal((await call(t.app, "GET", `/users/@${u.handle}`)).status, 200);
    assert.equal(t.deps.db.queryCount - q1, 0, "warm: no SQL");

    // Near-cache: a hit needs neither SQL nor Redis (Redis entries dropped, still answered).
    assert.equal((await call(near.app, "GET", `/users/@${u.handle}`)).status, 200);
    await near.deps.redis.del(`user:${u.id}`, `handle:${u.handle.toLowerCase()}`);
    const q2 = near.deps.db.queryCount;
    const hit = await call(near.app, "GET", `/users/@${u.handle}`);
    assert.equal(hit.status, 200);
    assert.equal(hit.body.user.id, u.id);
    assert.equal(near.deps.db.queryCount - q2, 0);
    assert.ok((await near.deps.metrics.counterValue(near.deps.metrics.localCacheHits, { cache: "handle" })) >= 1);
  });

  it("an unknown handle → 404 JSON, and nothing cached", async () => {
    const handle = uniq("nobody");
    const r = await call(t.app, "GET", `/users/@${handle}`);
    assert.equal(r.status, 404);
    assert.deepEqual(r.body, { error: { code: "not_found", message: "user not found" } });
    assert.equal(await t.deps.redis.exists(`handle:${handle}`), 0);
  });

  it("an invalid handle → 400 validation_error (zod, as the other routes), no SQL", async () => {
    const q0 = t.deps.db.queryCount;
    for (const bad of ["@", "@ab", "@bad-handle", `@${"x".repeat(31)}`, "@a%20b", "@@ada"]) {
      const r = await call(t.app, "GET", `/users/${bad}`);
      assert.equal(r.status, 400, bad);
      assert.equal(r.body.error.code, "validation_error", bad);
      assert.match(r.body.error.message, /^path\.handle: /, bad);
      assert.deepEqual(r.body.error.details[0].path, ["path", "handle"], bad);
    }
    assert.equal(t.deps.db.queryCount - q0, 0);
  });

  it("a bare handle (GET /users/demo1) stays 400 invalid_id, and says how to look it up", async () => {
    const r = await call(t.app, "GET", "/users/demo1");
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, "invalid_id");
    assert.match(r.body.error.message, /GET \/users\/@handle/);
  });

  it("a handle signed up a moment ago is found while the replica lags (retried on the primary)", async () => {
    const s = await services();
    const root = await s.db.replica.rootConnection();
    try {
      await root.query("STOP SLAVE SQL_THREAD");
      const u = await signupAndLogin(t.app);
      const r = await call(t.app, "GET", `/users/@${u.handle}`);
      assert.equal(r.status, 200);
      assert.equal(r.body.user.id, u.id);
    } finally {
      await root.query("START SLAVE SQL_THREAD").catch(() => undefined);
      await root.end();
    }
    await s.db.waitForReplica();
  });
});
