import { strict as assert } from "node:assert";
import { startRedis, type RedisService } from "../../local/services";
import { call, makeApp, uniq, type TestApp } from "./support/services";

// The login and signup throttles (http/throttle.ts) against the real Redis, and their in-process
// fallback while Redis is down. Client addresses come from X-Forwarded-For (one trusted hop).

const XFF = (ip: string) => ({ "x-forwarded-for": ip });

let signups = 0;
/** Signs up (each from its own address unless `ip` is given: the signup limit is per address). */
async function signup(t: TestApp, handle: string, password: string, ip = `192.0.2.${++signups}`): Promise<void> {
  const r = await call(t.app, "POST", "/auth/signup", { body: { handle, displayName: handle, password }, headers: XFF(ip) });
  assert.equal(r.status, 201, JSON.stringify(r.body));
}

const login = (t: TestApp, handle: string, password: string, ip: string) => call(t.app, "POST", "/auth/login", { body: { handle, password }, headers: XFF(ip) });

/** Sends n logins one after another (distinct addresses unless `ip` is given): their statuses. */
async function logins(t: TestApp, n: number, handle: string, password: string, ip?: string): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) statuses.push((await login(t, handle, password, ip ?? `198.51.100.${(i % 250) + 1}`)).status);
  return statuses;
}

const tight = { CLIENT_IP_SOURCE: "xff", TRUSTED_HOPS: "1", LOGIN_FREE_FAILURES: "5", LOGIN_BACKOFF_MAX_SECONDS: "2", LOGIN_IP_PER_MINUTE: "3", SIGNUP_IP_PER_HOUR: "2" };

describe("app: login and signup throttles (real MariaDB + Redis)", function () {
  this.timeout(120_000);
  let t: TestApp;
  before(async () => {
    t = await makeApp({ ...tight, LOGIN_IP_PER_MINUTE: "1000" });
  });
  after(async () => t?.close());

  it("a wrong-password flood on one account gets 429 with Retry-After; the right password works once the backoff ends, and resets the count", async () => {
    const handle = uniq("victim");
    await signup(t, handle, "right password");
    // from a new address each time: the account's limit, not an address's
    assert.deepEqual(await logins(t, 7, handle, "wrong password"), [401, 401, 401, 401, 401, 401, 429]);
    const flood = await logins(t, 50, handle, "wrong password");
    assert.deepEqual(new Set(flood), new Set([429]), "the whole flood is refused before any hash");
    const blocked = await login(t, handle.toUpperCase(), "right password", "203.0.113.9");
    assert.equal(blocked.status, 429, "the account backs off whatever the handle's case");
    assert.equal(blocked.headers.get("retry-after"), "1");
    assert.deepEqual(blocked.body, { error: { code: "too_many_requests", message: "too many login attempts: try again later" } });
    assert.equal(await t.deps.redis.get(`rl:login-fail:${handle.toLowerCase()}`), "6");

    await new Promise((r) => setTimeout(r, 1100));
    const ok = await login(t, handle, "right password", "203.0.113.9");
    assert.equal(ok.status, 200);
    assert.equal(await t.deps.redis.get(`rl:login-fail:${handle.toLowerCase()}`), null, "a success clears the failures");
    assert.deepEqual(await logins(t, 5, handle, "wrong password"), [401, 401, 401, 401, 401]);
  });

  it("the backoff doubles per further failure, up to LOGIN_BACKOFF_MAX_SECONDS", async () => {
    const handle = uniq("backoff");
    await signup(t, handle, "right password");
    await logins(t, 6, handle, "wrong password"); // the 6th blocks for 1 s
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal((await login(t, handle, "wrong password", "192.0.2.77")).status, 401); // 7th: 2 s
    const r = await login(t, handle, "right password", "192.0.2.77");
    assert.equal(r.status, 429);
    assert.equal(r.headers.get("retry-after"), "2");
    await new Promise((r) => setTimeout(r, 2100));
    assert.equal((await login(t, handle, "wrong password", "192.0.2.77")).status, 401); // 8th: 4 s, capped at 2
    assert.equal((await login(t, handle, "right password", "192.0.2.77")).headers.get("retry-after"), "2");
  });

  it("unknown handles back off alike (no hint that a handle exists)", async () => {
    assert.deepEqual(await logins(t, 7, uniq("nobody"), "wrong password"), [401, 401, 401, 401, 401, 401, 429]);
  });
});

