import { strict as assert } from "node:assert";
import { waitReady } from "../src/cache/redis";
import { call, makeApp, services, signupAndLogin, type TestApp } from "./support/services";

describe("app: Redis down → reads degrade to MySQL, session routes keep working", function () {
  this.timeout(90_000);
  let t: TestApp;
  before(async () => {
    t = await makeApp();
  });
  after(async () => {
    const s = await services();
    await s.redis.restart();
    await t?.close();
  });

  it("profile and feed reads answer 200 from MySQL; login, logout, post, patch, follow work; recovers", async () => {
    const s = await services();
    const u = await signupAndLogin(t.app);
    const v = await signupAndLogin(t.app);
    await call(t.app, "PUT", `/users/${v.id}/follow`, { token: u.token });
    const p = await call(t.app, "POST", "/posts", { token: v.token, body: { text: "cached world" } });
    const profileBefore = await call(t.app, "GET", `/users/${v.id}`);

    await s.redis.halt();
    // ioredis notices the closed socket at once; give it a moment.
    for (let i = 0; i < 50 && t.deps.redis.status === "ready"; i++) await new Promise((r) => setTimeout(r, 20));

    const started = Date.now();
    const prof = await call(t.app, "GET", `/users/${v.id}`);
    assert.equal(prof.status, 200);
    assert.deepEqual(prof.body, profileBefore.body);
    const feed = await call(t.app, "GET", "/feed", { token: u.token });
    assert.equal(feed.status, 200);
    assert.deepEqual(feed.body.items.map((x: { id: string }) => x.id), [p.body.post.id]);
    const post = await call(t.app, "GET", `/posts/${p.body.post.id}`);
    assert.equal(post.status, 200);
    assert.ok(Date.now() - started < 2000, `degraded reads are fast (${Date.now() - started} ms)`);

    // Sessions are verified from their signature and the revocation list: every session route works.
    const login = await call(t.app, "POST", "/auth/login", { body: { handle: u.handle, password: "correct horse", mode: "bearer" } });
    assert.equal(login.status, 200);
    assert.equal((await call(t.app, "POST", "/posts", { token: login.body.token, body: { text: "x" } })).status, 201);
    assert.equal((await call(t.app, "PATCH", "/users/me", { token: u.token, body: { bio: "x" } })).status, 200);
    assert.equal((await call(t.app, "PUT", `/users/${v.id}/follow`, { token: u.token })).status, 204);
    assert.equal((await call(t.app, "GET", "/users/me", { token: u.token })).status, 200);
    assert.equal((await call(t.app, "POST", "/auth/logout", { token: login.body.token })).status, 204);
    assert.equal((await call(t.app, "GET", "/users/me", { token: login.body.token })).status, 401);
    // A forged token is still 401, not a free pass.
    assert.equal((await call(t.app, "GET", "/feed", { token: u.token.replace(/.$/, (c) => (c === "A" ? "B" : "A")) })).status, 401);
    // Redis alone down degrades the site (reads from MySQL), it does not take it out of service.
    const ready = await call(t.metrics, "GET", "/readyz"); // the loopback answer, with the checks
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { status: "degraded", checks: { database: true, writer: true, redis: false } });
    assert.ok((await t.deps.metrics.counterValue(t.deps.metrics.cacheRequests, { result: "error" })) >= 2);

    await s.redis.restart();
    await waitReady(t.deps.redis, 10_000);
    const again = await call(t.app, "POST", "/auth/login", { body: { handle: u.handle, password: "correct horse", mode: "bearer" } });
    assert.equal(again.status, 200);
    assert.equal((await call(t.app, "GET", "/users/me", { token: again.body.token })).status, 200);
  });
});
