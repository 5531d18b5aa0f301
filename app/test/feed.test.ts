import { strict as assert } from "node:assert";
import { closeRedis, createRedis } from "../src/cache/redis";
import { deadLetterKey, FanoutWorker } from "../src/queue/fanout";
import { createLogger } from "../src/logger";
import { call, makeApp, signupAndLogin, type TestApp } from "./support/services";

describe("app: posts, fan-out through the Redis Stream, feed", function () {
  this.timeout(60_000);
  let t: TestApp;
  before(async () => {
    t = await makeApp({ FEED_CACHE_SIZE: "10" });
  });
  after(async () => t?.close());

  it("post → fan-out → follower's feed, newest first, cursor pagination, exact items", async () => {
    const reader = await signupAndLogin(t.app);
    const a = await signupAndLogin(t.app);
    const b = await signupAndLogin(t.app);
    const stranger = await signupAndLogin(t.app);
    await call(t.app, "PUT", `/users/${a.id}/follow`, { token: reader.token });
    await call(t.app, "PUT", `/users/${b.id}/follow`, { token: reader.token });

    const empty = await call(t.app, "GET", "/feed", { token: reader.token });
    assert.deepEqual(empty.body, { items: [], nextCursor: null });
    assert.ok((await t.deps.redis.ttl(`feed:${reader.id}`)) > 0, "feed list cached with a TTL");

    const p1 = await call(t.app, "POST", "/posts", { token: a.token, body: { text: "first from a" } });
    assert.equal(p1.status, 201);
    assert.deepEqual(Object.keys(p1.body.post).sort(), ["authorId", "createdAt", "id", "mediaKey", "text"]);
    assert.equal(p1.body.post.authorId, a.id);
    const p2 = await call(t.app, "POST", "/posts", { token: b.token, body: { text: "from b", mediaKey: "img/b.png" } });
    const p3 = await call(t.app, "POST", "/posts", { token: a.token, body: { text: "second from a" } });
    await call(t.app, "POST", "/posts", { token: stranger.token, body: { text: "not followed" } });

    // Before the worker runs, the cached list does not have them yet (freshness, not correctness).
    assert.deepEqual((await call(t.app, "GET", "/feed", { token: reader.token })).body.items, []);
    await t.drainFanout();
    const stats = await t.deps.queue.stats();
    assert.equal(stats.pending, 0);
    assert.equal(stats.lag, 0);

    const feed = await call(t.app, "GET", "/feed", { token: reader.token });
    assert.equal(feed.status, 200);
    assert.deepEqual(feed.body.items.map((p: { text: string }) => p.text), ["second from a", "from b", "first from a"]);
    // Each item is the post as POST /posts returned it, plus its author's public profile.
    assert.deepEqual(feed.body.items[1], { ...p2.body.post, author: { id: b.id, handle: b.handle, displayName: `Name ${b.handle}` } });
    assert.equal(feed.body.nextCursor, null);

    const page1 = await call(t.app, "GET", "/feed?limit=2", { token: reader.token });
    assert.deepEqual(page1.body.items.map((p: { id: string }) => p.id), [p3.body.post.id, p2.body.post.id]);
    assert.equal(page1.body.nextCursor, p2.body.post.id);
    const page2 = await call(t.app, "GET", `/feed?limit=2&cursor=${page1.body.nextCursor}`, { token: reader.token });
    assert.deepEqual(page2.body.items.map((p: { id: string }) => p.id), [p1.body.post.id]);
    assert.equal(page2.body.nextCursor, null);

    const single = await call(t.app, "GET", `/posts/${p2.body.post.id}`);
    assert.deepEqual(single.body, { post: p2.body.post });
  });

  it("feed list deleted → rebuilt from the database on read, same items, TTL set again", async () => {
    const reader = await signupAndLogin(t.app);
    const a = await signupAndLogin(t.app);
    await call(t.app, "PUT", `/users/${a.id}/follow`, { token: reader.token });
    const ids: string[] = [];
    for (let i = 0; i < 13; i++) ids.unshift((await call(t.app, "POST", "/posts", { token: a.token, body: { text: `post ${i}` } })).body.post.id);
    await t.drainFanout();
    const before = await call(t.app, "GET", "/feed?limit=100", { token: reader.token });
    assert.deepEqual(before.body.items.map((p: { id: string }) => p.id), ids);

    await t.deps.redis.del(`feed:${reader.id}`);
    const q0 = t.deps.db.queryCount;
    const rebuilt = await call(t.app, "GET", "/feed?limit=5", { token: reader.token });
    assert.ok(t.deps.db.queryCount > q0, "rebuild read the database");
    assert.deepEqual(rebuilt.body.items.map((p: { id: string }) => p.id), ids.slice(0, 5));
    assert.equal(rebuilt.body.nextCursor, ids[4]);
    // Capped at FEED_CACHE_SIZE=10 (no end marker: older pages come from MySQL).
    assert.equal(await t.deps.redis.zcard(`feed:${reader.id}`), 10);
    const ttl = await t.deps.redis.ttl(`feed:${reader.id}`);
    assert.ok(ttl > 590 && ttl <= 600, `ttl ${ttl}`);
    // Paging past the capped list reads MySQL.
    const p2 = await call(t.app, "GET", `/feed?limit=5&cursor=${ids[4]}`, { token: reader.token });
    const p3 = await call(t.app, "GET", `/feed?limit=5&cursor=${p2.body.nextCursor}`, { token: reader.token });
    assert.deepEqual([...p2.body.items, ...p3.body.items].map((p: { id: string }) => p.id), ids.slice(5));
    assert.equal(p3.body.nextCursor, null);
  });

  it("every Redis key except the stream has a TTL", async () => {
    const keys = await t.deps.redis.keys("*");
    assert.ok(keys.some((k) => k.startsWith("user:")) && keys.some((k) => k.startsWith("feed:")));
    for (const k of keys) {
      const type = await t.deps.redis.type(k);
      const ttl = await t.deps.redis.ttl(k);
      if (type === "stream") assert.ok(k.startsWith(t.config.streamKey), k);
      else assert.ok(ttl >= 0 || ttl === -2 /* 0: under a second left; -2: expired meanwhile */, `${k} (${type}) has no TTL`);
    }
  });

  it("a job that keeps failing is retried, then dead-lettered after FANOUT_MAX_ATTEMPTS", async () => {
    const stream = `stream:test-dlq-${Date.now()}`;
    const d = await makeApp({ STREAM_KEY: stream, FANOUT_MAX_ATTEMPTS: "3", FANOUT_RETRY_IDLE_MS: "30" });
    const blocking = createRedis(d.config.redisUrl, { commandTimeoutMs: 1000, blocking: true });
    try {
      let calls = 0;
      const w = new FanoutWorker({
        redis: d.deps.redis, blockingRedis: blocking, db: d.deps.db, config: d.config, logger: createLogger("silent"), metrics: d.deps.metrics, consumer: "w1",
        handler: async (job) => {
          calls++;
          if (job.postId === "666") throw new Error("boom");
        },
      });
      await w.queue.ensureGroup();
      await d.deps.queue.enqueue({ postId: "666", authorId: "1" });
      await d.deps.queue.enqueue({ postId: "1", authorId: "1" });
      assert.equal(await w.poll(10), 2);
      let dead = 0;
      for (let i = 0; i < 20 && dead === 0; i++) {
        await new Promise((r) => setTimeout(r, 40));
        dead += (await w.reclaim()).dead;
      }
      assert.equal(dead, 1);
      assert.equal(calls, 4); // ok job once + failing job 3 deliveries
      const dl = (await d.deps.redis.xrange(deadLetterKey(stream), "-", "+")) as Array<[string, string[]]>;
      assert.equal(dl.length, 1);
      const f = dl[0][1];
      assert.deepEqual([f[0], f[1], f[2], f[3], f[6], f[7]], ["postId", "666", "authorId", "1", "deliveries", "3"]);
      assert.equal((await d.deps.queue.stats()).pending, 0);
      assert.equal(await d.deps.metrics.counterValue(d.deps.metrics.fanoutJobs, { outcome: "dead" }), 1);
    } finally {
      await closeRedis(blocking);
      await d.close();
    }
  });
});
