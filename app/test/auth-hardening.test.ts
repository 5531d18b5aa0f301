import { strict as assert } from "node:assert";
import { performance } from "node:perf_hooks";
import { loadConfig } from "../src/config";
import { defaultHashConcurrency } from "../src/config-auth";
import { HashGate } from "../src/http/hash-gate";
import { dummyHash, hashPassword, isWeakerThan, verifyPassword } from "../src/users/passwords";
import { call, makeApp, signupAndLogin, uniq, type TestApp } from "./support/services";

// Sessions and accounts (issue 20): the token only on request, log out everywhere, the cookie's
// name, the Origin check on cookie writes, displayName's characters, the hash cost and re-hash.

const BASE_ENV = { DB_PRIMARY_URL: "mysql://u:p@db:3306/feed", REDIS_URL: "redis://cache:6379", SESSION_SECRET: "0123456789abcdef" };

/** Logs in in cookie mode: the Cookie header value of the session. */
async function cookieLogin(t: TestApp, handle: string, password = "correct horse"): Promise<string> {
  const l = await call(t.app, "POST", "/auth/login", { body: { handle, password } });
  assert.equal(l.status, 200, JSON.stringify(l.body));
  return (l.headers.get("set-cookie") ?? "").split(";")[0];
}

describe("app: sessions and accounts hardening (real MariaDB + Redis)", function () {
  this.timeout(120_000);
  let t: TestApp;
  before(async () => {
    t = await makeApp({ ALLOWED_ORIGINS: "https://app.example.com" });
  });
  after(async () => t?.close());

  describe("the bearer token comes back only when asked for", () => {
    it("default (cookie mode): Set-Cookie sid, no token in the JSON; mode bearer: the token, no cookie; another mode: 400", async () => {
      const u = await signupAndLogin(t.app);
      const plain = await call(t.app, "POST", "/auth/login", { body: { handle: u.handle, password: "correct horse" } });
      assert.equal(plain.status, 200);
      assert.deepEqual(Object.keys(plain.body).sort(), ["expiresIn", "user"]);
      assert.match(plain.headers.get("set-cookie") ?? "", /^sid=v3\.[^;]+; Max-Age=86400; Path=\/; HttpOnly; SameSite=Lax$/);
      const bearer = await call(t.app, "POST", "/auth/login", { body: { handle: u.handle, password: "correct horse", mode: "bearer" } });
      assert.equal(bearer.status, 200);
      assert.match(bearer.body.token, /^v3\./);
      assert.equal(bearer.body.expiresIn, 86400);
      assert.equal(bearer.headers.get("set-cookie"), null);
      const bad = await call(t.app, "POST", "/auth/login", { body: { handle: u.handle, password: "correct horse", mode: "token" } });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.code, "validation_error");
      assert.match(bad.body.error.message, /^body\.mode: /);
    });
  });

  describe("log out everywhere", () => {
    it("POST /auth/logout-all ends every session of the user issued before it, on this instance and another; a new login works", async () => {
      const other = await makeApp({ SESSION_REVOCATION_POLL_MS: "200" });
      try {
        const u = await signupAndLogin(t.app);
        const second = (await call(t.app, "POST", "/auth/login", { body: { handle: u.handle, password: "correct horse", mode: "bearer" } })).body.token as string;
        const cookie = await cookieLogin(t, u.handle);
        const bystander = await signupAndLogin(t.app);
        assert.equal((await call(other.app, "GET", "/users/me", { token: second })).status, 200);

        const out = await call(t.app, "POST", "/auth/logout-all", { token: u.token });
        assert.equal(out.status, 204);
        for (const token of [u.token, second]) {
          for (const app of [t.app, other.app]) {
            const r = await call(app, "GET", "/users/me", { token });
            assert.equal(r.status, 401);
            assert.equal(r.body.error.message, "session expired or logged out");
          }
        }
        assert.equal((await call(t.app, "GET", "/users/me", { headers: { cookie } })).status, 401);
        assert.equal((await call(t.app, "GET", "/users/me", { token: bystander.token })).status, 200, "other users keep their sessions");

        // durable: the row on the primary, the Redis copy for the session TTL
        const [row] = await t.deps.db.primary.query<Array<{ not_before_ms: string }>>("SELECT not_before_ms FROM session_not_before WHERE user_id = ?", [BigInt(u.id)]);
        assert.ok(Math.abs(Number(row.not_before_ms) - Date.now()) < 60_000, `not_before_ms ${row.not_before_ms}`);
        const ttl = await t.deps.redis.ttl(`notbefore:${u.id}`);
        assert.ok(ttl > 86_300 && ttl <= 86_400, `TTL ${ttl}`);
        // without the Redis copy, the other instance learns it from the database tail
        await t.deps.redis.del(`notbefore:${u.id}`);
        const deadline = Date.now() + 5_000;
        while (!other.deps.sessions.revocations.cutOff({ sid: "x".repeat(24), userId: u.id, iat: 0, exp: 0 }) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        assert.equal((await call(other.app, "GET", "/users/me", { token: second })).status, 401);

        const again = await call(t.app, "POST", "/auth/login", { body: { handle: u.handle, password: "correct horse", mode: "bearer" } });
        assert.equal((await call(other.app, "GET", "/users/me", { token: again.body.token })).status, 200);
      } finally {
        await other.close();
      }
    });

    it("without a session: 401", async () => {
      const r = await call(t.app, "POST", "/auth/logout-all");
      assert.equal(r.status, 401);
      assert.equal(r.body.error.code, "unauthorized");
    });
  });

  describe("CSRF: cookie-authenticated writes check Origin", () => {
    let u: { id: string; token: string; handle: string };
    let v: { id: string };
    let cookie: string;
    before(async () => {
      u = await signupAndLogin(t.app);
      v = await signupAndLogin(t.app);
      cookie = await cookieLogin(t, u.handle);
    });

    const write = (method: string, path: string, headers: Record<string, string>, body?: unknown) => call(t.app, method, path, { headers: { host: "api.example.com", ...headers }, body });

    it("a foreign Origin (or Origin: null) with the cookie is refused with 403 on every write, and nothing is written", async () => {
      for (const origin of ["https://evil.example", "null", "https://api.example.com.evil.example", "http://api.example.com:8080"]) {
        const cases: Array<[string, string, unknown?]> = [
          ["POST", "/posts", { text: "forged" }],
          ["PUT", `/users/${v.id}/follow`],
          ["DELETE", `/users/${v.id}/follow`],
          ["PATCH", "/users/me", { bio: "forged" }],
          ["POST", "/auth/logout"],
          ["POST", "/auth/logout-all"],
        ];
        for (const [method, path, body] of cases) {
          const r = await write(method, path, { cookie, origin }, body);
          assert.equal(r.status, 403, `${method} ${path} from ${origin}`);
          assert.equal(r.body.error.code, "forbidden_origin");
        }
      }
      const [{ n }] = await t.deps.db.primary.query<Array<{ n: number }>>("SELECT COUNT(*) AS n FROM posts WHERE author_id = ?", [BigInt(u.id)]);
      assert.equal(Number(n), 0);
      const me = await call(t.app, "GET", "/users/me", { headers: { cookie, origin: "https://evil.example" } });
      assert.equal(me.status, 200, "reads are not writes; the session survived the forged logouts");
      assert.equal(me.body.user.bio, "");
      assert.equal(me.body.user.followingCount, 0);
    });

    it("the site's own origin, an ALLOWED_ORIGINS entry, no Origin (curl), or a bearer header from anywhere: allowed", async () => {
      assert.equal((await write("POST", "/posts", { cookie, origin: "https://api.example.com" }, { text: "same origin" })).status, 201);
      assert.equal((await write("POST", "/posts", { cookie, origin: "https://app.example.com" }, { text: "allowed origin" })).status, 201);
      assert.equal((await write("POST", "/posts", { cookie }, { text: "no origin" })).status, 201);
      assert.equal((await write("PUT", `/users/${v.id}/follow`, { authorization: `Bearer ${u.token}`, origin: "https://evil.example" })).status, 204);
    });
  });

  describe("displayName", () => {
    const bad: Record<string, string> = {
      NUL: "Ada\u0000",
      BEL: "\u0007Ada",
      "right-to-left override": "Ada\u202Egnp.exe",
      "zero-width space": "A\u200Bda",
      "zero-width joiner": "A\u200Dda",
      "byte-order mark inside": "A\uFEFFda",
      "line feed": "Ada\nLovelace",
    };
    for (const [name, value] of Object.entries(bad)) {
      it(`rejects a ${name} with a 400 naming the field (signup and PATCH)`, async () => {
        const s = await call(t.app, "POST", "/auth/signup", { body: { handle: uniq("dn"), displayName: value, password: "password1" } });
        assert.equal(s.status, 400);
        assert.equal(s.body.error.code, "validation_error");
        assert.equal(s.body.error.message, "body.displayName: must not contain control or format characters (NUL, bidi overrides, zero-width characters)");
        const u = await signupAndLogin(t.app);
        const p = await call(t.app, "PATCH", "/users/me", { token: u.token, body: { displayName: value } });
        assert.equal(p.status, 400);
        assert.match(p.body.error.message, /^body\.displayName: /);
      });
    }

    it("is stored NFC-normalized", async () => {
      const s = await call(t.app, "POST", "/auth/signup", { body: { handle: uniq("nfc"), displayName: "Cafe\u0301 Noe\u0308l", password: "password1" } });
      assert.equal(s.status, 201);
      assert.equal(s.body.user.displayName, "Caf\u00e9 No\u00ebl");
      const [row] = await t.deps.db.primary.query<Array<{ display_name: string }>>("SELECT display_name FROM users WHERE id = ?", [BigInt(s.body.user.id)]);
      assert.equal(row.display_name, "Caf\u00e9 No\u00ebl");
    });
  });
});

