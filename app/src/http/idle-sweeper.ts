import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";

// While draining, keep-alive connections are closed as soon as they are really idle. Node's own
// closeIdleConnections() counts a connection as idle in the instant between one response ending
// and the next pipelined request (already received) being parsed, and closing it then drops
// requests the client has already sent. Here a connection is idle only when no request on it is
// in flight (answered and its body fully received) and for QUIET_MS nothing happened on it: no
// request ended, no byte arrived.
//
// Cheap while not draining (this runs on every request): no 'data' listener on the socket (one
// makes Node hand every read to JS instead of its native HTTP parser: ≈5 µs a request, the
// profile route's regression of cd98f4b), no closure per request (shared listeners, state on
// the socket). Bytes arriving are seen by polling socket.bytesRead, which counts natively read
// bytes too, at each sweep; a sweep's first look counts as activity.

const QUIET_MS = 250;
const STATE = Symbol("idleSweeper");

interface Tracked {
  inFlight: number;
  lastData: number;
  /** bytesRead at the last sweep; -1 before the first */
  bytesRead: number;
}
type TrackedSocket = Socket & { [STATE]?: Tracked };

export interface IdleSweeper {
  /** closes the idle connections now and then every `everyMs` until stopped */
  start(everyMs?: number): void;
  stop(): void;
}

/** Tracks every connection of `server` from now on (call it before the server takes traffic). */
export function trackConnections(server: Server, now: () => number = Date.now): IdleSweeper {
  const sockets = new Set<TrackedSocket>();
  function closed(this: TrackedSocket): void {
    sockets.delete(this);
  }
  // done when answered and its body fully received: an early answer (a 401 before the body) leaves
  // the connection mid-request until the rest of the body arrives and is discarded
  function ended(this: IncomingMessage): void {
    const t = (this.socket as TrackedSocket)[STATE];
    if (t) (t.inFlight--, (t.lastData = now()));
  }
  function finished(this: ServerResponse): void {
    if (this.req.complete) ended.call(this.req);
    else this.req.once("end", ended);
  }
  server.on("connection", (socket: TrackedSocket) => {
    socket[STATE] = { inFlight: 0, lastData: now(), bytesRead: -1 };
    sockets.add(socket);
    socket.once("close", closed);
  });
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const t = (req.socket as TrackedSocket)[STATE];
    if (!t) return;
    t.inFlight++;
    res.on("finish", finished);
  });
  const sweep = () => {
    const at = now();
    for (const socket of sockets) {
      const t = socket[STATE]!;
      const read = socket.bytesRead;
      if (read !== t.bytesRead) (t.bytesRead = read), (t.lastData = at);
      if (t.inFlight === 0 && at - t.lastData >= QUIET_MS) socket.destroy();
    }
  };
  let timer: NodeJS.Timeout | undefined;
  return {
    start(everyMs = 50) {
      // the first look: what arrived before draining started counts as arriving now
      const at = now();
      for (const socket of sockets) {
        const t = socket[STATE]!;
        t.bytesRead = socket.bytesRead;
        t.lastData = at;
      }
      sweep();
      timer ??= setInterval(sweep, everyMs);
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
