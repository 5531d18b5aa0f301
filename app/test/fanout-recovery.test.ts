import { strict as assert } from "node:assert";
import { closeRedis, createRedis, waitReady } from "../src/cache/redis";
import { createLogger } from "../src/logger";
import { FanoutWorker } from "../src/queue/fanout";
import { call, makeApp, services, signupAndLogin, type TestApp } from "./support/services";

// Fan-out that survives Redis, on real MariaDB and Redis: a post whose enqueue failed still reaches
// its followers' lists (replayed from the post's outbox mark), and the worker keeps going after
// Redis restarts empty (the consumer group is recreated on NOGROUP).

async function until(cond: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("app: fan-out recovery (outbox replay, consumer group recreated)", function () {
  this.timeout(120_000);
  let t: TestApp;
  let worker: FanoutWorker;
  let blocking: ReturnType<typeof createRedis>;
  const stream = `stream:recovery-${Date.now()}`;

  before(async () => {
    t = await makeApp({ STREAM_KEY: stream, FANOUT_REPLAY_AFTER_MS: "300", FANOUT_RETRY_IDLE_MS: "200" });
    blocking = createRedis(t.config.redisUrl, { commandTimeoutMs: 1000, blocking: true });
    worker = new FanoutWorker({ redis: t.deps.redis, blockingRedis: blocking, db: t.deps.db, config: t.config, logger: createLogger("silent"), metrics: t.deps.metrics, consumer: "recovery-0", replay: true });
    worker.start(100);
  });

  after(async () => {
    await worker?.stop();
    await t?.deps.redis.del(stream).catch(() => undefined); // streams are the keys without a TTL: leave none behind
    if (blocking) await closeRedis(blocking);
    await t?.close();
  });

  const listIds = async (userId: string) => ((await t.deps.redis.zrange(`feed:${userId}`, "0", "-1")) as string[]).map((m) => m.replace(/^0+/, "")).filter(Boolean);
  const pendingMark = async (postId: string) => {
    const [rows] = (await t.deps.db.primary.pool.query("SELECT fanout_pending FROM posts WHERE id = ?", [BigInt(postId)])) as unknown as [Array<{ fanout_pending: number }>];
    return Number(rows[0].fanout_pending);
  };

  it("a post whose enqueue failed still reaches the followers' cached lists (replayed from its outbox mark)", async () => {
    const reader = await signupAndLogin(t.app);
    const author = await signupAndLogin(t.app);
    assert.equal((await call(t.app, "PUT", `/users/${author.id}/follow`, { token: reader.token })).status, 204);
    assert.equal((await call(t.app, "GET", "/feed", { token: reader.token })).status, 200); // the list is now cached
    const failures0 = await t.deps.metrics.counterValue(t.deps.metrics.enqueueFailures);

    // A real XADD failure: the stream's key holds a string (WRONGTYPE) while the post is written.
    await worker.stop();
    await t.deps.redis.del(stream);
    await t.deps.redis.set(stream, "not a stream", "EX", 60);
    const post = await call(t.app, "POST", "/posts", { token: author.token, body: { text: "enqueue failed" } });
    assert.equal(post.status, 201);
    assert.equal(await t.deps.metrics.counterValue(t.deps.metrics.enqueueFailures), failures0 + 1);
    assert.equal(await pendingMark(post.body.post.id), 1, "written with its outbox mark");
    assert.deepEqual(await listIds(reader.id), [], "not pushed");

    await t.deps.redis.del(stream);
    worker.start(100);
    await until(async () => (await listIds(reader.id)).includes(post.body.post.id), 30_000, "the replayed post in the reader's list");
    await until(async () => (await pendingMark(post.body.post.id)) === 0, 10_000, "the mark cleared");
    const feed = await call(t.app, "GET", "/feed", { token: reader.token });
    assert.deepEqual(feed.body.items.map((p: { id: string }) => p.id), [post.body.post.id]);
    assert.ok((await t.deps.metrics.counterValue(t.deps.metrics.fanoutReplays)) >= 1);
  });

  it("a batch of jobs from several authors: every follower's list gets all of them, one script call per list", async () => {
    const reader = await signupAndLogin(t.app);
    const other = await signupAndLogin(t.app);
    const a = await signupAndLogin(t.app);
    const b = await signupAndLogin(t.app);
    for (const author of [a, b]) assert.equal((await call(t.app, "PUT", `/users/${author.id}/follow`, { token: reader.token })).status, 204);
    assert.equal((await call(t.app, "PUT", `/users/${a.id}/follow`, { token: other.token })).status, 204);
    await worker.stop();
    try {
      for (const u of [reader, other]) assert.equal((await call(t.app, "GET", "/feed", { token: u.token })).status, 200); // lists cached
      const jobs = [
        { postId: "1000000000000000001", authorId: a.id },
        { postId: "1000000000000000002", authorId: b.id },
        { postId: "1000000000000000003", authorId: a.id },
      ];
      // the reader's and the other follower's lists, and each author's recent-posts list if cached
      const recentCached = Number(await t.deps.redis.exists(`recent:${a.id}`)) + Number(await t.deps.redis.exists(`recent:${b.id}`));
      assert.equal(await worker.fanoutBatch(jobs), 2 + recentCached);
      assert.deepEqual((await listIds(reader.id)).sort(), jobs.map((j) => j.postId).sort());
      assert.deepEqual((await listIds(other.id)).sort(), [jobs[0].postId, jobs[2].postId]);
      await assert.rejects(worker.fanoutBatch([{ postId: "x", authorId: a.id }]), /malformed job/);
    } finally {
      await t.deps.redis.del(`feed:${reader.id}`, `feed:${other.id}`);
      worker.start(100);
    }
  });

  it("after Redis restarts empty, the worker recreates its consumer group and fans new posts out", async () => {
    const s = await services();
    const reader = await signupAndLogin(t.app);
    const author = await signupAndLogin(t.app);
    assert.equal((await call(t.app, "PUT", `/users/${author.id}/follow`, { token: reader.token })).status, 204);
    const before = await call(t.app, "POST", "/posts", { token: author.token, body: { text: "before the restart" } });
    await until(async () => (await pendingMark(before.body.post.id)) === 0, 30_000, "the first post fanned out");

    // A marker key proves the restart lost everything; the stream itself may already be back,
    // recreated (MKSTREAM) by the worker's NOGROUP handling as soon as it reconnects.
    const marker = `${stream}:before-restart`;
    await t.deps.redis.set(marker, "1", "EX", 600);
    await s.redis.halt();
    await s.redis.restart();
    await waitReady(t.deps.redis, 10_000);
    assert.equal(await t.deps.redis.exists(marker), 0, "Redis came back empty");

    // A fresh session after the restart (sessions may live in Redis), then a rebuilt list.
    const reader2 = await call(t.app, "POST", "/auth/login", { body: { handle: reader.handle, password: "correct horse", mode: "bearer" } });
    const author2 = await call(t.app, "POST", "/auth/login", { body: { handle: author.handle, password: "correct horse", mode: "bearer" } });
    const rebuilt = await call(t.app, "GET", "/feed", { token: reader2.body.token });
    assert.deepEqual(rebuilt.body.items.map((p: { id: string }) => p.id), [before.body.post.id]);
    const after = await call(t.app, "POST", "/posts", { token: author2.body.token, body: { text: "after the restart" } });
    assert.equal(after.status, 201);
    await until(async () => (await listIds(reader.id)).includes(after.body.post.id), 30_000, "the new post in the reader's list");
    await until(async () => (await pendingMark(after.body.post.id)) === 0, 10_000, "the mark cleared");
    const feed = await call(t.app, "GET", "/feed", { token: reader2.body.token });
    assert.deepEqual(feed.body.items.map((p: { id: string }) => p.id), [after.body.post.id, before.body.post.id]);
  });
});