describe("app: the session cookie over HTTPS is __Host-sid; sid is still read", function () {
  this.timeout(60_000);
  let t: TestApp;
  before(async () => {
    t = await makeApp({ COOKIE_SECURE: "true" });
  });
  after(async () => t?.close());

  it("login sets __Host-sid (Secure, Path=/, no Domain) and clears sid; both names authenticate; logout clears both", async () => {
    const u = await signupAndLogin(t.app);
    const l = await call(t.app, "POST", "/auth/login", { body: { handle: u.handle, password: "correct horse" } });
    const set = l.headers.getSetCookie();
    assert.equal(set.length, 2);
    assert.match(set[0], /^__Host-sid=v3\.[^;]+; Max-Age=86400; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    assert.equal(set[1], "sid=; Max-Age=0; Path=/");
    const token = set[0].split(";")[0].slice("__Host-sid=".length);
    assert.equal((await call(t.app, "GET", "/users/me", { headers: { cookie: `__Host-sid=${token}` } })).status, 200);
    assert.equal((await call(t.app, "GET", "/users/me", { headers: { cookie: `sid=${token}` } })).status, 200, "the old name during the rollout");
    assert.equal((await call(t.app, "GET", "/users/me", { headers: { cookie: `sid=garbage; __Host-sid=${token}` } })).status, 200, "__Host-sid wins");
    const out = await call(t.app, "POST", "/auth/logout", { headers: { cookie: `__Host-sid=${token}` } });
    assert.equal(out.status, 204);
    assert.deepEqual(out.headers.getSetCookie(), ["__Host-sid=; Max-Age=0; Path=/; Secure", "sid=; Max-Age=0; Path=/"]);
  });
});

describe("app: password hashing cost (HASH_COST_LOG2)", function () {
  this.timeout(120_000);

  it("defaults to 2^17; production refuses less, naming the key, the value and the minimum", () => {
    assert.equal(loadConfig(BASE_ENV).auth.hashCostLog2, 17);
    assert.equal(loadConfig({ ...BASE_ENV, HASH_COST_LOG2: "14" }).auth.hashCostLog2, 14);
    assert.throws(() => loadConfig({ ...BASE_ENV, NODE_ENV: "production", HASH_COST_LOG2: "14" }), /HASH_COST_LOG2="14": must be at least 17 when NODE_ENV=production/);
    assert.equal(loadConfig({ ...BASE_ENV, NODE_ENV: "production" }).auth.hashCostLog2, 17);
    assert.throws(() => loadConfig({ ...BASE_ENV, HASH_COST_LOG2: "19" }), /HASH_COST_LOG2="19": must be between 10 and 18/);
  });

  it("hashes carry their parameters; 2^17 derives within maxmem; a weaker stored hash is recognized", async () => {
    const h17 = await hashPassword("hunter22!", 17);
    assert.match(h17, /^scrypt\$131072\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    assert.equal(await verifyPassword("hunter22!", h17), true);
    const h14 = await hashPassword("hunter22!", 14);
    assert.equal(isWeakerThan(h14, 17), true);
    assert.equal(isWeakerThan(h17, 17), false);
    assert.match(dummyHash(17), /^scrypt\$131072\$8\$1\$/);
    assert.equal(await verifyPassword("anything", dummyHash(14)), false);
    assert.equal(await verifyPassword("x", "scrypt$1099511627776$8$1$AAAA$AAAA"), false, "absurd parameters are never derived");
  });

  it("a successful login re-hashes a 2^14 hash at 2^17; a failed one does not; unknown handles cost a 2^17 hash too", async () => {
    const old = await makeApp({ HASH_COST_LOG2: "14" });
    const now = await makeApp({ HASH_COST_LOG2: "17" });
    try {
      const u = await signupAndLogin(old.app, uniq("rehash"), "correct horse");
      const stored = async () => (await now.deps.db.primary.query<Array<{ password_hash: string }>>("SELECT password_hash FROM users WHERE id = ?", [BigInt(u.id)]))[0].password_hash;
      assert.match(await stored(), /^scrypt\$16384\$/);
      assert.equal((await call(now.app, "POST", "/auth/login", { body: { handle: u.handle, password: "wrong horse" } })).status, 401);
      assert.match(await stored(), /^scrypt\$16384\$/);
      assert.equal((await call(now.app, "POST", "/auth/login", { body: { handle: u.handle, password: "correct horse" } })).status, 200);
      assert.match(await stored(), /^scrypt\$131072\$8\$1\$/);
      assert.equal((await call(now.app, "POST", "/auth/login", { body: { handle: u.handle, password: "correct horse" } })).status, 200);
      assert.equal((await call(old.app, "POST", "/auth/login", { body: { handle: u.handle, password: "correct horse" } })).status, 200, "an older instance still verifies it");

      // timing: an unknown handle's login costs what a known user's wrong password does (both 2^17)
      const known = await signupAndLogin(now.app, uniq("timing"), "correct horse");
      const time = async (handle: string) => {
        const start = performance.now();
        assert.equal((await call(now.app, "POST", "/auth/login", { body: { handle, password: "wrong horse" } })).status, 401);
        return performance.now() - start;
      };
      const knownMs: number[] = [];
      const unknownMs: number[] = [];
      for (let i = 0; i < 3; i++) {
        knownMs.push(await time(known.handle));
        unknownMs.push(await time(uniq("ghost")));
      }
      const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[1];
      assert.ok(med(unknownMs) > med(knownMs) / 2, `unknown ${unknownMs.map(Math.round)} ms vs known ${knownMs.map(Math.round)} ms`);
    } finally {
      await Promise.all([old.close(), now.close()]);
    }
  });
});

describe("app: the password-hash gate (no services)", () => {
  it("admits `total` in flight, `perClient` per client; a release frees exactly one slot, once", () => {
    const gate = new HashGate(3, 2);
    const a1 = gate.tryEnter("a");
    const a2 = gate.tryEnter("a");
    assert.ok(a1 && a2);
    assert.equal(gate.tryEnter("a"), null, "per-client share");
    const b1 = gate.tryEnter("b");
    assert.ok(b1);
    assert.equal(gate.tryEnter("c"), null, "total");
    assert.equal(gate.busy, 3);
    a1!();
    a1!();
    assert.equal(gate.busy, 2, "a second release is a no-op");
    assert.ok(gate.tryEnter("c"));
    assert.equal(gate.tryEnter("a"), null);
  });

  it("HASH_CONCURRENCY defaults to libuv's pool less one; the per-client share may not exceed it", () => {
    assert.equal(defaultHashConcurrency({}), 3);
    assert.equal(defaultHashConcurrency({ UV_THREADPOOL_SIZE: "8" }), 7);
    assert.equal(defaultHashConcurrency({ UV_THREADPOOL_SIZE: "1" }), 1);
    assert.equal(loadConfig(BASE_ENV).auth.hashConcurrency, defaultHashConcurrency());
    assert.equal(loadConfig(BASE_ENV).auth.hashConcurrencyPerClient, 1);
    assert.throws(() => loadConfig({ ...BASE_ENV, HASH_CONCURRENCY: "2", HASH_CONCURRENCY_PER_CLIENT: "3" }), /HASH_CONCURRENCY_PER_CLIENT="3": must be at most HASH_CONCURRENCY \(2\)/);
  });
});
