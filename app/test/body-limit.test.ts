import { strict as assert } from "node:assert";
import * as http from "node:http";
import { freePort } from "../../local/services";
import { listening, startAppProcess, type AppProcess } from "./support/processes";
import { services } from "./support/services";

// An oversized body on a keep-alive connection: the client must get the 413 JSON every time
// (never a reset or "other side closed"), and the connection must stay usable for the next request.

describe("app: oversized request bodies on one keep-alive connection (real server process, undici)", function () {
  this.timeout(120_000);
  let proc: AppProcess;
  let base: string;

  before(async () => {
    const s = await services();
    const port = await freePort();
    proc = startAppProcess({
      PORT: String(port), HOST: "127.0.0.1", DB_PRIMARY_URL: s.db.primaryUrl, DB_REPLICA_URL: s.db.replicaUrl, REDIS_URL: s.redis.url,
      SESSION_SECRET: "body-limit-test-secret-01", MIGRATE_ON_START: "false", LOG_LEVEL: "info", NODE_ID: "51",
    });
    base = `http://127.0.0.1:${port}`;
    await listening(proc);
  });

  after(async () => proc?.kill());

  it("alternating small and 2 MB POST /posts: every small post 201, every 2 MB body the 413 JSON", async () => {
    const json = { "content-type": "application/json" };
    const handle = `bl_${Date.now().toString(36)}`;
    assert.equal((await fetch(`${base}/auth/signup`, { method: "POST", headers: json, body: JSON.stringify({ handle, displayName: "Body Limit", password: "password1" }) })).status, 201);
    const login = await fetch(`${base}/auth/login`, { method: "POST", headers: json, body: JSON.stringify({ handle, password: "password1", mode: "bearer" }) });
    const { token } = (await login.json()) as { token: string };
    const headers = { ...json, authorization: `Bearer ${token}` };
    const big = JSON.stringify({ text: "x".repeat(2 * 1024 * 1024) });
    const outcomes: string[] = [];
    // Sequential requests: undici (Node's fetch) reuses its one idle keep-alive connection.
    for (let i = 0; i < 30; i++) {
      const small = await fetch(`${base}/posts`, { method: "POST", headers, body: JSON.stringify({ text: `small ${i}` }) });
      outcomes.push(`small ${small.status}`);
      await small.arrayBuffer();
      try {
        const res = await fetch(`${base}/posts`, { method: "POST", headers, body: big });
        const body = (await res.json()) as { error?: { code?: string } };
        outcomes.push(`big ${res.status} ${body.error?.code}`);
      } catch (e) {
        const err = e as Error & { cause?: { code?: string; message?: string } };
        outcomes.push(`big failed ${err.cause?.code ?? err.message} ${err.cause?.message ?? ""}`);
      }
    }
    const expected = Array.from({ length: 30 }, () => ["small 201", "big 413 payload_too_large"]).flat();
    assert.deepEqual(outcomes, expected, proc.logs.filter((l) => l.includes("error")).slice(0, 3).join("\n"));
  });

  it("the connection survives the 413: the next request reuses it (node:http agent, one socket)", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const post = (body: string) =>
      new Promise<{ status: number; reused: boolean; body: string }>((resolve, reject) => {
        const req = http.request(`${base}/posts`, { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
          let text = "";
          res.on("data", (d: Buffer) => (text += d.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket, body: text }));
        });
        req.on("error", reject);
        req.end(body);
      });
    try {
      const big = JSON.stringify({ text: "y".repeat(2 * 1024 * 1024) });
      const seen = [];
      for (let i = 0; i < 6; i++) seen.push(await post(i % 2 === 0 ? JSON.stringify({ text: "no session" }) : big));
      assert.deepEqual(seen.map((r) => [r.status, r.reused]), [[401, false], [413, true], [401, true], [413, true], [401, true], [413, true]]);
      assert.equal(JSON.parse(seen[1].body).error.code, "payload_too_large");
    } finally {
      agent.destroy();
    }
  });

  it("a body past the discard bound (9 MB) or streamed without a length: the 413 JSON, then the connection closes cleanly", async () => {
    const huge = JSON.stringify({ text: "z".repeat(9 * 1024 * 1024) });
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${base}/posts`, { method: "POST", headers: { "content-type": "application/json" }, body: huge, signal: AbortSignal.timeout(30_000) });
      assert.equal(res.status, 413);
      assert.equal(res.headers.get("connection"), "close");
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, "payload_too_large");
    }
    for (let i = 0; i < 3; i++) {
      const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ < 32) controller.enqueue(chunk); // 2 MB, chunked
          else controller.close();
        },
      });
      const res = await fetch(`${base}/posts`, { method: "POST", headers: { "content-type": "application/json" }, body: stream, duplex: "half", signal: AbortSignal.timeout(30_000) } as RequestInit);
      assert.equal(res.status, 413);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, "payload_too_large");
    }
  });
});
