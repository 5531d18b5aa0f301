import { strict as assert } from "node:assert";
import * as http from "node:http";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import { trackConnections } from "../src/http/idle-sweeper";

// The draining sweeper on a plain Node server: it must leave Node's native HTTP parser alone (a
// 'data' listener on a server socket makes Node hand every read to JS: the profile route's
// regression in cd98f4b), and still close only connections that are really idle.

describe("app: idle-connection sweeper (draining)", function () {
  this.timeout(20_000);
  let server: http.Server;
  let release: (() => void) | undefined;
  const serverSockets: net.Socket[] = [];
  let port = 0;

  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url === "/held") release = () => res.end("held");
      else res.end("ok");
    });
    server.on("connection", (s: net.Socket) => serverSockets.push(s));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  /** One raw keep-alive connection; resolves with the bytes received when `until` matches. */
  function connect(): { sock: net.Socket; received: () => string; closed: Promise<void> } {
    const sock = net.connect(port, "127.0.0.1");
    let text = "";
    sock.on("data", (d: Buffer) => (text += d.toString()));
    return { sock, received: () => text, closed: new Promise((r) => sock.once("close", () => r())) };
  }
  const until = async (cond: () => boolean, what: string) => {
    const deadline = Date.now() + 5000;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  it("adds no 'data' listener to the server's sockets, and closes an idle one only after 250 ms of quiet, a busy one once its request ends", async () => {
    // a connection before tracking: the listeners Node itself puts on a server socket
    const plain = connect();
    plain.sock.write("GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    await until(() => plain.received().includes("ok"), "the untracked request");
    const nodesOwn = serverSockets[0].listenerCount("data");
    await plain.closed;
    serverSockets.length = 0;

    const sweeper = trackConnections(server);
    const idle = connect();
    const busy = connect();
    idle.sock.write("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
    busy.sock.write("GET /held HTTP/1.1\r\nHost: x\r\n\r\n");
    await until(() => idle.received().includes("ok") && release !== undefined, "both requests arrived");
    assert.equal(serverSockets.length, 2);
    for (const s of serverSockets) assert.equal(s.listenerCount("data"), nodesOwn, "no 'data' listener of its own: Node's parser keeps reading natively");

    const started = Date.now();
    sweeper.start(20);
    await idle.closed;
    const idleClosedAfter = Date.now() - started;
    assert.ok(idleClosedAfter >= 240, `the idle connection is closed after 250 ms of quiet, not at once (${idleClosedAfter} ms)`);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(busy.sock.destroyed, false, "a connection with a request in flight stays open");
    release!();
    await until(() => busy.received().includes("held"), "the held response");
    await busy.closed;
    sweeper.stop();
  });
});
