import { strict as assert } from "node:assert";
import { MAX_KEPT_PAGE_BYTES } from "../src/feed/rendered-pages";
import { call, makeApp, signupAndLogin, type TestApp } from "./support/services";

// A rendered feed page is sent again only while it is still exactly the page (feed/rendered-pages.ts):
// the page script runs on every read, so new posts (pushed or pulled) show at once, and an author's
// changed profile shows as soon as it would without the memo (at once on the instance that made
// the change, within PROFILE_LOCAL_CACHE_MS elsewhere).

type Item = { id: string; authorId: string; author: { displayName: string } };

describe("app: rendered feed pages are reused only while exact", function () {
  this.timeout(90_000);
  const PROD = { REPLICA_LAG_CHECK_MS: "0", PROFILE_LOCAL_CACHE_MS: "5000", POST_LOCAL_CACHE_ENTRIES: "1000", FEED_PAGE_MEMO_ENTRIES: "100", CELEBRITY_FOLLOWERS: "1" };
  let t: TestApp;
  before(async () => {
    t = await makeApp(PROD);
  });
  after(async () => t?.close());
  const reused = (app: TestApp) => app.deps.metrics.counterValue(app.deps.metrics.localCacheHits, { cache: "feed_page" });

  async function setup() {
    const reader = await signupAndLogin(t.app);
    const regular = await signupAndLogin(t.app);
    const celeb = await signupAndLogin(t.app);
    const fan = await signupAndLogin(t.app); // the celebrity's second follower: pulled (CELEBRITY_FOLLOWERS=1)
    for (const a of [regular, celeb]) await call(t.app, "PUT", `/users/${a.id}/follow`, { token: reader.token });
    await call(t.app, "PUT", `/users/${celeb.id}/follow`, { token: fan.token });
    for (const a of [regular, celeb, regular]) await call(t.app, "POST", "/posts", { token: a.token, body: { text: `by ${a.handle}` } });
    await t.drainFanout();
    // builds the reader's list and pull set, then the celebrity's recent posts (the first page is read from MySQL meanwhile)
    await call(t.app, "GET", "/feed", { token: reader.token });
    return { reader, regular, celeb };
  }

  it("the same page again is the remembered one; a pushed or a pulled post makes a new page at once", async () => {
    const { reader, regular, celeb } = await setup();
    const first = await call(t.app, "GET", "/feed", { token: reader.token });
    assert.equal(first.body.items.length, 3);
    const r0 = await reused(t);
    const again = await call(t.app, "GET", "/feed", { token: reader.token });
    assert.deepEqual(again.body, first.body);
    assert.equal((await reused(t)) - r0, 1, "the second read was the remembered page");

    for (const author of [regular, celeb]) {
      const p = await call(t.app, "POST", "/posts", { token: author.token, body: { text: `new by ${author.handle}` } });
      await t.drainFanout();
      const r1 = await reused(t);
      const next = await call(t.app, "GET", "/feed", { token: reader.token });
      assert.equal(next.body.items[0].id, p.body.post.id, `the new post by the ${author === celeb ? "pulled" : "pushed"} author comes first`);
      assert.equal((await reused(t)) - r1, 0, "not the remembered page");
    }
  });

  it("a page over MAX_KEPT_PAGE_BYTES is rendered every time (the memo's memory stays bounded)", async () => {
    const { reader, regular } = await setup();
    for (let i = 0; i < 20; i++) await call(t.app, "POST", "/posts", { token: regular.token, body: { text: `${i} ${"long ".repeat(190)}` } });
    await t.drainFanout();
    const big = await call(t.app, "GET", "/feed", { token: reader.token });
    assert.ok(JSON.stringify(big.body).length > MAX_KEPT_PAGE_BYTES);
    const r0 = await reused(t);
    assert.deepEqual((await call(t.app, "GET", "/feed", { token: reader.token })).body, big.body);
    assert.equal((await reused(t)) - r0, 0);
  });

  it("an author's new display name is on the next page on this instance, and within PROFILE_LOCAL_CACHE_MS on another", async () => {
    const b = await makeApp({ ...PROD, PROFILE_LOCAL_CACHE_MS: "300" });
    try {
      const { reader, regular } = await setup();
      const names = async (app: TestApp) => ((await call(app.app, "GET", "/feed", { token: reader.token })).body.items as Item[]).filter((i) => i.authorId === regular.id).map((i) => i.author.displayName);
      for (const app of [t, b]) {
        await names(app); // rendered from the lists setup() built
        const r0 = await reused(app);
        assert.deepEqual(await names(app), [`Name ${regular.handle}`, `Name ${regular.handle}`]);
        assert.equal((await reused(app)) - r0, 1, "remembered before the change");
      }
      assert.equal((await call(t.app, "PATCH", "/users/me", { token: regular.token, body: { displayName: "Renamed" } })).status, 200);
      assert.deepEqual(await names(t), ["Renamed", "Renamed"], "this instance: at once");
      await new Promise((r) => setTimeout(r, 350)); // the other instance's near-cache bound
      assert.deepEqual(await names(b), ["Renamed", "Renamed"], "another instance: within its near-cache bound");
    } finally {
      await b.close();
    }
  });
});
