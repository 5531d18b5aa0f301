import { strict as assert } from "node:assert";
import { call, makeApp, signupAndLogin, type TestApp } from "./support/services";

interface Case {
  name: string;
  method: string;
  path: string | ((ctx: Ctx) => string);
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  auth?: boolean;
  token?: string;
  status: number;
  code: string;
}
interface Ctx {
  me: { id: string; token: string; handle: string };
  other: { id: string };
}

const longText = "x".repeat(1001);
const cases: Case[] = [
  { name: "signup: body is not JSON", method: "POST", path: "/auth/signup", raw: "{handle:", status: 400, code: "invalid_json" },
  { name: "signup: empty body", method: "POST", path: "/auth/signup", raw: "", status: 400, code: "invalid_json" },
  { name: "signup: JSON array instead of object", method: "POST", path: "/auth/signup", body: [1, 2], status: 400, code: "validation_error" },
  { name: "signup: wrong content type", method: "POST", path: "/auth/signup", raw: "handle=a", headers: { "content-type": "application/x-www-form-urlencoded" }, status: 415, code: "unsupported_media_type" },
  { name: "signup: handle is a number", method: "POST", path: "/auth/signup", body: { handle: 12345, displayName: "A", password: "password1" }, status: 400, code: "validation_error" },
  { name: "signup: handle with spaces", method: "POST", path: "/auth/signup", body: { handle: "a b c", displayName: "A", password: "password1" }, status: 400, code: "validation_error" },
  { name: "signup: password too short", method: "POST", path: "/auth/signup", body: { handle: "shorty", displayName: "A", password: "123" }, status: 400, code: "validation_error" },
  { name: "signup: missing displayName", method: "POST", path: "/auth/signup", body: { handle: "nodisplay", password: "password1" }, status: 400, code: "validation_error" },
  { name: "signup: unknown field", method: "POST", path: "/auth/signup", body: { handle: "extra1", displayName: "A", password: "password1", admin: true }, status: 400, code: "validation_error" },
  { name: "signup: duplicate handle", method: "POST", path: "/auth/signup", body: "DUP", status: 409, code: "handle_taken" },
  { name: "signup: oversize body", method: "POST", path: "/auth/signup", raw: JSON.stringify({ handle: "big", displayName: "A", password: "p".repeat(20_000) }), status: 413, code: "payload_too_large" },
  { name: "login: wrong password", method: "POST", path: "/auth/login", body: "WRONGPW", status: 401, code: "unauthorized" },
  { name: "login: unknown handle", method: "POST", path: "/auth/login", body: { handle: "nobody_here_zz", password: "whatever1" }, status: 401, code: "unauthorized" },
  { name: "login: password is null", method: "POST", path: "/auth/login", body: { handle: "x", password: null }, status: 400, code: "validation_error" },
  { name: "logout: no session", method: "POST", path: "/auth/logout", status: 401, code: "unauthorized" },
  { name: "me: garbage session cookie", method: "GET", path: "/users/me", headers: { cookie: "sid=not-a-token" }, status: 401, code: "unauthorized" },
  { name: "me: garbage bearer token", method: "GET", path: "/users/me", headers: { authorization: "Bearer a.b.c.d" }, status: 401, code: "unauthorized" },
  { name: "profile: non-numeric id", method: "GET", path: "/users/abc", status: 400, code: "invalid_id" },
  { name: "profile: id beyond 64 bits", method: "GET", path: "/users/99999999999999999999", status: 400, code: "invalid_id" },
  { name: "profile: negative id", method: "GET", path: "/users/-5", status: 400, code: "invalid_id" },
  { name: "profile: unknown id", method: "GET", path: "/users/42", status: 404, code: "not_found" },
  { name: "patch me: no session", method: "PATCH", path: "/users/me", body: { bio: "x" }, status: 401, code: "unauthorized" },
  { name: "patch me: empty object", method: "PATCH", path: "/users/me", body: {}, auth: true, status: 400, code: "validation_error" },
  { name: "patch me: bio not a string", method: "PATCH", path: "/users/me", body: { bio: 5 }, auth: true, status: 400, code: "validation_error" },
  { name: "patch me: bio too long", method: "PATCH", path: "/users/me", body: { bio: "b".repeat(501) }, auth: true, status: 400, code: "validation_error" },
  { name: "patch me: blank displayName", method: "PATCH", path: "/users/me", body: { displayName: "   " }, auth: true, status: 400, code: "validation_error" },
  { name: "follow: self", method: "PUT", path: (c) => `/users/${c.me.id}/follow`, auth: true, status: 400, code: "cannot_follow_self" },
  { name: "follow: unknown user", method: "PUT", path: "/users/42/follow", auth: true, status: 404, code: "not_found" },
  { name: "follow: bad id", method: "PUT", path: "/users/1x/follow", auth: true, status: 400, code: "invalid_id" },
  { name: "follow: no session", method: "PUT", path: (c) => `/users/${c.other.id}/follow`, status: 401, code: "unauthorized" },
  { name: "unfollow: unknown user", method: "DELETE", path: "/users/43/follow", auth: true, status: 404, code: "not_found" },
  { name: "post: no session", method: "POST", path: "/posts", body: { text: "hi" }, status: 401, code: "unauthorized" },
  { name: "post: text 1001 chars", method: "POST", path: "/posts", body: { text: longText }, auth: true, status: 400, code: "validation_error" },
  { name: "post: empty text", method: "POST", path: "/posts", body: { text: "  " }, auth: true, status: 400, code: "validation_error" },
  { name: "post: text is an object", method: "POST", path: "/posts", body: { text: { a: 1 } }, auth: true, status: 400, code: "validation_error" },
  { name: "post: bad media key", method: "POST", path: "/posts", body: { text: "hi", mediaKey: "../../etc/passwd\u0000" }, auth: true, status: 400, code: "validation_error" },
  { name: "post: truncated JSON", method: "POST", path: "/posts", raw: '{"text": "hi"', auth: true, status: 400, code: "invalid_json" },
  { name: "post: oversize body", method: "POST", path: "/posts", raw: JSON.stringify({ text: "y".repeat(17_000) }), auth: true, status: 413, code: "payload_too_large" },
  { name: "get post: unknown id", method: "GET", path: "/posts/77", status: 404, code: "not_found" },
  { name: "get post: bad id", method: "GET", path: "/posts/1.5", status: 400, code: "invalid_id" },
  { name: "feed: no session", method: "GET", path: "/feed", status: 401, code: "unauthorized" },
  { name: "feed: limit 101", method: "GET", path: "/feed?limit=101", auth: true, status: 400, code: "validation_error" },
  { name: "feed: limit 0", method: "GET", path: "/feed?limit=0", auth: true, status: 400, code: "validation_error" },
  { name: "feed: limit not a number", method: "GET", path: "/feed?limit=ten", auth: true, status: 400, code: "validation_error" },
  { name: "feed: bad cursor", method: "GET", path: "/feed?cursor=zzz", auth: true, status: 400, code: "validation_error" },
  { name: "feed: cursor beyond 64 bits", method: "GET", path: "/feed?cursor=99999999999999999999", auth: true, status: 400, code: "validation_error" },
  { name: "unknown route", method: "GET", path: "/nope", status: 404, code: "not_found" },
];

