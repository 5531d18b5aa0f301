import { strict as assert } from "node:assert";
import { Hono } from "hono";
import type { ClientIpSource } from "../src/config-auth";
import { clientIp, fromForwardedFor, normalize } from "../src/http/client-ip";

// The client address the throttles key on (http/client-ip.ts): only the trusted hop's entry.

/** clientIp of one request, as @hono/node-server would present it (headers and socket on c.env.incoming). */
async function ipOf(source: ClientIpSource, trustedHops: number, headers: Record<string, string>, remoteAddress = "10.0.3.7"): Promise<string> {
  const app = new Hono();
  app.get("/", (c) => c.text(clientIp(c, { clientIpSource: source, trustedHops })));
  const res = await app.request("/", {}, { incoming: { headers, socket: { remoteAddress } } });
  return res.text();
}

describe("app: the client address behind trusted proxies (no services)", () => {
  it("X-Forwarded-For: the n-th entry from the right, never the client's own leftmost entries", () => {
    assert.equal(fromForwardedFor("198.51.100.7", 1), "198.51.100.7");
    assert.equal(fromForwardedFor("1.2.3.4, 198.51.100.7", 1), "198.51.100.7");
    assert.equal(fromForwardedFor("1.2.3.4, 198.51.100.7, 130.176.96.72", 2), "198.51.100.7");
    assert.equal(fromForwardedFor("198.51.100.7", 2), undefined, "fewer entries than hops");
    assert.equal(fromForwardedFor("1.2.3.4, not-an-ip", 1), undefined);
    assert.equal(fromForwardedFor("198.51.100.7:4321", 1), undefined, "ports are not addresses (keep the ALB's client-port option off)");
    assert.equal(fromForwardedFor("2001:db8::1 ,203.0.113.5", 2), "2001:db8::1");
  });

  it("addresses are keyed as IPv4, or an IPv6 /64", () => {
    assert.equal(normalize("::ffff:192.0.2.9"), "192.0.2.9");
    assert.equal(normalize("203.0.113.5"), "203.0.113.5");
    assert.equal(normalize("2001:db8:0:12::1"), "2001:db8:0:12::/64");
    assert.equal(normalize("2001:DB8:0:12:ab:cd:ef:1"), "2001:db8:0:12::/64");
    assert.equal(normalize("2001:db8::"), "2001:db8:0:0::/64");
    assert.equal(normalize("::1"), "0:0:0:0::/64");
  });

  it("per source: xff with its hops, cf-connecting-ip, socket; anything missing or malformed falls back to the socket", async () => {
    assert.equal(await ipOf("xff", 1, { "x-forwarded-for": "6.6.6.6, 198.51.100.7" }), "198.51.100.7");
    assert.equal(await ipOf("xff", 2, { "x-forwarded-for": "6.6.6.6, 198.51.100.7, 130.176.96.72" }), "198.51.100.7");
    assert.equal(await ipOf("xff", 2, { "x-forwarded-for": "198.51.100.7" }), "10.0.3.7");
    assert.equal(await ipOf("xff", 1, {}), "10.0.3.7");
    assert.equal(await ipOf("cf-connecting-ip", 1, { "cf-connecting-ip": " 198.51.100.8 ", "x-forwarded-for": "6.6.6.6" }), "198.51.100.8");
    assert.equal(await ipOf("cf-connecting-ip", 1, { "cf-connecting-ip": "garbage" }), "10.0.3.7");
    assert.equal(await ipOf("socket", 1, { "x-forwarded-for": "6.6.6.6", "cf-connecting-ip": "6.6.6.6" }, "::ffff:10.0.3.9"), "10.0.3.9");
  });
});
