import { strict as assert } from "node:assert";
import { freePort } from "../../local/services";
import { DEFAULT_METRICS_PORT } from "../src/config-http";
import { APP_METRICS_PORT } from "../../infra/aws/user-data-observability";
import { HSTS } from "../src/http/security-headers";
import { listening, startAppProcess, until, type AppProcess } from "./support/processes";
import { rawJson, rawRequest } from "./support/raw-http";
import { GENEROUS_AUTH_ENV, services, uniq } from "./support/services";

// Issue 20's HTTP-level defences on real server.ts processes against the real MariaDB and Redis:
// metrics only on the loopback listener, the security headers, generic 5xx bodies and the
// server's own request ids. `site` runs behind HTTPS (COOKIE_SECURE=true, so HSTS); `down` has
// its databases on a port nobody listens on (and plain HTTP).

interface Api {
  proc: AppProcess;
  port: number;
  metricsPort: number;
}

const SERVER_ID = /^[0-9a-f]{12}-[0-9a-z]+$/;
type Log = Record<string, unknown>;
const logLines = (api: Api): Log[] => api.proc.logs.map((l) => JSON.parse(l) as Log);

describe("app: HTTP hardening on real processes (metrics listener, security headers, 5xx bodies, request ids)", function () {
  this.timeout(180_000);
  let site: Api;
  let down: Api;

  before(async () => {
    const s = await services();
    const start = async (env: Record<string, string>): Promise<Api> => {
      const [port, metricsPort] = [await freePort(), await freePort()];
      const proc = startAppProcess({
        PORT: String(port), METRICS_PORT: String(metricsPort), HOST: "127.0.0.1", REDIS_URL: s.redis.url, SESSION_SECRET: "hardening-test-secret-0123",
        MIGRATE_ON_START: "false", LOG_LEVEL: "info", ...GENEROUS_AUTH_ENV, ...env,
      });
      return { proc, port, metricsPort };
    };
    const deadDb = `mysql://feed:feed@127.0.0.1:${await freePort()}/feed`;
    [site, down] = await Promise.all([
      start({ DB_PRIMARY_URL: s.db.primaryUrl, DB_REPLICA_URL: s.db.replicaUrl, COOKIE_SECURE: "true", NODE_ID: "51" }),
      start({ DB_PRIMARY_URL: deadDb, DB_REPLICA_URL: deadDb, NODE_ID: "52", DB_CONNECT_TIMEOUT_MS: "500" }),
    ]);
    await Promise.all([listening(site.proc), listening(down.proc)]);
  });

  after(async () => {
    await Promise.all([site?.proc.kill(), down?.proc.kill()]);
  });

  it("the metrics port is the one the CloudWatch agent scrapes (9464), and the listening line names it", () => {
    assert.deepEqual([DEFAULT_METRICS_PORT, APP_METRICS_PORT], [9464, 9464]);
    const line = logLines(site).find((l) => l.msg === "listening");
    assert.deepEqual([line?.port, line?.metricsPort], [site.port, site.metricsPort]);
  });

  it("/metrics is served on 127.0.0.1:METRICS_PORT only; every spelling of it is a 404 on the public listener", async () => {
    const m = await rawRequest(site.metricsPort, "GET", "/metrics");
    assert.equal(m.status, 200);
    assert.match(m.body, /^# HELP http_requests_total /m);
    // bound to 127.0.0.1, not to every address: another loopback address is refused
    await assert.rejects(rawRequest(site.metricsPort, "GET", "/metrics", { host: "127.0.0.2" }), /ECONNREFUSED/);
    for (const path of ["/metrics", "/%6Detrics", "/metric%73", "/%6d%65%74%72%69%63%73", "/./metrics", "/x/../metrics", "/metrics/", "/metrics?x=1"]) {
      const r = await rawRequest(site.port, "GET", path);
      assert.equal(r.status, 404, `${path}: ${r.status} ${r.body.slice(0, 80)}`);
      assert.equal(JSON.parse(r.body).error.code, "not_found", path);
      assert.doesNotMatch(r.body, /http_requests_total/, path);
    }
  });

  it("public /readyz answers the status alone; the loopback listener adds the checks", async () => {
    const pub = await rawJson(site.port, "GET", "/readyz");
    const detail = await rawJson(site.metricsPort, "GET", "/readyz");
    assert.deepEqual([pub.status, pub.json], [200, { status: "ready" }]);
    assert.deepEqual([detail.status, detail.json], [200, { status: "ready", checks: { database: true, writer: true, redis: true } }]);
    const downPub = await rawJson(down.port, "GET", "/readyz");
    const downDetail = await rawJson(down.metricsPort, "GET", "/readyz");
    assert.deepEqual([downPub.status, downPub.json], [503, { status: "not_ready" }]);
    assert.deepEqual([downDetail.status, downDetail.json], [503, { status: "not_ready", checks: { database: false, writer: false, redis: true } }]);
    // which dependency failed is in the log
    await until(() => logLines(down).some((l) => l.msg === "readiness changed" && l.status === "not_ready"), 5000, "readiness log line");
    const changed = logLines(down).find((l) => l.msg === "readiness changed");
    assert.deepEqual(changed?.checks, { database: false, writer: false, redis: true });
  });

  it("security headers on every response: nosniff, HSTS behind HTTPS, no-store on /auth/* and /users/me (hot routes and errors included)", async () => {
    const handle = uniq("hh");
    const signup = await rawJson(site.port, "POST", "/auth/signup", { body: { handle, displayName: "Headers", password: "correct horse battery" } });
    assert.equal(signup.status, 201, signup.body);
    const login = await rawJson(site.port, "POST", "/auth/login", { body: { handle, password: "correct horse battery" } });
    assert.equal(login.status, 200, login.body);
    const setCookie = login.headers["set-cookie"];
    assert.ok(setCookie && setCookie.length > 0, "a session cookie");
    const cookie = setCookie[0].split(";")[0];
    const id = signup.json.user.id as string;

    const cases: Array<[string, string, string, Record<string, string>, unknown, number, boolean]> = [
      ["GET", "/healthz", "", {}, undefined, 200, false],
      ["GET", "/readyz", "", {}, undefined, 200, false],
      ["GET", `/users/${id}`, "hot route", {}, undefined, 200, false],
      ["GET", `/users/@${handle}`, "hot route by handle", {}, undefined, 200, false],
      ["GET", "/users/123456789", "hot route 404", {}, undefined, 404, false],
      ["GET", "/users/x1", "hot route 400", {}, undefined, 400, false],
      ["GET", "/feed", "hot route", { cookie }, undefined, 200, false],
      ["GET", "/feed", "hot route 401", {}, undefined, 401, false],
      ["GET", "/users/me", "", { cookie }, undefined, 200, true],
      ["GET", "/users/me", "401", {}, undefined, 401, true],
      ["POST", "/auth/login", "401", {}, { handle, password: "wrong password" }, 401, true],
      ["POST", "/auth/signup", "400", {}, { handle: "x" }, 400, true],
      ["GET", "/no/such/route", "", {}, undefined, 404, false],
    ];
    assert.deepEqual([login.headers["x-content-type-options"], login.headers["strict-transport-security"], login.headers["cache-control"]], ["nosniff", HSTS, "no-store"], "login");
    for (const [method, path, what, headers, body, status, noStore] of cases) {
      const r = await rawJson(site.port, method, path, { headers, body });
      const label = `${method} ${path} ${what}`;
      assert.equal(r.status, status, `${label}: ${r.body}`);
      assert.deepEqual(
        [r.headers["x-content-type-options"], r.headers["strict-transport-security"], r.headers["cache-control"]],
        ["nosniff", "max-age=31536000; includeSubDomains", noStore ? "no-store" : undefined],
        label,
      );
      assert.match(String(r.headers["x-request-id"]), SERVER_ID, label);
    }
    // plain HTTP (COOKIE_SECURE unset): nosniff, no HSTS; an error from a hot route too
    const plain = await rawJson(down.port, "GET", "/users/123456789");
    assert.equal(plain.status, 503);
    assert.deepEqual([plain.headers["x-content-type-options"], plain.headers["strict-transport-security"]], ["nosniff", undefined]);
  });

  it("5xx bodies are generic with the request id; the cause (host, port, errno) is only in the log", async () => {
    for (const [method, path, body] of [["GET", "/users/123456789", undefined], ["GET", "/users/@somebody", undefined], ["POST", "/auth/signup", { handle: uniq("dn"), displayName: "Down", password: "correct horse battery" }]] as const) {
      const r = await rawJson(down.port, method, path, { body });
      const requestId = String(r.headers["x-request-id"]);
      assert.match(requestId, SERVER_ID);
      assert.deepEqual([r.status, r.json], [503, { error: { code: "db_unavailable", message: "service temporarily unavailable, retry later", requestId } }], `${method} ${path}`);
      assert.doesNotMatch(r.body, /ECONNREFUSED|127\.0\.0\.1|errno|database:|unreachable/, `${method} ${path}`);
      // the detail, under the same request id, in the log
      await until(() => logLines(down).some((l) => l.reqId === requestId && /ECONNREFUSED/.test(String(l.err))), 5000, `log line of ${requestId}`);
    }
  });

  it("a client's x-request-id is not the server's: the response carries a minted id, the log keeps the client's (cut, sanitized) apart", async () => {
    const sent = `client"<id>${"x".repeat(300)}`;
    const r = await rawJson(site.port, "GET", "/users/123456789", { headers: { "x-request-id": sent } });
    assert.equal(r.status, 404);
    const requestId = String(r.headers["x-request-id"]);
    assert.match(requestId, SERVER_ID);
    const r2 = await rawJson(site.port, "POST", "/auth/login", { headers: { "x-request-id": "plain-client-id.1:2" }, body: { handle: "nobody_here", password: "whatever1" } });
    const requestId2 = String(r2.headers["x-request-id"]);
    assert.match(requestId2, SERVER_ID);
    await until(() => logLines(site).filter((l) => l.msg === "request" && (l.reqId === requestId || l.reqId === requestId2)).length === 2, 5000, "access log lines");
    const lines = logLines(site).filter((l) => l.msg === "request");
    const hot = lines.find((l) => l.reqId === requestId);
    const routed = lines.find((l) => l.reqId === requestId2);
    assert.equal(hot?.clientRequestId, `client__id_${"x".repeat(53)}`);
    assert.equal(routed?.clientRequestId, "plain-client-id.1:2");
    assert.ok(!lines.some((l) => l.reqId === "plain-client-id.1:2"), "the client's id is never the request id");
    // no client id sent: no field
    const r3 = await rawJson(site.port, "GET", "/users/123456780");
    const requestId3 = String(r3.headers["x-request-id"]);
    await until(() => logLines(site).some((l) => l.reqId === requestId3), 5000, "access log line");
    assert.equal("clientRequestId" in logLines(site).find((l) => l.reqId === requestId3)!, false);
  });
});
