import { strict as assert } from "node:assert";
import type { Row } from "../src/db/pools";
import { postKey } from "../src/posts/cache";
import { renderPost, toPost, POST_COLUMNS } from "../src/posts/model";
import { call, makeApp, signupAndLogin, type TestApp } from "./support/services";

// GET /feed's body, byte for byte, against the rendering the API has always sent:
// JSON.stringify({ items: [post + author], nextCursor }) with the post's keys in renderPost's order
// and author = { id, handle, displayName }, computed here from MySQL rows. Whatever the page path
// does to be fast (cached strings, Buffers, splicing), it must send exactly these bytes: warm and
// cold, across cursors, with celebrity posts merged, for text that JSON escapes.

const TRICKY_TEXTS = [
  'quote " backslash \\ slash / tab \t newline \n',
  "emoji 🚀 non-BMP 𝄞, accents Zoë, CJK 漢字",
  "line separators \u2028 \u2029 and </script>",
  "control \u0001 \u001f and DEL \u007f",
  "plain ascii",
];

/** The suite's default (every read through Redis), and production's in-process caches (posts, profiles, rendered pages). */
const CONFIGS: Array<[string, Record<string, string>]> = [
  ["through Redis", {}],
  ["with the in-process caches", { PROFILE_LOCAL_CACHE_MS: "5000", POST_LOCAL_CACHE_ENTRIES: "20000", FEED_PAGE_MEMO_ENTRIES: "2000" }],
];

for (const [configName, configEnv] of CONFIGS) {
  describe(`app: GET /feed bytes are today's rendering (${configName})`, function () {
    this.timeout(90_000);
    let t: TestApp;
    before(async () => {
      t = await makeApp({ REPLICA_LAG_CHECK_MS: "0", CELEBRITY_FOLLOWERS: "1", ...configEnv });
    });
    after(async () => t?.close());

    /** The body the API has always sent for this page: from the database, rendered independently. */
    async function expected(readerId: string, cursor: string | null, limit: number): Promise<string> {
      const rows = await t.deps.db.write<Row[]>(
        `SELECT ${POST_COLUMNS.split(", ").map((c) => `p.${c}`).join(", ")}, u.handle, u.display_name FROM follows f
         JOIN posts p ON p.author_id = f.followee_id JOIN users u ON u.id = p.author_id
         WHERE f.follower_id = ? AND p.id < ? ORDER BY p.id DESC LIMIT ?`,
        [BigInt(readerId), cursor ? BigInt(cursor) : (1n << 63n) - 1n, limit + 1],
      );
      const page = rows.slice(0, limit);
      const items = page.map((r) => {
        const post = JSON.parse(renderPost(toPost(r))) as Record<string, unknown>;
        return { ...post, author: { id: String(r.author_id), handle: String(r.handle), displayName: String(r.display_name) } };
      });
      return JSON.stringify({ items, nextCursor: rows.length > limit ? String(page[page.length - 1].id) : null });
    }

    async function raw(token: string, cursor: string | null, limit: number): Promise<{ status: number; type: string | null; text: string }> {
      const res = await t.app.request(`/feed?limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`, { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, type: res.headers.get("content-type"), text: Buffer.from(await res.arrayBuffer()).toString("utf8") };
    }

    it("every page, warm and cold, across cursors and a merged celebrity, equals the reference bytes", async () => {
      const reader = await signupAndLogin(t.app);
      const regular = await signupAndLogin(t.app);
      const celeb = await signupAndLogin(t.app);
      const fan = await signupAndLogin(t.app); // the celebrity's second follower: over CELEBRITY_FOLLOWERS=1
      assert.equal((await call(t.app, "PATCH", "/users/me", { token: regular.token, body: { displayName: 'Zoë "the" \\ 🚀' } })).status, 200);
      for (const a of [regular, celeb]) assert.equal((await call(t.app, "PUT", `/users/${a.id}/follow`, { token: reader.token })).status, 204);
      assert.equal((await call(t.app, "PUT", `/users/${celeb.id}/follow`, { token: fan.token })).status, 204);
      await raw(reader.token, null, 5); // the lists exist before the posts: these reach them by fan-out and pull
      const posts: string[] = [];
      for (let i = 0; i < 11; i++) {
        const author = i % 3 === 0 ? celeb : regular;
        const body: Record<string, string> = { text: `${i}: ${TRICKY_TEXTS[i % TRICKY_TEXTS.length]}` };
        if (i % 4 === 1) body.mediaKey = `media/${i}.jpg`;
        const r = await call(t.app, "POST", "/posts", { token: author.token, body });
        assert.equal(r.status, 201);
        posts.push(r.body.post.id);
      }
      await t.drainFanout();

      for (const state of ["cold", "warm"]) {
        if (state === "cold") await t.deps.redis.del(...posts.map(postKey));
        for (const limit of [4, 20]) {
          let cursor: string | null = null;
          let pages = 0;
          do {
            const got = await raw(reader.token, cursor, limit);
            const want = await expected(reader.id, cursor, limit);
            assert.equal(got.status, 200);
            assert.equal(got.type, "application/json");
            assert.equal(got.text, want, `${state} page ${pages} (limit ${limit}, cursor ${cursor})`);
            cursor = (JSON.parse(got.text) as { nextCursor: string | null }).nextCursor;
            pages++;
          } while (cursor !== null);
          assert.equal(pages, limit === 4 ? 3 : 1, "11 posts: 3 pages of 4, 1 of 20");
        }
      }

      // The page changed since this process last served it (its remembered ids are a wrong guess):
      // a pushed post and a pulled one arrive, and the next read is the new page, byte for byte.
      for (const author of [regular, celeb]) assert.equal((await call(t.app, "POST", "/posts", { token: author.token, body: { text: `late by ${author.handle}` } })).status, 201);
      await t.drainFanout();
      for (const limit of [4, 20]) {
        const got = await raw(reader.token, null, limit);
        assert.equal(got.text, await expected(reader.id, null, limit), `after new posts, limit ${limit}`);
        assert.match(got.text, /late by .*late by /, "both new posts are on the first page");
      }
      const reused = await t.deps.metrics.counterValue(t.deps.metrics.localCacheHits, { cache: "feed_page" });
      if (configEnv.FEED_PAGE_MEMO_ENTRIES) assert.ok(reused >= 4, `warm pages were sent again as rendered: ${reused}`);
      else assert.equal(reused, 0);
    });

    it("an empty feed is the reference's empty page", async () => {
      const loner = await signupAndLogin(t.app);
      const got = await raw(loner.token, null, 20);
      assert.equal(got.text, '{"items":[],"nextCursor":null}');
      assert.equal(got.text, await expected(loner.id, null, 20));
    });
  });
}
