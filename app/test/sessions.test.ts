import { strict as assert } from "node:assert";
import type { Connection } from "mysql2/promise";
import { startRedis, type RedisService } from "../../local/services";
import { waitReady } from "../src/cache/redis";
import { SessionTokens } from "../src/users/session-token";
import { call, makeApp, services, signupAndLogin, uniq, type Services, type TestApp } from "./support/services";

// Durable sessions on real MariaDB (primary + GTID replica) and real Redis servers. "Site A" and
// "site B" are API instances configured as the two sites: their own SITE_ID and their own Redis,
// one database (the writer and its replica), as in active-active.

const SECRET = "test-secret-0123456789abcdef"; // testConfig's SESSION_SECRET, shared by both sites
/** every instance here tails the logout list 5 times a second */
const POLL = { SESSION_REVOCATION_POLL_MS: "200" };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `f` holds; the elapsed ms (fails after `ms`). */
async function within(ms: number, f: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  while (!(await f())) {
    if (Date.now() - start > ms) assert.fail(`not within ${ms} ms`);
    await sleep(25);
  }
  return Date.now() - start;
}

describe("app: durable sessions (signed tokens + revocation list)", function () {
  this.timeout(120_000);
  let s: Services;
  let redisB: RedisService;
  let a1: TestApp; // site A, instance 1
  let a2: TestApp; // site A, instance 2 (same Redis)
  let b: TestApp; // site B: own Redis, own SITE_ID
  before(async () => {
    s = await services();
    redisB = await startRedis();
    a1 = await makeApp({ ...POLL, SITE_ID: "1", NODE_ID: "1" });
    a2 = await makeApp({ ...POLL, SITE_ID: "1", NODE_ID: "2" });
    b = await makeApp({ ...POLL, SITE_ID: "2", NODE_ID: "1", REDIS_URL: redisB.url });
  });
  after(async () => {
    await s.redis.restart().catch(() => undefined); // in case a test left it halted
    await Promise.all([a1?.close(), a2?.close(), b?.close()]);
    await redisB?.stop();
  });

  const me = async (t: TestApp, token: string) => (await call(t.app, "GET", "/users/me", { token })).status;

  it("a session survives Redis restarting empty under load: no signed-in user gets a 401 (or a 503)", async () => {
    const users = await Promise.all(Array.from({ length: 12 }, () => signupAndLogin(a1.app)));
    for (const u of users.slice(1)) await call(a1.app, "PUT", `/users/${users[0].id}/follow`, { token: u.token });
    const statuses = new Map<string, number>();
    let stop = false;
    let n = 0;
    const worker = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const u = users[(w + i) % users.length];
        const t = i % 2 === 0 ? a1 : a2;
        const [method, path, body] = [
          ["GET", "/users/me", undefined],
          ["GET", "/feed?limit=5", undefined],
          ["POST", "/posts", { text: `load ${w}/${i}` }],
          ["PATCH", "/users/me", { bio: `bio ${i}` }],
        ][i % 4] as [string, string, unknown];
        const r = await call(t.app, method, path, { token: u.token, body });
        const key = `${method} ${path.split("?")[0]} ${r.status}`;
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        n++;
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
    await sleep(800);
    await a1.deps.redis.set("drill:marker", "1", "EX", 600);
    await s.redis.halt();
    await sleep(700);
    await s.redis.restart();
    await waitReady(a1.deps.redis, 10_000);
    await waitReady(a2.deps.redis, 10_000);
    await sleep(1500); // keep loading on the empty Redis, the revocation check back in use
    stop = true;
    await load;
    const bad = [...statuses].filter(([k]) => !/ 20[014]$/.test(k));
    assert.deepEqual(bad, [], `every request 2xx (${n} requests: ${JSON.stringify([...statuses])})`);
    assert.ok(n > 100, `under load (${n} requests)`);
    // The restarted Redis really started empty.
    assert.equal(await a1.deps.redis.exists("drill:marker"), 0);
    for (const u of users) assert.equal(await me(a2, u.token), 200);
  });

  it("a session minted at site A verifies at site B right after login, while the replica has not caught up", async () => {
    const root: Connection = await s.db.replica.rootConnection();
    // site B trusts its (stopped) replica: nothing about the session may need a replicated row
    const bStale = await makeApp({ ...POLL, SITE_ID: "2", NODE_ID: "2", REDIS_URL: redisB.url, REPLICA_LAG_CHECK_MS: "0" });
    try {
      await s.db.waitForReplica();
      await root.query("STOP SLAVE SQL_THREAD");
      const u = await signupAndLogin(a1.app);
      const [rows] = await root.query("SELECT COUNT(*) AS n FROM feed.users WHERE id = ?", [BigInt(u.id)]);
      assert.equal(Number((rows as Array<{ n: number }>)[0].n), 0, "the replica has not applied the signup");
      const mine = await call(bStale.app, "GET", "/users/me", { token: u.token });
      assert.equal(mine.status, 200);
      assert.equal(mine.body.user.id, u.id);
      const post = await call(bStale.app, "POST", "/posts", { token: u.token, body: { text: "written at site B" } });
      assert.equal(post.status, 201);
      assert.equal(post.body.post.authorId, u.id);
      // and the other way round: minted at B, used at A
      const l = await call(bStale.app, "POST", "/auth/login", { body: { handle: u.handle, password: "correct horse", mode: "bearer" } });
      assert.equal(l.status, 200);
      assert.equal(await me(a2, l.body.token), 200);
    } finally {
      await root.query("START SLAVE SQL_THREAD").catch(() => undefined);
      await root.end();
      await bStale.close();
    }
  });

  it("logout revokes at once on every instance of the site, within the poll bound at the other site, and for instances started later", async () => {
    const u = await signupAndLogin(a1.app);
    for (const t of [a1, a2, b]) assert.equal(await me(t, u.token), 200);
    assert.equal((await call(a1.app, "POST", "/auth/logout", { token: u.token })).status, 204);
    assert.equal(await me(a1, u.token), 401);
    assert.equal(await me(a2, u.token), 401); // same site: the next request, through Redis
    const ttl = await a1.deps.redis.ttl(`revoked:${u.token.split(".")[1]}`);
    assert.ok(ttl > 86_000 && ttl <= 86_400, `revoked:{sid} lives as long as the token would (${ttl} s)`);
    const bMs = await within(5_000, async () => (await me(b, u.token)) === 401);
    const [row] = await a1.deps.db.primary.query<Array<{ user_id: string }>>("SELECT user_id FROM session_revocations WHERE sid = ?", [u.token.split(".")[1]]);
    assert.equal(row.user_id, u.id);
    // an instance started after the logout loads the list before it answers
    const later = await makeApp({ ...POLL, SITE_ID: "2", NODE_ID: "3", REDIS_URL: redisB.url });
    try {
      assert.equal(await me(later, u.token), 401);
    } finally {
      await later.close();
    }
    // the site's Redis losing its copy changes nothing: every instance's tail holds the list too
    // (a logout younger than the poll interval + replica lag would only be in Redis)
    await within(5_000, async () => a2.deps.sessions.revocations.knows(u.token.split(".")[1]));
    await s.redis.halt();
    await s.redis.restart();
    await waitReady(a2.deps.redis, 10_000);
    assert.equal(await a2.deps.redis.exists(`revoked:${u.token.split(".")[1]}`), 0);
    assert.equal(await me(a2, u.token), 401);
    // the other sessions of the user are untouched
    const other = await call(a1.app, "POST", "/auth/login", { body: { handle: u.handle, password: "correct horse", mode: "bearer" } });
    assert.equal(await me(b, other.body.token), 200);
    assert.ok(bMs < 5_000, `site B saw the logout after ${bMs} ms`);
  });

  it("the database tail re-reads an overlap: a revocation committed behind the cursor is still seen", async () => {
    const list = b.deps.sessions.revocations;
    const first = await signupAndLogin(a1.app);
    const u = await signupAndLogin(a1.app);
    assert.equal((await call(a1.app, "POST", "/auth/logout", { token: first.token })).status, 204);
    await s.db.waitForReplica();
    await list.sync(); // the cursor is now at that newest revocation, minus the overlap
    const late = u.token.split(".")[1];
    // a row stamped 2 s before the newest one seen (it committed or replicated late) lands afterwards
    const [{ newest }] = await a1.deps.db.primary.query<Array<{ newest: Date }>>("SELECT MAX(revoked_at) AS newest FROM session_revocations");
    await a1.deps.db.write("INSERT INTO session_revocations (sid, user_id, expires_at, revoked_at) VALUES (?, ?, ?, ?)", [late, BigInt(u.id), new Date(Date.now() + 3600_000), new Date(newest.getTime() - 2000)]);
    await s.db.waitForReplica();
    await list.sync();
    assert.equal(list.knows(late), true);
    assert.equal(await me(b, u.token), 401);
  });

  it("with Redis down a signed-in user reads, writes, logs in and out; the logout holds on other instances", async () => {
    const u = await signupAndLogin(a1.app);
    const v = await signupAndLogin(a1.app);
    await s.redis.halt();
    try {
      await within(2_000, async () => a1.deps.redis.status !== "ready" && a2.deps.redis.status !== "ready");
      assert.equal(await me(a1, u.token), 200);
      assert.equal((await call(a2.app, "GET", "/feed", { token: u.token })).status, 200);
      assert.equal((await call(a1.app, "POST", "/posts", { token: u.token, body: { text: "during the outage" } })).status, 201);
      assert.equal((await call(a2.app, "PATCH", "/users/me", { token: u.token, body: { bio: "still here" } })).status, 200);
      assert.equal((await call(a1.app, "PUT", `/users/${v.id}/follow`, { token: u.token })).status, 204);
      const login = await call(a2.app, "POST", "/auth/login", { body: { handle: v.handle, password: "correct horse", mode: "bearer" } });
      assert.equal(login.status, 200);
      assert.equal(await me(a1, login.body.token), 200);

      assert.equal((await call(a1.app, "POST", "/auth/logout", { token: u.token })).status, 204);
      assert.equal(await me(a1, u.token), 401);
      // a2 cannot hear it through Redis: it learns it from the database tail
      await within(5_000, async () => (await me(a2, u.token)) === 401);
    } finally {
      await s.redis.restart();
      await waitReady(a1.deps.redis, 10_000);
      await waitReady(a2.deps.redis, 10_000);
    }
    assert.equal(await me(a1, u.token), 401);
    assert.equal(await me(a2, u.token), 401);
  });

  it("a tampered, expired, foreign-key or old-format token gets a 401 JSON error", async () => {
    const u = await signupAndLogin(a1.app);
    const [v, sid, userId, iat, exp, mac] = u.token.split(".");
    const flip = (x: string) => x.slice(0, -1) + (x.endsWith("A") ? "B" : "A");
    const forged = new SessionTokens("another-stack-secret-0123456789");
    const expired = new SessionTokens(SECRET).mint(u.id, Math.floor(Date.now() / 1000) - 1).token;
    const cases: Record<string, string> = {
      "other user id": [v, sid, "12345", iat, exp, mac].join("."),
      "later expiry": [v, sid, userId, iat, String(Number(exp) + 86400), mac].join("."),
      "later issue time": [v, sid, userId, String(Number(iat) + 1000), exp, mac].join("."),
      "other session id": [v, uniq("x").padEnd(24, "x").slice(0, 24), userId, iat, exp, mac].join("."),
      "flipped mac": [v, sid, userId, iat, exp, flip(mac)].join("."),
      "other version": ["v1", sid, userId, iat, exp, mac].join("."),
      "v2 shape with a v3 mac": ["v2", sid, userId, exp, mac].join("."),
      "old 4-part format": [sid, userId, exp, mac].join("."),
      "signed by another secret": forged.mint(u.id, Number(exp)).token,
      expired,
      garbage: "not-a-token",
    };
    for (const [name, token] of Object.entries(cases)) {
      for (const path of ["/users/me", "/feed"]) {
        const r = await call(b.app, "GET", path, { token });
        assert.equal(r.status, 401, `${name} on ${path}`);
        assert.equal(r.headers.get("content-type")?.startsWith("application/json"), true, name);
        assert.equal(r.body.error.code, "unauthorized", name);
      }
      const w = await call(a1.app, "POST", "/posts", { token, body: { text: "nope" } });
      assert.equal(w.status, 401, `${name} on POST /posts`);
    }
    assert.equal((await call(a1.app, "GET", "/users/me")).status, 401);
    assert.equal(await me(b, u.token), 200);
  });
});
