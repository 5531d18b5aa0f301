import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Socket } from "node:net";
import Redis from "ioredis";
import { call, makeApp, services, signupAndLogin, type TestApp } from "./support/services";

// The warm feed page's deterministic work, counted (not timed: a CPU-time baseline would not
// survive a change of machine) and held to a baseline recorded in app/bench/feed-cost-baseline.json:
// - Redis commands per page, by command, from the server's INFO commandstats (which counts the
//   commands a script runs too), and round trips: writes on the API's Redis socket;
// - bytes the API sends to and reads from Redis, and the response's bytes;
// - SQL statements (the pools' counter).
// A count above its baseline fails. Lower the baseline when a change makes the page cheaper; raise
// it only deliberately: FEED_COST_WRITE_BASELINE=1 rewrites the file from this run, and the commit
// that changes it says why.

const BASELINE_FILE = path.resolve(__dirname, "../bench/feed-cost-baseline.json");
const PAGES = 10;
/** Byte counts carry ids, whose decimal length grows by one digit every few years: this much slack. */
const BYTES_SLACK = 1.02;

interface Cost {
  redisCommands: Record<string, number>;
  redisCommandsTotal: number;
  redisRoundTrips: number;
  redisBytesSent: number;
  redisBytesRead: number;
  responseBytes: number;
  sqlStatements: number;
}

async function commandStats(admin: Redis): Promise<Map<string, number>> {
  const m = new Map<string, number>();
  for (const line of (await admin.info("commandstats")).split("\r\n")) {
    const hit = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (hit && hit[1] !== "info") m.set(hit[1], Number(hit[2]));
  }
  return m;
}

describe("app: the warm feed page's cost stays within its baseline", function () {
  this.timeout(90_000);
  let t: TestApp;
  let admin: Redis;
  before(async () => {
    // production's near-caches (the test default turns them off); a celebrity pulled, as in the bench
    t = await makeApp({ REPLICA_LAG_CHECK_MS: "0", PROFILE_LOCAL_CACHE_MS: "5000", POST_LOCAL_CACHE_ENTRIES: "20000", FEED_PAGE_MEMO_ENTRIES: "2000", CELEBRITY_FOLLOWERS: "1" });
    admin = new Redis((await services()).redis.url);
  });
  after(async () => {
    admin?.disconnect();
    await t?.close();
  });

  async function measure(token: string): Promise<Cost> {
    const socket = (t.deps.redis as unknown as { stream: Socket }).stream;
    let writes = 0;
    let sent = 0;
    let read = 0;
    const write = socket.write;
    socket.write = function (this: Socket, chunk: string | Uint8Array, ...rest: unknown[]) {
      writes++;
      sent += typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.byteLength;
      return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof socket.write;
    const onData = (d: Buffer) => (read += d.length);
    socket.on("data", onData);
    const [s0, q0] = [await commandStats(admin), t.deps.db.queryCount];
    let responseBytes = 0;
    try {
      for (let i = 0; i < PAGES; i++) {
        const res = await t.app.request("/feed?limit=20", { headers: { authorization: `Bearer ${token}` } });
        assert.equal(res.status, 200);
        responseBytes += (await res.arrayBuffer()).byteLength;
      }
    } finally {
      socket.write = write;
      socket.off("data", onData);
    }
    const [s1, q1] = [await commandStats(admin), t.deps.db.queryCount];
    const redisCommands: Record<string, number> = {};
    for (const [k, v] of s1) if (v - (s0.get(k) ?? 0) > 0) redisCommands[k] = (v - (s0.get(k) ?? 0)) / PAGES;
    const per = (n: number) => Math.round((n / PAGES) * 100) / 100;
    return {
      redisCommands,
      redisCommandsTotal: Object.values(redisCommands).reduce((a, b) => a + b, 0),
      redisRoundTrips: per(writes),
      redisBytesSent: per(sent),
      redisBytesRead: per(read),
      responseBytes: per(responseBytes),
      sqlStatements: per(q1 - q0),
    };
  }

  it(`${PAGES} warm pages of 20 (pushed and pulled posts, authors near-cached): commands, round trips, bytes and SQL per page`, async () => {
    const reader = await signupAndLogin(t.app);
    const authors = [await signupAndLogin(t.app), await signupAndLogin(t.app)];
    const celeb = await signupAndLogin(t.app);
    const fan = await signupAndLogin(t.app);
    for (const a of [...authors, celeb]) assert.equal((await call(t.app, "PUT", `/users/${a.id}/follow`, { token: reader.token })).status, 204);
    assert.equal((await call(t.app, "PUT", `/users/${celeb.id}/follow`, { token: fan.token })).status, 204);
    await call(t.app, "GET", "/feed", { token: reader.token }); // the lists exist: the posts reach them by fan-out and pull
    for (let i = 0; i < 30; i++) {
      const author = i % 5 === 0 ? celeb : authors[i % 2];
      assert.equal((await call(t.app, "POST", "/posts", { token: author.token, body: { text: `post ${i}: ${"lorem ipsum ".repeat(8)}` } })).status, 201);
    }
    await t.drainFanout();
    // past read-your-writes (the reader wrote nothing since its follows) and warm: lists, bodies, authors
    for (let i = 0; i < 3; i++) assert.equal((await call(t.app, "GET", "/feed?limit=20", { token: reader.token })).body.items.length, 20);

    const cost = await measure(reader.token);
    if (process.env.FEED_COST_WRITE_BASELINE === "1") {
      fs.writeFileSync(BASELINE_FILE, JSON.stringify({ note: "per warm GET /feed?limit=20 page, app/test/feed-cost.test.ts; raise only deliberately, with the reason in the commit", ...cost }, null, 2) + "\n");
      return;
    }
    const base = JSON.parse(fs.readFileSync(BASELINE_FILE, "utf8")) as Cost;
    const how = `If the rise is deliberate, rewrite the baseline with FEED_COST_WRITE_BASELINE=1 npx mocha --no-config --require tsx/cjs --extension ts app/test/feed-cost.test.ts and commit ${path.relative(process.cwd(), BASELINE_FILE)} saying why. Measured: ${JSON.stringify(cost)}`;
    const over: string[] = [];
    for (const [k, v] of Object.entries(cost.redisCommands)) if (v > (base.redisCommands[k] ?? 0)) over.push(`Redis ${k.toUpperCase()} per page ${v} > baseline ${base.redisCommands[k] ?? 0}`);
    for (const k of ["redisCommandsTotal", "redisRoundTrips", "sqlStatements"] as const) if (cost[k] > base[k]) over.push(`${k} ${cost[k]} > baseline ${base[k]}`);
    for (const k of ["redisBytesSent", "redisBytesRead", "responseBytes"] as const) if (cost[k] > base[k] * BYTES_SLACK) over.push(`${k} ${cost[k]} > baseline ${base[k]} (+${Math.round((BYTES_SLACK - 1) * 100)}%)`);
    assert.deepEqual(over, [], `the warm feed page costs more than its baseline: ${over.join("; ")}. ${how}`);
    assert.equal(cost.sqlStatements, 0, "a warm page sends no SQL");
  });
});
