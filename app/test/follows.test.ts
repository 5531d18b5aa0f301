import { strict as assert } from "node:assert";
import { call, makeApp, signupAndLogin, type TestApp } from "./support/services";

describe("app: follows and the 5000-followee limit", function () {
  this.timeout(60_000);
  let t: TestApp;
  before(async () => {
    t = await makeApp();
  });
  after(async () => t?.close());

  it("follow / unfollow are idempotent and update both profiles' counts", async () => {
    const a = await signupAndLogin(t.app);
    const b = await signupAndLogin(t.app);
    assert.equal((await call(t.app, "GET", `/users/${b.id}`)).body.user.followerCount, 0); // cached now
    assert.equal((await call(t.app, "PUT", `/users/${b.id}/follow`, { token: a.token })).status, 204);
    assert.equal((await call(t.app, "PUT", `/users/${b.id}/follow`, { token: a.token })).status, 204);
    const [r] = await t.deps.db.primary.query<Array<{ n: number }>>("SELECT COUNT(*) AS n FROM follows WHERE follower_id = ? AND followee_id = ?", [BigInt(a.id), BigInt(b.id)]);
    assert.equal(Number(r.n), 1);
    // The follow invalidated both cached profiles.
    assert.equal((await call(t.app, "GET", `/users/${b.id}`)).body.user.followerCount, 1);
    assert.equal((await call(t.app, "GET", `/users/${a.id}`)).body.user.followingCount, 1);
    assert.equal((await call(t.app, "DELETE", `/users/${b.id}/follow`, { token: a.token })).status, 204);
    assert.equal((await call(t.app, "DELETE", `/users/${b.id}/follow`, { token: a.token })).status, 204);
    assert.equal((await call(t.app, "GET", `/users/${b.id}`)).body.user.followerCount, 0);
  });

  it("the 5001st follow → 409 follow_limit, nothing written; after one unfollow it works again", async () => {
    const me = await signupAndLogin(t.app);
    const target = await signupAndLogin(t.app);
    // 5000 follows seeded directly in SQL (ids of users that need not exist: no FKs at this scale).
    const base = 7_000_000_000_000n + BigInt(Math.floor(Math.random() * 1e9)) * 10_000n;
    const rows: Array<[bigint, bigint, Date]> = [];
    for (let i = 0n; i < 5000n; i++) rows.push([BigInt(me.id), base + i, new Date()]);
    await t.deps.db.primary.query("INSERT INTO follows (follower_id, followee_id, created_at) VALUES ?", [rows]);

    const r = await call(t.app, "PUT", `/users/${target.id}/follow`, { token: me.token });
    assert.equal(r.status, 409);
    assert.deepEqual(r.body, { error: { code: "follow_limit", message: "you already follow 5000 users, the maximum" } });
    const [c] = await t.deps.db.primary.query<Array<{ n: number }>>("SELECT COUNT(*) AS n FROM follows WHERE follower_id = ?", [BigInt(me.id)]);
    assert.equal(Number(c.n), 5000);

    await t.deps.db.primary.query("DELETE FROM follows WHERE follower_id = ? AND followee_id = ?", [BigInt(me.id), base]);
    assert.equal((await call(t.app, "PUT", `/users/${target.id}/follow`, { token: me.token })).status, 204);
    const [c2] = await t.deps.db.primary.query<Array<{ n: number }>>("SELECT COUNT(*) AS n FROM follows WHERE follower_id = ?", [BigInt(me.id)]);
    assert.equal(Number(c2.n), 5000);
    // Concurrent attempts at the limit: the row lock serializes them, all 409.
    const more = await Promise.all([1, 2, 3].map(async () => (await signupAndLogin(t.app)).id));
    const res = await Promise.all(more.map((id) => call(t.app, "PUT", `/users/${id}/follow`, { token: me.token })));
    assert.deepEqual(res.map((x) => x.status), [409, 409, 409]);
  });
});
