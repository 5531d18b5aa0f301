import { strict as assert } from "node:assert";
import { freePort } from "../../local/services";
import { startAppProcess as startServerProcess, until } from "./support/processes";
import { call, makeApp, services, signupAndLogin } from "./support/services";

describe("app: processes (server.ts, worker.ts): config validation, graceful shutdown, fan-out worker", function () {
  this.timeout(60_000);

  it("a bad environment fails start-up with exit 2 and names the variables", async () => {
    const p = startServerProcess({ PORT: "99999", DB_PRIMARY_URL: "postgres://x", REDIS_URL: "redis://127.0.0.1:1" });
    assert.equal(await p.exited, 2);
    const err = p.stderr.join("");
    assert.match(err, /invalid environment/);
    assert.match(err, /PORT="99999": must be between 1 and 65535/);
    assert.match(err, /DB_PRIMARY_URL=\(redacted\): must be a URL like mysql:\/\//);
    assert.match(err, /SESSION_SECRET=\(unset\): is required/);
  });

  it("SIGTERM: not ready, stops accepting, finishes the in-flight request, closes pools, exits 0", async () => {
    const s = await services();
    const port = await freePort();
    const p = startServerProcess({
      PORT: String(port), HOST: "127.0.0.1", DB_PRIMARY_URL: s.db.primaryUrl, DB_REPLICA_URL: s.db.replicaUrl, REDIS_URL: s.redis.url,
      SESSION_SECRET: "shutdown-test-secret-123", DRAIN_SECONDS: "20", LOG_LEVEL: "info", SITE_ID: "1", NODE_ID: "2",
    });
    const base = `http://127.0.0.1:${port}`;
    const root = await s.db.primary.rootConnection();
    try {
      await until(() => p.logs.some((l) => l.includes('"listening"')), 30_000, "listening");
      const handle = `sd_${Date.now().toString(36)}`;
      const signup = await fetch(`${base}/auth/signup`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ handle, displayName: "Before", password: "password1" }) });
      assert.equal(signup.status, 201);
      const { user } = (await signup.json()) as { user: { id: string } };
      const login = await fetch(`${base}/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ handle, password: "password1", mode: "bearer" }) });
      const { token } = (await login.json()) as { token: string };

      // Make a real request slow: hold the user's row lock so PATCH /users/me waits on it.
      await root.query("START TRANSACTION");
      await root.query("SELECT id FROM feed.users WHERE id = ? FOR UPDATE", [BigInt(user.id)]);
      const inflight = fetch(`${base}/users/me`, { method: "PATCH", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ displayName: "After" }) });
      await new Promise((r) => setTimeout(r, 300));

      const t0 = Date.now();
      p.child.kill("SIGTERM");
      await until(() => p.logs.some((l) => l.includes("shutting down")), 5000, "shutdown log");
      // Not accepting new connections any more.
      await assert.rejects(fetch(`${base}/healthz`, { headers: { connection: "close" } }));
      assert.equal(p.child.exitCode, null, "still draining while the request is in flight");

      await new Promise((r) => setTimeout(r, 500));
      await root.query("COMMIT");
      const res = await inflight;
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { user: { displayName: string } }).user.displayName, "After");
      assert.equal(await p.exited, 0);
      assert.ok(Date.now() - t0 < 10_000);

      const parsed = p.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
      const done = parsed.find((l) => l.msg === "shutdown complete");
      assert.equal(done?.drained, true);
      const access = parsed.filter((l) => l.msg === "request");
      assert.ok(access.length >= 3);
      for (const a of access) assert.match(String(a.reqId), /^[0-9a-f]{12}-[0-9a-z]+$/);
      assert.ok(access.some((a) => a.route === "/users/me" && a.status === 200 && a.method === "PATCH"));
    } finally {
      await root.query("ROLLBACK").catch(() => undefined);
      await root.end();
      if (p.child.exitCode === null) p.child.kill("SIGKILL");
    }
  });

  it("worker.ts as its own process fans a post out to a follower's feed, then stops on SIGTERM with exit 0", async () => {
    const s = await services();
    const stream = `stream:proc-${Date.now()}`;
    const t = await makeApp({ STREAM_KEY: stream });
    const w = startServerProcess(
      { DB_PRIMARY_URL: s.db.primaryUrl, DB_REPLICA_URL: s.db.replicaUrl, REDIS_URL: s.redis.url, SESSION_SECRET: "worker-test-secret-123", STREAM_KEY: stream, LOG_LEVEL: "info", NODE_ID: "9" },
      "app/src/worker.ts",
    );
    try {
      await until(() => w.logs.some((l) => l.includes("fan-out worker started")), 30_000, "worker start");
      const reader = await signupAndLogin(t.app);
      const author = await signupAndLogin(t.app);
      await call(t.app, "PUT", `/users/${author.id}/follow`, { token: reader.token });
      assert.deepEqual((await call(t.app, "GET", "/feed", { token: reader.token })).body.items, []); // list now cached
      const p = await call(t.app, "POST", "/posts", { token: author.token, body: { text: "via the worker process" } });
      let ids: string[] = [];
      for (let i = 0; i < 100 && ids.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        ids = ((await t.deps.redis.zrange(`feed:${reader.id}`, "0", "-1")) as string[]).map((m) => m.replace(/^0+/, "")).filter(Boolean);
      }
      assert.deepEqual(ids, [p.body.post.id]);
      w.child.kill("SIGTERM");
      assert.equal(await w.exited, 0);
    } finally {
      if (w.child.exitCode === null) w.child.kill("SIGKILL");
      await t.close();
    }
  });
});
