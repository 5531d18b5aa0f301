import { strict as assert } from "node:assert";
import type { Connection } from "mysql2/promise";
import { call, makeApp, services, signupAndLogin, type Services, type TestApp } from "./support/services";

describe("app: replica lag, read-your-writes, replica down", function () {
  this.timeout(90_000);
  let s: Services;
  let root: Connection;
  let ryw: TestApp; // replica trusted (no lag check), read-your-writes 30 s
  let noRyw: TestApp; // replica trusted, no read-your-writes: shows what the replica serves
  before(async () => {
    s = await services();
    root = await s.db.replica.rootConnection();
    ryw = await makeApp({ REPLICA_LAG_CHECK_MS: "0", READ_YOUR_WRITES_SECONDS: "30" });
    noRyw = await makeApp({ REPLICA_LAG_CHECK_MS: "0", READ_YOUR_WRITES_SECONDS: "0" });
  });
  after(async () => {
    await root?.query("START SLAVE").catch(() => undefined);
    await root?.end();
    await ryw?.close();
    await noRyw?.close();
  });

  it("a read-only writer (a switchover in progress): writes answer 503 db_unavailable and write nothing; reads stay 200; writes resume after", async () => {
    const u = await signupAndLogin(ryw.app);
    const primary = await s.db.primary.rootConnection();
    try {
      await primary.query("SET GLOBAL read_only = 1");
      const post = await call(ryw.app, "POST", "/posts", { token: u.token, body: { text: "during the switchover" } });
      assert.equal(post.status, 503, JSON.stringify(post.body));
      assert.equal(post.body.error.code, "db_unavailable");
      const patch = await call(ryw.app, "PATCH", "/users/me", { token: u.token, body: { displayName: "Not Saved" } });
      assert.equal(patch.status, 503);
      assert.equal((await call(ryw.app, "GET", "/users/me", { token: u.token })).status, 200);
      const [rows] = await primary.query("SELECT COUNT(*) AS n FROM feed.posts WHERE author_id = ?", [BigInt(u.id)]);
      assert.equal(Number((rows as Array<{ n: number }>)[0].n), 0, "no half-written post");
    } finally {
      await primary.query("SET GLOBAL read_only = 0");
      await primary.end();
    }
    assert.equal((await call(ryw.app, "POST", "/posts", { token: u.token, body: { text: "after" } })).status, 201);
  });

  it("read-your-writes while the replica's SQL thread is stopped", async () => {
    const u = await signupAndLogin(ryw.app);
    const v = await signupAndLogin(ryw.app);
    const vPost = await call(ryw.app, "POST", "/posts", { token: v.token, body: { text: "v's post" } });
    await s.db.waitForReplica();
    await root.query("STOP SLAVE SQL_THREAD");
    try {
      const upd = await call(ryw.app, "PATCH", "/users/me", { token: u.token, body: { displayName: "Fresh Name" } });
      assert.equal(upd.status, 200);
      assert.equal(upd.body.user.displayName, "Fresh Name");
      assert.equal((await call(ryw.app, "PUT", `/users/${v.id}/follow`, { token: u.token })).status, 204);

      // The replica really is behind.
      const [rows] = await root.query("SELECT display_name FROM feed.users WHERE id = ?", [BigInt(u.id)]);
      assert.equal((rows as Array<{ display_name: string }>)[0].display_name, `Name ${u.handle}`);

      // The writer sees its writes: profile (cache dropped) and the feed built from the new follow.
      await ryw.deps.redis.del(`user:${u.id}`, `feed:${u.id}`);
      const me = await call(ryw.app, "GET", "/users/me", { token: u.token });
      assert.equal(me.body.user.displayName, "Fresh Name");
      assert.equal(me.body.user.followingCount, 1);
      const feed = await call(ryw.app, "GET", "/feed", { token: u.token });
      assert.deepEqual(feed.body.items.map((p: { id: string }) => p.id), [vPost.body.post.id]);

      // Without read-your-writes the same reads come from the stale replica.
      await noRyw.deps.redis.del(`user:${u.id}`, `feed:${u.id}`);
      const stale = await call(noRyw.app, "GET", "/feed", { token: u.token });
      assert.deepEqual(stale.body.items, []);
      await noRyw.deps.redis.del(`feed:${u.id}`);

      // With the lag check on, a stopped SQL thread takes the replica out: primary for everyone.
      const checked = await makeApp({ REPLICA_LAG_CHECK_MS: "100", READ_YOUR_WRITES_SECONDS: "0" });
      try {
        assert.equal(await checked.deps.db.checkReplica(), null);
        assert.equal(checked.deps.db.replicaUsable, false);
        const viaPrimary = await call(checked.app, "GET", "/feed", { token: u.token });
        assert.deepEqual(viaPrimary.body.items.map((p: { id: string }) => p.id), [vPost.body.post.id]);
        assert.ok((await checked.deps.metrics.counterValue(checked.deps.metrics.dbFallbacks, { reason: "replica_unusable" })) > 0);
      } finally {
        await checked.close();
      }
    } finally {
      await root.query("START SLAVE SQL_THREAD");
    }
    await s.db.waitForReplica();
    const [rows] = await root.query("SELECT display_name FROM feed.users WHERE id = ?", [BigInt(u.id)]);
    assert.equal((rows as Array<{ display_name: string }>)[0].display_name, "Fresh Name");
  });

  it("replica down → profile, post and feed reads still succeed (from the primary)", async () => {
    const t = await makeApp({ REPLICA_LAG_CHECK_MS: "200" });
    try {
      const u = await signupAndLogin(t.app);
      const v = await signupAndLogin(t.app);
      await call(t.app, "PUT", `/users/${v.id}/follow`, { token: u.token });
      const post = await call(t.app, "POST", "/posts", { token: v.token, body: { text: "while the replica is down" } });
      await s.db.waitForReplica();
      // A second instance reads: no local read-your-writes memory of these users.
      const reader = await makeApp({ REPLICA_LAG_CHECK_MS: "200" });
      await root.end();
      await s.db.replica.halt();
      try {
        await t.deps.redis.del(`user:${v.id}`, `feed:${u.id}`, `ryw:${u.id}`, `ryw:${v.id}`);
        const started = Date.now();
        const prof = await call(reader.app, "GET", `/users/${v.id}`);
        assert.equal(prof.status, 200);
        assert.equal(prof.body.user.handle, v.handle);
        const p = await call(reader.app, "GET", `/posts/${post.body.post.id}`);
        assert.equal(p.status, 200);
        assert.equal(p.body.post.text, "while the replica is down");
        const f = await call(reader.app, "GET", "/feed", { token: u.token });
        assert.equal(f.status, 200);
        assert.deepEqual(f.body.items.map((x: { id: string }) => x.id), [post.body.post.id]);
        assert.ok(Date.now() - started < 5000, "fallback is quick");
        const m = reader.deps.metrics;
        assert.ok((await m.counterValue(m.dbFallbacks, { reason: "replica_error" })) + (await m.counterValue(m.dbFallbacks, { reason: "replica_unusable" })) >= 3);
        assert.equal(await m.counterValue(m.dbFallbacks, { reason: "read_your_writes" }), 0);
        // Reads still work (on the primary), but the site's own read database is down: not ready.
        const ready = await call(reader.metrics, "GET", "/readyz"); // the loopback answer, with the checks
        assert.equal(ready.status, 503);
        assert.deepEqual(ready.body, { status: "not_ready", checks: { database: false, writer: true, redis: true } });
      } finally {
        await reader.close();
        await s.db.replica.restart();
        root = await s.db.replica.rootConnection();
      }
      await s.db.waitForReplica();
      // The lag check puts the replica back in service.
      for (let i = 0; i < 50 && !t.deps.db.replicaUsable; i++) await new Promise((r) => setTimeout(r, 100));
      assert.equal(t.deps.db.replicaUsable, true);
    } finally {
      await t.close();
    }
  });
});
