import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { serve } from "@hono/node-server";
import { call, makeApp, signupAndLogin, type TestApp } from "./support/services";

// The README's quick-start curl session, run as written (extracted from README.md, so the doc
// and this test cannot drift) against a real API over HTTP (real MariaDB and Redis). Only its
// first two lines are replaced: this test starts the API itself and provides $API, instead of
// `npm start -- --detach` and the local site's state file (starting the whole site costs ~25 s).

const README = path.resolve(__dirname, "../../README.md");
const run = promisify(execFile);

/** The quick start's session: the sh block that contains `curl -s -c jar -b jar`. */
function readmeSession(): { setup: string[]; session: string[] } {
  const blocks = [...fs.readFileSync(README, "utf8").matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  const block = blocks.find((b) => b.includes("curl -s -c jar -b jar"));
  assert.ok(block, "README.md has the quick-start curl session");
  const lines = block.split("\n").filter((l) => l.trim() !== "");
  const setup = lines.filter((l) => /^(npm |API=)/.test(l));
  return { setup, session: lines.filter((l) => !setup.includes(l)) };
}

describe("README: the quick-start curl session", function () {
  this.timeout(60_000);
  let t: TestApp;
  let server: Server;
  let api: string;
  let dir: string;
  before(async () => {
    t = await makeApp({ PROFILE_LOCAL_CACHE_MS: "5000" });
    server = await new Promise<Server>((resolve) => {
      const s = serve({ fetch: t.app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s as Server)) as Server;
    });
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rf-readme-session-"));
  });
  after(async () => {
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    server?.closeAllConnections();
    await t?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("starts the site detached and takes the URL it printed (the lines this test replaces)", () => {
    const { setup } = readmeSession();
    assert.equal(setup.length, 2, setup.join("\n"));
    assert.match(setup[0], /^npm start -- --detach\b/);
    assert.match(setup[1], /^API=http:\/\/127\.0\.0\.1:\$\(jq \.edgePort \.local-site\/state\.json\)/);
  });

  it("signs up, logs in with a cookie jar, posts, follows demo1 by handle and reads the feed", async () => {
    // what the local site seeds: demo1 with a post
    const demo = await signupAndLogin(t.app, "demo1");
    assert.equal((await call(t.app, "POST", "/posts", { token: demo.token, body: { text: "hello from demo1" } })).status, 201);

    const { session } = readmeSession();
    const { stdout } = await run("bash", ["-c", ["set -euo pipefail", ...session].join("\n")], { cwd: dir, env: { PATH: process.env.PATH ?? "", API: api }, timeout: 30_000 });
    const out = stdout.trim().split("\n");

    const signedUp = JSON.parse(out[0]);
    assert.equal(signedUp.handle, "ada");
    const loggedIn = JSON.parse(out[1]);
    assert.equal(loggedIn.id, signedUp.id);
    // the session is the jar's cookie: the token is never printed
    assert.doesNotMatch(stdout, /v3\.[\w-]+\.\d+\.\d+\.\d+\./);
    assert.match(fs.readFileSync(path.join(dir, "jar"), "utf8"), /\tsid\tv3\./);
    const post = JSON.parse(out[2]);
    assert.equal(post.authorId, signedUp.id);
    assert.equal(out[3], "204", "follow demo1");
    assert.deepEqual(out.slice(4).map((l) => JSON.parse(l)), [["demo1", "hello from demo1"]]);

    const me = await call(t.app, "GET", `/users/${signedUp.id}`);
    assert.equal(me.body.user.followingCount, 1);
  });
});
