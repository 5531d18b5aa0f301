import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";

// A 413 for a body that is still arriving. Answering while the client is still sending and then
// closing makes the client's next write hit a closed socket: it sees a reset ("other side closed",
// undici UND_ERR_SOCKET) instead of the 413, and a keep-alive connection dies under the next request.
// So: read and drop the rest of the body (bounded), then answer on a connection that is still good.
// A body beyond the bounds (or one whose stream the body-limit check already holds: chunked) gets
// the 413 with `Connection: close` and a lingering close: the write side is shut once the response
// is flushed, and the input is still read and dropped for a while, so the client reads the answer
// instead of a reset.

/** Drop at most this much of an oversized body to keep the connection (a 2 MB post fits). */
export const DISCARD_MAX_BYTES = 8 * 1024 * 1024;
/** ...and wait at most this long for it. */
export const DISCARD_MAX_MS = 5000;
/** After `Connection: close`, keep reading (and dropping) input this long before the socket closes. */
export const LINGER_MS = 2000;

/**
 * Reads and drops the rest of a request body. True when it all arrived within the bounds (the
 * connection can be reused); false otherwise (a read left running ends when the socket closes).
 */
export async function discardBody(request: Request, maxBytes = DISCARD_MAX_BYTES, maxMs = DISCARD_MAX_MS): Promise<boolean> {
  const body = request.body;
  if (!body) return true;
  if (body.locked) return false;
  const declared = Number(request.headers.get("content-length"));
  if (!Number.isFinite(declared) || declared > maxBytes) return false;
  const reader = body.getReader();
  let bytes = 0;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), maxMs)));
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), late]);
      if (next === "late") return false;
      if (next.done) return true;
      bytes += next.value.length;
      if (bytes > maxBytes) return false;
    }
  } catch {
    return false; // the client went away
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Makes the connection's close a lingering one. Node ends a connection after a `Connection: close`
 * response by `socket.destroySoon()` (FIN, then destroy as soon as it is flushed, which turns unread
 * input into a reset). Here: FIN, keep dropping input, destroy when the client has closed too or
 * after `lingerMs`. The body's other consumers are detached first: they apply backpressure (pause
 * the socket) and nobody reads them any more.
 */
export function lingerOnClose(incoming: IncomingMessage, lingerMs = LINGER_MS): void {
  const socket = incoming.socket as (Socket & { destroySoon?: () => void }) | null;
  if (!socket || socket.destroyed) return;
  let lingering = false;
  socket.destroySoon = () => {
    if (lingering) return;
    lingering = true;
    incoming.removeAllListeners("data");
    incoming.on("data", () => undefined);
    incoming.resume();
    socket.end();
    socket.resume();
    const timer = setTimeout(() => socket.destroy(), lingerMs);
    timer.unref();
    socket.once("close", () => clearTimeout(timer));
  };
}
