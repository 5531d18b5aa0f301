import { strict as assert } from "node:assert";
import * as net from "node:net";
import { freePort, startRedis, type RedisService } from "../../local/services";
import { listening, startAppProcess, until, type AppProcess } from "./support/processes";
import { services } from "./support/services";

// Liveness and site readiness (the contract the load balancers, the ASG and the edge route on),
// on real server.ts processes against real MariaDB and Redis processes that are stopped and
// restarted: a site whose writer is local, and a standby site whose writer is in the other site
// (DB_PRIMARY_REMOTE=true). The public listener answers the status alone; the loopback
// (metrics) listener adds each check.

interface Site {
  proc: AppProcess;
  base: string;
  /** the loopback listener */
  metrics: string;
}

async function getFrom(base: string, path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(base + path);
  return { status: res.status, body: await res.json() };
}
const get = (site: Site, path: string) => getFrom(site.base, path);

/**
 * Polls until the endpoint answers exactly this on the loopback listener, and the same status
 * without the checks on the public one (pools notice a restarted server on first use).
 */
async function expectEventually(site: Site, path: string, status: number, body: { status: string; checks: unknown }): Promise<void> {
  let last: unknown;
  await until(
    async () => {
      last = [await get(site, path), await getFrom(site.metrics, path)];
      try {
        assert.deepEqual(last, [{ status, body: { status: body.status } }, { status, body }]);
        return true;
      } catch {
        return false;
      }
    },
    20_000,
    `${path} → ${status} ${JSON.stringify(body)}`,
  ).catch((e: Error) => {
    throw new Error(`${e.message}; last: ${JSON.stringify(last)}`);
  });
}

describe("app: /healthz liveness and /readyz site readiness on real processes", function () {
  this.timeout(180_000);
  let redis: RedisService;
  let local: Site;
  let standby: Site;

  before(async () => {
    const s = await services();
    redis = await startRedis();
    const start = async (extra: Record<string, string>): Promise<Site> => {
      const [port, metricsPort] = [await freePort(), await freePort()];
      const proc = startAppProcess({
        PORT: String(port), METRICS_PORT: String(metricsPort), HOST: "127.0.0.1", DB_PRIMARY_URL: s.db.primaryUrl, DB_REPLICA_URL: s.db.replicaUrl, REDIS_URL: redis.url,
        SESSION_SECRET: "health-test-secret-0123", MIGRATE_ON_START: "false", LOG_LEVEL: "info", DRAIN_SECONDS: "20", ...extra,
      });
      return { proc, base: `http://127.0.0.1:${port}`, metrics: `http://127.0.0.1:${metricsPort}` };
    };
    [local, standby] = await Promise.all([start({ NODE_ID: "41" }), start({ NODE_ID: "42", DB_PRIMARY_REMOTE: "true" })]);
    await Promise.all([listening(local.proc), listening(standby.proc)]);
  });

  after(async () => {
    const s = await services();
    await Promise.all([local?.proc.kill(), standby?.proc.kill()]);
    await Promise.all([s.db.primary.restart(), s.db.replica.restart()]);
    await s.db.waitForReplica();
    await redis?.stop();
  });

  it("all dependencies up: ready; the standby site does not check the remote writer", async () => {
    await expectEventually(local, "/readyz", 200, { status: "ready", checks: { database: true, writer: true, redis: true } });
    await expectEventually(standby, "/readyz", 200, { status: "ready", checks: { database: true, writer: null, redis: true } });
    assert.deepEqual(await get(local, "/healthz"), { status: 200, body: { status: "ok" } });
  });

  it("Redis stopped: both sites stay ready, degraded; liveness unaffected", async () => {
    await redis.halt();
    try {
      await expectEventually(local, "/readyz", 200, { status: "degraded", checks: { database: true, writer: true, redis: false } });
      await expectEventually(standby, "/readyz", 200, { status: "degraded", checks: { database: true, writer: null, redis: false } });
      assert.deepEqual(await get(standby, "/healthz"), { status: 200, body: { status: "ok" } });
    } finally {
      await redis.restart();
    }
    await expectEventually(local, "/readyz", 200, { status: "ready", checks: { database: true, writer: true, redis: true } });
  });

  it("writer stopped: the standby site (DB_PRIMARY_REMOTE=true) stays ready; the writer's own site is not ready; both live", async () => {
    const s = await services();
    await s.db.primary.halt();
    try {
      await expectEventually(standby, "/readyz", 200, { status: "ready", checks: { database: true, writer: null, redis: true } });
      await expectEventually(local, "/readyz", 503, { status: "not_ready", checks: { database: true, writer: false, redis: true } });
      assert.deepEqual(await get(local, "/healthz"), { status: 200, body: { status: "ok" } });
    } finally {
      await s.db.primary.restart();
    }
    await s.db.waitForReplica();
    await expectEventually(local, "/readyz", 200, { status: "ready", checks: { database: true, writer: true, redis: true } });
  });

  it("local replica stopped: not ready (503) in both sites, even though reads could fall back to the writer; both live", async () => {
    const s = await services();
    await s.db.replica.halt();
    try {
      await expectEventually(standby, "/readyz", 503, { status: "not_ready", checks: { database: false, writer: null, redis: true } });
      await expectEventually(local, "/readyz", 503, { status: "not_ready", checks: { database: false, writer: true, redis: true } });
      assert.deepEqual(await get(standby, "/healthz"), { status: 200, body: { status: "ok" } });
    } finally {
      await s.db.replica.restart();
    }
    await s.db.waitForReplica();
    await expectEventually(standby, "/readyz", 200, { status: "ready", checks: { database: true, writer: null, redis: true } });
  });

  it("draining (SIGTERM): /healthz and /readyz both 503 on a connection still open, then exit 0", async () => {
    // The listener closes at SIGTERM, so the probes ride on a connection opened before it: a
    // request whose handler is still reading its body holds it open (signup reads the whole body
    // before answering; a route that answers before reading it would leave the connection idle),
    // and the probes are pipelined after it.
    const url = new URL(standby.base);
    const sock = net.connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve, reject) => sock.once("connect", resolve).once("error", reject));
    let received = "";
    sock.on("data", (d: Buffer) => (received += d.toString()));
    const closed = new Promise<void>((resolve) => sock.once("close", () => resolve()));
    const body = JSON.stringify({ handle: "held" });
    sock.write(`POST /auth/signup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`);
    await new Promise((r) => setTimeout(r, 300));
    standby.proc.child.kill("SIGTERM");
    await until(() => standby.proc.logs.some((l) => l.includes("shutting down")), 10_000, "shutdown log");
    sock.write(`${body.slice(5)}GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    await closed;
    const responses = received.split(/(?=HTTP\/1\.1 )/).map((r) => ({ status: Number(r.slice(9, 12)), body: JSON.parse(r.slice(r.indexOf("\r\n\r\n") + 4).replace(/^[0-9a-f]+\r\n|\r\n0\r\n\r\n$/g, "")) }));
    assert.equal(responses.length, 3, received);
    assert.equal(responses[0].status, 400, "the held request was read in full and answered (its body is invalid: nothing written)");
    assert.deepEqual(responses[1], { status: 503, body: { status: "draining" } });
    assert.equal(responses[2].status, 503);
    assert.equal((responses[2].body as { status: string }).status, "draining");
    assert.equal(await standby.proc.exited, 0);
  });
});
