import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";
import type { Context } from "hono";
import type { ClientIpSource } from "../config-auth";
import { header } from "./headers";

// The client's address, for the per-client throttles (http/throttle.ts, http/hash-gate.ts). Only
// what the trusted hop in front of the app writes is believed, never what the client sent:
// - xff: each proxy appends the address it was reached from to X-Forwarded-For, so with
//   TRUSTED_HOPS = n proxies in front (ALB: 1; CloudFront then ALB: 2; the local HAProxy with
//   `option forwardfor`: 1) the client is the n-th entry from the right. Entries left of it are
//   whatever the client sent, and are ignored.
// - cf-connecting-ip: Cloudflare's single-address header (the origin admits only Cloudflare).
// - socket: the TCP peer (no proxy).
// Anything missing or malformed falls back to the socket's address.

export interface ClientIpConfig {
  clientIpSource: ClientIpSource;
  trustedHops: number;
}

function socketAddress(c: Context): string {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ? normalize(incoming.socket.remoteAddress) : "unknown";
}

/** IPv4-mapped IPv6 as plain IPv4; other IPv6 addresses by their /64 (one host usually holds a whole /64). */
export function normalize(ip: string): string {
  if (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(ip)) return ip.slice(7);
  if (isIP(ip) !== 6) return ip;
  const [head, tail = ""] = ip.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = ip.includes("::") ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}

/** The n-th address from the right of an X-Forwarded-For value; undefined when there are fewer. */
export function fromForwardedFor(value: string, hops: number): string | undefined {
  const entries = value.split(",").map((e) => e.trim());
  const entry = entries.length >= hops ? entries[entries.length - hops] : undefined;
  return entry && isIP(entry) ? entry : undefined;
}

export function clientIp(c: Context, cfg: ClientIpConfig): string {
  let found: string | undefined;
  if (cfg.clientIpSource === "xff") {
    const xff = header(c, "x-forwarded-for");
    found = xff ? fromForwardedFor(xff, cfg.trustedHops) : undefined;
  } else if (cfg.clientIpSource === "cf-connecting-ip") {
    const v = header(c, "cf-connecting-ip")?.trim();
    found = v && isIP(v) ? v : undefined;
  }
  return found ? normalize(found) : socketAddress(c);
}
