import type { Server } from "node:http";
import type { Socket } from "node:net";

// While draining, keep-alive connections are closed as soon as they are really idle. Node's own
// closeIdleConnections() counts a connection as idle in the instant between one response ending
// and the next pipelined request (already received) being parsed, and closing it then drops
// requests the client has already sent. Here a connection is idle only when no request on it is
// in flight (answered and its body fully received) and for QUIET_MS nothing happened on it: no
// request ended, no data arrived (data events are seen only where Node's parser does not read the
// socket natively, e.g. TLS).

const QUIET_MS = 250;

interface Tracked {
  inFlight: number;
  lastData: number;
}

export interface IdleSweeper {
  /** closes the idle connections now and then every `everyMs` until stopped */
  start(everyMs?: number): void;
  stop(): void;
}

/** Tracks every connection of `server` from now on (call it before the server takes traffic). */
export function trackConnections(server: Server, now: () => number = Date.now): IdleSweeper {
  const sockets = new Map<Socket, Tracked>();
  server.on("connection", (socket: Socket) => {
    const t: Tracked = { inFlight: 0, lastData: now() };
    sockets.set(socket, t);
    socket.on("data", () => (t.lastData = now()));
    socket.once("close", () => sockets.delete(socket));
  });
  server.on("request", (req, res) => {
    const t = sockets.get(req.socket);
    if (!t) return;
    t.inFlight++;
    // done when answered and its body fully received: an early answer (a 401 before the body) leaves
    // the connection mid-request until the rest of the body arrives and is discarded
    const done = () => (t.inFlight--, (t.lastData = now()));
    res.once("finish", () => (req.complete ? done() : req.once("end", done)));
  });
  const sweep = () => {
    for (const [socket, t] of sockets) if (t.inFlight === 0 && now() - t.lastData >= QUIET_MS) socket.destroy();
  };
  let timer: NodeJS.Timeout | undefined;
  return {
    start(everyMs = 50) {
      sweep();
      timer ??= setInterval(sweep, everyMs);
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
