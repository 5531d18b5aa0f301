import { strict as assert } from "node:assert";
import { decodeId } from "../src/ids";
import { call, makeApp, signupAndLogin, uniq, type TestApp } from "./support/services";

describe("app: signup, login, logout, sessions (real MariaDB + Redis)", function () {
  this.timeout(60_000);
  let t: TestApp;
  before(async () => {
    t = await makeApp({ SITE_ID: "3", NODE_ID: "17" });
  });
  after(async () => t?.close());

  it("signs up, logs in with a cookie, reads /users/me, logs out", async () => {
    const handle = uniq("alice");
    const s = await call(t.app, "POST", "/auth/signup", { body: { handle, displayName: "Alice", password: "s3cret-pass" } });
    assert.equal(s.status, 201);
    assert.equal(s.body.user.handle, handle);
    assert.equal(s.body.user.displayName, "Alice");
    assert.equal(s.body.user.bio, "");
    assert.equal(s.body.user.followingCount, 0);
    assert.equal(typeof s.body.user.id, "string");
    assert.deepEqual({ site: decodeId(s.body.user.id).siteId, node: decodeId(s.body.user.id).nodeId }, { site: 3, node: 17 });
    assert.ok(!("passwordHash" in s.body.user) && !JSON.stringify(s.body).includes("scrypt"));

    const [row] = (await t.deps.db.primary.query<Array<{ password_hash: string }>>("SELECT password_hash FROM users WHERE handle = ?", [handle]));
    assert.match(row.password_hash, /^scrypt\$16384\$8\$1\$/);

    const bad = await call(t.app, "POST", "/auth/login", { body: { handle, password: "wrong-password" } });
    assert.equal(bad.status, 401);
    assert.equal(bad.body.error.code, "unauthorized");

    const l = await call(t.app, "POST", "/auth/login", { body: { handle, password: "s3cret-pass" } });
    assert.equal(l.status, 200);
    const cookie = l.headers.get("set-cookie") ?? "";
    assert.match(cookie, /^sid=[^;]+;/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /Max-Age=86400/);
    const sid = cookie.split(";")[0];
    // the cookie is the session: no token in the JSON unless asked for (mode "bearer")
    assert.deepEqual(Object.keys(l.body).sort(), ["expiresIn", "user"]);
    // the token carries its own issue time and expiry; nothing is stored for it
    const [, , , iat, exp] = sid.slice("sid=".length).split(".").map(Number);
    assert.ok(Math.abs(iat - Date.now()) < 60_000, `issued ${iat}`);
    assert.ok(Math.abs(exp - (Date.now() / 1000 + 86400)) < 60, `expiry ${exp}`);

    const me = await call(t.app, "GET", "/users/me", { headers: { cookie: sid } });
    assert.equal(me.status, 200);
    assert.equal(me.body.user.id, s.body.user.id);

    const out = await call(t.app, "POST", "/auth/logout", { headers: { cookie: sid } });
    assert.equal(out.status, 204);
    const after = await call(t.app, "GET", "/users/me", { headers: { cookie: sid } });
    assert.equal(after.status, 401);
    assert.equal(after.body.error.code, "unauthorized");
  });

  it("duplicate handle → 409 and no second row", async () => {
    const handle = uniq("dup");
    assert.equal((await call(t.app, "POST", "/auth/signup", { body: { handle, displayName: "A", password: "password1" } })).status, 201);
    const again = await call(t.app, "POST", "/auth/signup", { body: { handle, displayName: "B", password: "password2" } });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, "handle_taken");
    const [r] = await t.deps.db.primary.query<Array<{ n: number }>>("SELECT COUNT(*) AS n FROM users WHERE handle = ?", [handle]);
    assert.equal(Number(r.n), 1);
  });

  it("a session expires after SESSION_TTL_SECONDS", async () => {
    const short = await makeApp({ SESSION_TTL_SECONDS: "1" });
    try {
      const u = await signupAndLogin(short.app);
      assert.equal((await call(short.app, "GET", "/users/me", { token: u.token })).status, 200);
      await new Promise((r) => setTimeout(r, 1300));
      const r = await call(short.app, "GET", "/users/me", { token: u.token });
      assert.equal(r.status, 401);
      assert.equal(r.body.error.message, "session expired or logged out");
    } finally {
      await short.close();
    }
  });

  it("a forged token is rejected", async () => {
    const u = await signupAndLogin(t.app);
    const parts = u.token.split(".");
    const other = [parts[0], parts[1], "12345", parts[3], parts[4], parts[5]].join(".");
    const r = await call(t.app, "GET", "/users/me", { token: other });
    assert.equal(r.status, 401);
    assert.equal(r.body.error.message, "invalid session");
  });
});
