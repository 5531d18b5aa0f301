import { strict as assert } from "node:assert";
import { waitReady } from "../src/cache/redis";
import { postKey } from "../src/posts/cache";
import { feedKey, pullKey, recentKey } from "../src/feed/list-encoding";
import { call, makeApp, services, signupAndLogin, type TestApp } from "./support/services";

// The feed read path against real MariaDB and Redis: SQL statements counted by the pools' counter
// (every statement either pool sends; the replica lag check is off so nothing runs in the background).

type Item = { id: string; authorId: string; text: string; author: { id: string; handle: string; displayName: string } };
const ids = (body: { items: Item[] }) => body.items.map((p) => p.id);

describe("app: feed read path (post cache, authors, celebrity pull)", function () {
  this.timeout(90_000);
  let t: TestApp;
  before(async () => {
    t = await makeApp({ REPLICA_LAG_CHECK_MS: "0", POST_CACHE_TTL_SECONDS: "3600" });
  });
  after(async () => t?.close());

  async function readerWithPosts(n: number) {
    const reader = await signupAndLogin(t.app);
    const authors = [await signupAndLogin(t.app), await signupAndLogin(t.app)];
    for (const a of authors) await call(t.app, "PUT", `/users/${a.id}/follow`, { token: reader.token });
    const posts: string[] = [];
    for (let i = 0; i < n; i++) posts.unshift((await call(t.app, "POST", "/posts", { token: authors[i % 2].token, body: { text: `post ${i}` } })).body.post.id);
    await t.drainFanout();
    return { reader, authors, posts };
  }

  it("a warm page issues no SQL; a cold page loads every missing post in one statement", async () => {
    const { reader, posts } = await readerWithPosts(6);
    const first = await call(t.app, "GET", "/feed?limit=5", { token: reader.token });
    assert.deepEqual(ids(first.body), posts.slice(0, 5));

    const q0 = t.deps.db.queryCount;
    const warm = await call(t.app, "GET", "/feed?limit=5", { token: reader.token });
    assert.equal(t.deps.db.queryCount - q0, 0, "warm page: no SQL");
    assert.deepEqual(warm.body, first.body);

    await t.deps.redis.del(...posts.map(postKey));
    const q1 = t.deps.db.queryCount;
    const cold = await call(t.app, "GET", "/feed?limit=5", { token: reader.token });
    assert.equal(t.deps.db.queryCount - q1, 1, "cold page: one SELECT ... WHERE id IN (...) for the 5 misses");
    assert.deepEqual(cold.body, first.body);
    const q2 = t.deps.db.queryCount;
    await call(t.app, "GET", "/feed?limit=5", { token: reader.token });
    assert.equal(t.deps.db.queryCount - q2, 0, "read-through filled the cache");
    assert.ok((await t.deps.metrics.counterValue(t.deps.metrics.cacheRequests, { cache: "post", result: "miss" })) >= 5);
    assert.ok((await t.deps.metrics.counterValue(t.deps.metrics.cacheRequests, { cache: "post", result: "hit" })) >= 10);
  });

  it("post-cache entries always carry a TTL: filled on write, filled on a read-through", async () => {
    const { reader, posts } = await readerWithPosts(2);
    for (const id of posts) {
      const ttl = await t.deps.redis.ttl(postKey(id));
      assert.ok(ttl > 3500 && ttl <= 3600, `${postKey(id)} after the write: ttl ${ttl}`);
    }
    await t.deps.redis.del(postKey(posts[0]));
    assert.equal((await call(t.app, "GET", `/posts/${posts[0]}`)).status, 200);
    await call(t.app, "GET", "/feed", { token: reader.token });
    const ttl = await t.deps.redis.ttl(postKey(posts[0]));
    assert.ok(ttl > 3500 && ttl <= 3600, `after a read-through: ttl ${ttl}`);
    for (const k of await t.deps.redis.keys("post:*")) assert.ok((await t.deps.redis.ttl(k)) > 0, `${k} has no TTL`);
    for (const k of [...(await t.deps.redis.keys("recent:*")), ...(await t.deps.redis.keys("feed:*"))]) assert.ok((await t.deps.redis.ttl(k)) > 0, `${k} has no TTL`);
  });

  it("items carry their author's public profile; a profile change reaches the feed", async () => {
    const { reader, authors } = await readerWithPosts(2);
    const page = await call(t.app, "GET", "/feed", { token: reader.token });
    for (const item of page.body.items as Item[]) {
      const a = authors.find((x) => x.id === item.authorId)!;
      assert.deepEqual(item.author, { id: a.id, handle: a.handle, displayName: `Name ${a.handle}` });
    }
    assert.equal((await call(t.app, "PATCH", "/users/me", { token: authors[0].token, body: { displayName: "Renamed" } })).status, 200);
    const after = await call(t.app, "GET", "/feed", { token: reader.token });
    const renamed = (after.body.items as Item[]).filter((i) => i.authorId === authors[0].id);
    assert.ok(renamed.length > 0 && renamed.every((i) => i.author.displayName === "Renamed"));
  });

  it("through another instance's near-cache, a profile change reaches its feed within PROFILE_LOCAL_CACHE_MS", async () => {
    const b = await makeApp({ REPLICA_LAG_CHECK_MS: "0", PROFILE_LOCAL_CACHE_MS: "300" });
    try {
      const { reader, authors } = await readerWithPosts(2);
      const name = async () => ((await call(b.app, "GET", "/feed", { token: reader.token })).body.items as Item[]).find((i) => i.authorId === authors[1].id)!.author.displayName;
      assert.equal(await name(), `Name ${authors[1].handle}`);
      await call(t.app, "PATCH", "/users/me", { token: authors[1].token, body: { displayName: "Elsewhere" } });
      await new Promise((r) => setTimeout(r, 350)); // the near-cache bound (pub/sub usually drops the entry sooner)
      assert.equal(await name(), "Elsewhere");
    } finally {
      await b.close();
    }
  });

  it("the feed stays correct with Redis down (ids, bodies and authors from MySQL)", async () => {
    const s = await services();
    const { reader, posts } = await readerWithPosts(4);
    const warm = await call(t.app, "GET", "/feed?limit=3", { token: reader.token });
    const warm2 = await call(t.app, "GET", `/feed?limit=3&cursor=${warm.body.nextCursor}`, { token: reader.token });
    assert.deepEqual([...ids(warm.body), ...ids(warm2.body)], posts);
    await s.redis.halt();
    try {
      for (let i = 0; i < 50 && t.deps.redis.status === "ready"; i++) await new Promise((r) => setTimeout(r, 20));
      const down = await call(t.app, "GET", "/feed?limit=3", { token: reader.token });
      assert.equal(down.status, 200);
      assert.deepEqual(down.body, warm.body);
      const down2 = await call(t.app, "GET", `/feed?limit=3&cursor=${down.body.nextCursor}`, { token: reader.token });
      assert.deepEqual(down2.body, warm2.body);
      assert.equal((await call(t.app, "GET", `/posts/${posts[0]}`)).status, 200);
    } finally {
      await s.redis.restart();
      await waitReady(t.deps.redis, 10_000);
    }
  });
});