describe("app: per-address throttles, client address from the trusted hop", function () {
  this.timeout(120_000);
  let t: TestApp;
  before(async () => {
    t = await makeApp(tight);
  });
  after(async () => t?.close());

  it("LOGIN_IP_PER_MINUTE per address: the 4th login of a minute is 429, another address is not", async () => {
    const handle = uniq("ipl");
    await signup(t, handle, "right password");
    assert.deepEqual(await logins(t, 3, handle, "right password", "203.0.113.20"), [200, 200, 200]);
    const fourth = await login(t, handle, "right password", "203.0.113.20");
    assert.equal(fourth.status, 429);
    const wait = Number(fourth.headers.get("retry-after"));
    assert.ok(wait >= 1 && wait <= 60, `Retry-After ${wait}`);
    assert.equal((await login(t, handle, "right password", "203.0.113.21")).status, 200);
  });

  it("a client's own X-Forwarded-For entries are ignored: only the last one (the proxy's) counts", async () => {
    const handle = uniq("spoof");
    await signup(t, handle, "right password");
    for (let i = 0; i < 3; i++) await call(t.app, "POST", "/auth/login", { body: { handle, password: "right password" }, headers: XFF(`10.9.9.${i}, 203.0.113.30`) });
    const r = await call(t.app, "POST", "/auth/login", { body: { handle, password: "right password" }, headers: XFF("10.9.9.200, 203.0.113.30") });
    assert.equal(r.status, 429, "a fresh leftmost entry does not make a new client");
  });

  it("SIGNUP_IP_PER_HOUR per address: the 3rd signup of the hour is 429", async () => {
    await signup(t, uniq("s1"), "password1", "203.0.113.40");
    await signup(t, uniq("s2"), "password1", "203.0.113.40");
    const third = await call(t.app, "POST", "/auth/signup", { body: { handle: uniq("s3"), displayName: "S", password: "password1" }, headers: XFF("203.0.113.40") });
    assert.equal(third.status, 429);
    assert.equal(third.body.error.code, "too_many_requests");
    assert.ok(Number(third.headers.get("retry-after")) > 3500, `Retry-After ${third.headers.get("retry-after")}`);
  });
});

describe("app: throttles while Redis is down (in-process fallback)", function () {
  this.timeout(120_000);
  let redis: RedisService;
  let t: TestApp;
  before(async () => {
    redis = await startRedis();
    t = await makeApp({ ...tight, REDIS_URL: redis.url });
  });
  after(async () => {
    await t?.close();
    await redis?.stop();
  });

  it("the per-address and per-account limits still hold, in memory, and nothing is a 500", async () => {
    const handle = uniq("nored");
    await signup(t, handle, "right password", "192.0.2.50");
    await redis.halt();
    for (let i = 0; i < 50 && t.deps.redis.status === "ready"; i++) await new Promise((r) => setTimeout(r, 20));
    assert.notEqual(t.deps.redis.status, "ready");

    assert.deepEqual(await logins(t, 4, handle, "right password", "203.0.113.60"), [200, 200, 200, 429]);
    assert.deepEqual(await logins(t, 7, handle, "wrong password"), [401, 401, 401, 401, 401, 401, 429]);
    const r = await login(t, handle, "right password", "203.0.113.61");
    assert.equal(r.status, 429);
    assert.equal(r.headers.get("retry-after"), "1");
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal((await login(t, handle, "right password", "203.0.113.61")).status, 200);
  });
});
