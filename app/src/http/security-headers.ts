// The security headers every response carries (issue 20), built once at start so a request only
// picks a precomputed list or object:
// - `X-Content-Type-Options: nosniff`: browsers do not guess a type other than the one sent.
// - `Strict-Transport-Security` only when clients reach the app over HTTPS (COOKIE_SECURE=true, the
//   app's "served behind HTTPS" flag: the load balancer terminates TLS, so the app itself sees
//   HTTP). Browsers ignore the header on a plain-HTTP response (RFC 6797, section 8.1), and the
//   local site is plain HTTP.
// - `Cache-Control: no-store` on the auth responses (/auth/*) and /users/me: tokens and the
//   signed-in user's profile must not be kept by a browser or a shared cache.

/** One year, subdomains included (every name of the API is served over HTTPS in the cloud). */
export const HSTS = "max-age=31536000; includeSubDomains";
export const NOSNIFF = "nosniff";
export const NO_STORE = "no-store";

export type HeaderList = ReadonlyArray<readonly [name: string, value: string]>;

export interface SecurityHeaders {
  /** What every response carries. */
  readonly always: HeaderList;
  /** `always` plus `Cache-Control: no-store` (auth and /users/me responses). */
  readonly sensitive: HeaderList;
  /** The headers of a hot route's own JSON Response: `always`, the content type and the request id. */
  readonly json: (requestId: string) => Record<string, string>;
}

export function securityHeaders(https: boolean): SecurityHeaders {
  const always: HeaderList = https ? [["x-content-type-options", NOSNIFF], ["strict-transport-security", HSTS]] : [["x-content-type-options", NOSNIFF]];
  // one object literal a request, its shape fixed per process (no spread, no loop)
  const json = https
    ? (requestId: string) => ({ "content-type": "application/json", "x-content-type-options": NOSNIFF, "strict-transport-security": HSTS, "x-request-id": requestId })
    : (requestId: string) => ({ "content-type": "application/json", "x-content-type-options": NOSNIFF, "x-request-id": requestId });
  return { always, sensitive: [...always, ["cache-control", NO_STORE]], json };
}

/** Paths whose responses must not be stored: /auth/* and /users/me (the path as routed, decoded). */
export function isSensitivePath(path: string): boolean {
  return path.startsWith("/auth/") || path === "/users/me";
}