describe("app: the feed keeps the posts it served in process (POST_LOCAL_CACHE_ENTRIES)", function () {
  this.timeout(90_000);
  let t: TestApp;
  before(async () => {
    t = await makeApp({ REPLICA_LAG_CHECK_MS: "0", POST_LOCAL_CACHE_ENTRIES: "3" });
  });
  after(async () => t?.close());
  const localHits = () => t.deps.metrics.counterValue(t.deps.metrics.localCacheHits, { cache: "post" });

  it("a re-read page takes the posts it can from the process (bounded), the same bytes, no SQL, nothing refilled in Redis", async () => {
    const reader = await signupAndLogin(t.app);
    const author = await signupAndLogin(t.app);
    await call(t.app, "PUT", `/users/${author.id}/follow`, { token: reader.token });
    const posts: string[] = [];
    for (let i = 0; i < 5; i++) posts.unshift((await call(t.app, "POST", "/posts", { token: author.token, body: { text: `kept ${i}` } })).body.post.id);
    await t.drainFanout();
    const first = await call(t.app, "GET", "/feed?limit=5", { token: reader.token });
    assert.deepEqual(ids(first.body), posts);

    // Redis loses the bodies: the 3 the process still holds (its bound) are served from it, the 2
    // others read through MySQL; the page is the same either way.
    await t.deps.redis.del(...posts.map(postKey));
    const h0 = await localHits();
    const q0 = t.deps.db.queryCount;
    const again = await call(t.app, "GET", "/feed?limit=5", { token: reader.token });
    assert.deepEqual(again.body, first.body);
    assert.equal((await localHits()) - h0, 3, "the bound: 3 posts kept, the newest 3 inserted");
    assert.equal(t.deps.db.queryCount - q0, 1, "one SELECT for the 2 posts the process no longer holds");
    const refilled = (await t.deps.redis.mget(...posts.map(postKey))).map((v) => v !== null);
    assert.deepEqual(refilled, [true, true, false, false, false], "only the 2 read through MySQL are back in Redis");
  });
});