describe("app: bad input → 4xx JSON { error: { code, message } }, never a 500, nothing written", function () {
  this.timeout(60_000);
  let t: TestApp;
  let ctx: Ctx;
  let counts: number[];
  const tables = async () => {
    const [r] = await t.deps.db.primary.query<Array<{ u: number; f: number; p: number }>>("SELECT (SELECT COUNT(*) FROM users) u, (SELECT COUNT(*) FROM follows) f, (SELECT COUNT(*) FROM posts) p");
    return [Number(r.u), Number(r.f), Number(r.p)];
  };
  before(async () => {
    t = await makeApp();
    const me = await signupAndLogin(t.app);
    const other = await signupAndLogin(t.app);
    ctx = { me, other };
    counts = await tables();
  });
  after(async () => t?.close());

  it(`has at least 25 cases (${cases.length})`, () => assert.ok(cases.length >= 25));

  for (const c of cases) {
    it(`${c.name} → ${c.status} ${c.code}`, async () => {
      let body = c.body;
      if (body === "DUP") body = { handle: ctx.me.handle, displayName: "Again", password: "password1" };
      if (body === "WRONGPW") body = { handle: ctx.me.handle, password: "not-the-password" };
      const path = typeof c.path === "function" ? c.path(ctx) : c.path;
      const r = await call(t.app, c.method, path, { body, raw: c.raw, headers: c.headers, token: c.auth ? ctx.me.token : undefined });
      assert.equal(r.status, c.status, JSON.stringify(r.body));
      assert.match(r.headers.get("content-type") ?? "", /^application\/json/);
      assert.equal(r.body.error.code, c.code);
      assert.equal(typeof r.body.error.message, "string");
      assert.ok(r.body.error.message.length > 0);
    });
  }

  it("no rows were written by any of them", async () => {
    assert.deepEqual(await tables(), counts);
  });
});
