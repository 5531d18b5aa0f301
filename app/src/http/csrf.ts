import type { Context } from "hono";
import { AppError } from "../errors";
import { header } from "./headers";

// CSRF defence for cookie-authenticated writes (a bearer header cannot be sent by another site,
// so those need none). Browsers send `Origin` on every request whose method is neither GET nor
// HEAD (Fetch standard), so a write from another site's page carries that site's origin: refused
// with 403 unless it is this request's own host or one of ALLOWED_ORIGINS.
// A missing Origin is allowed: non-browser clients (curl, the game days) send none, and the
// browsers that omit it on POST (Firefox before 70, legacy Edge) still get SameSite=Lax on the
// session cookie, which keeps it off cross-site POSTs. `Origin: null` (sandboxed frames, opaque
// redirects) is foreign.

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function sameOriginWrite(c: Context, allowedOrigins: readonly string[]): boolean {
  if (SAFE_METHODS.has(c.req.method)) return true;
  const origin = header(c, "origin");
  if (origin === undefined) return true;
  if (allowedOrigins.includes(origin)) return true;
  const host = header(c, "host");
  if (!host || origin === "null") return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

/** 403 JSON for a cookie-authenticated write from a foreign origin. */
export function assertSameOriginWrite(c: Context, allowedOrigins: readonly string[]): void {
  if (!sameOriginWrite(c, allowedOrigins))
    throw new AppError(403, "forbidden_origin", "a write with the session cookie must come from this site's origin (or send the session as an Authorization: Bearer header)");
}