describe("app: celebrity authors are pulled at read time and merged", function () {
  this.timeout(90_000);
  let t: TestApp;
  before(async () => {
    // Two followers at most are pushed to; the feed lists and recent-posts lists hold 10 ids.
    t = await makeApp({ REPLICA_LAG_CHECK_MS: "0", CELEBRITY_FOLLOWERS: "2", FEED_CACHE_SIZE: "10" });
  });
  after(async () => t?.close());

  it("merges pushed and pulled posts newest first, with cursors across the merge and past the caches", async () => {
    const reader = await signupAndLogin(t.app);
    const celeb = await signupAndLogin(t.app);
    const regular = await signupAndLogin(t.app);
    for (const f of [reader, await signupAndLogin(t.app), await signupAndLogin(t.app)]) await call(t.app, "PUT", `/users/${celeb.id}/follow`, { token: f.token });
    await call(t.app, "PUT", `/users/${regular.id}/follow`, { token: reader.token });
    // Warm the reader's lists first: later posts reach them by fan-out (regular) or the pull (celebrity).
    await call(t.app, "GET", "/feed", { token: reader.token });
    assert.deepEqual((await t.deps.redis.smembers(pullKey(reader.id))).sort(), ["-", celeb.id]);

    const all: string[] = [];
    const byCeleb = new Set<string>();
    for (let i = 0; i < 18; i++) {
      const author = i % 3 === 2 ? regular : celeb; // 12 celebrity posts, 6 regular ones, interleaved
      const id = (await call(t.app, "POST", "/posts", { token: author.token, body: { text: `p${i}` } })).body.post.id;
      all.unshift(id);
      if (author === celeb) byCeleb.add(id);
    }
    await t.drainFanout();
    const pushed = await t.deps.redis.zrange(feedKey(reader.id), "0", "-1");
    assert.ok(pushed.every((m) => !byCeleb.has(m.replace(/^0+/, ""))), "celebrity posts are not pushed into the reader's list");
    assert.equal(await t.deps.redis.zcard(feedKey(reader.id)), 7, "6 regular posts + the sentinel");

    // The first page's pull rebuilds the celebrity's recent list (one SQL); then pages are warm.
    const first = await call(t.app, "GET", "/feed?limit=4", { token: reader.token });
    assert.deepEqual(ids(first.body), all.slice(0, 4));
    assert.ok((await t.deps.redis.ttl(recentKey(celeb.id))) > 0);
    const q0 = t.deps.db.queryCount;
    const seen: string[] = [];
    let cursor: string | null = null;
    let warmPages = 0;
    do {
      const page: { body: { items: Item[]; nextCursor: string | null } } = await call(t.app, "GET", `/feed?limit=4${cursor ? `&cursor=${cursor}` : ""}`, { token: reader.token });
      seen.push(...ids(page.body));
      if (page.body.items.length > 0) assert.equal(page.body.items[0].author.id, page.body.items[0].authorId);
      cursor = page.body.nextCursor;
      if (seen.length <= 8) warmPages++;
      if (seen.length === 8) assert.equal(t.deps.db.queryCount - q0, 0, "the first two pages (inside both capped lists) cost no SQL");
    } while (cursor);
    assert.equal(warmPages, 2);
    // The celebrity's list holds its newest 10 posts: pages below that come from MySQL, same order.
    assert.deepEqual(seen, all);
  });

  it("a missing recent-posts list is rebuilt once for a turn's readers, in one statement", async () => {
    const celeb = await signupAndLogin(t.app);
    const readers = [await signupAndLogin(t.app), await signupAndLogin(t.app), await signupAndLogin(t.app)];
    for (const r of readers) await call(t.app, "PUT", `/users/${celeb.id}/follow`, { token: r.token });
    const p = (await call(t.app, "POST", "/posts", { token: celeb.token, body: { text: "hello followers" } })).body.post.id;
    await t.drainFanout();
    for (const r of readers) assert.deepEqual(ids((await call(t.app, "GET", "/feed", { token: r.token })).body), [p]);
    await t.deps.redis.del(recentKey(celeb.id));
    const q0 = t.deps.db.queryCount;
    const pages = await Promise.all(readers.map((r) => call(t.app, "GET", "/feed", { token: r.token })));
    for (const page of pages) assert.deepEqual(ids(page.body), [p]);
    assert.equal(t.deps.db.queryCount - q0, 1, "one UNION ALL statement rebuilt the list for all three readers");
  });
});
