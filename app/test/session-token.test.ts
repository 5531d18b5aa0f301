import { strict as assert } from "node:assert";
import { createHmac } from "node:crypto";
import { loadConfig } from "../src/config";
import { SessionTokens } from "../src/users/session-token";

describe("app: session tokens and their config (no services)", () => {
  const tokens = new SessionTokens("unit-secret-0123456789");

  it("a minted token verifies to its claims, under the same secret only", () => {
    const { token, claims } = tokens.mint("123456789012345678", 2_000_000_000, 1_900_000_000_123);
    assert.match(token, /^v3\.[\w-]{24}\.123456789012345678\.1900000000123\.2000000000\.[\w-]{32}$/);
    assert.equal(claims.iat, 1_900_000_000_123);
    assert.deepEqual(tokens.verify(token), claims);
    assert.equal(new SessionTokens("unit-secret-0123456789x").verify(token), null);
    assert.notEqual(tokens.mint("1", 1).claims.sid, tokens.mint("1", 1).claims.sid);
  });

  it("any changed character, part or format is refused, also once the token itself is remembered as verified", () => {
    const { token } = tokens.mint("42", 2_000_000_000);
    const first = tokens.verify(token);
    assert.ok(first !== null && Object.isFrozen(first));
    assert.equal(tokens.verify(token), first, "the second check is the remembered claims, not a new HMAC");
    for (let i = 0; i < token.length; i++) {
      if (token[i] === ".") continue;
      const c = token[i] === "A" ? "B" : "A";
      assert.equal(tokens.verify(token.slice(0, i) + c + token.slice(i + 1)), null, `position ${i}`);
    }
    assert.equal(tokens.verify(token + ".x"), null);
    assert.equal(tokens.verify(token.split(".").slice(1).join(".")), null);
    assert.equal(tokens.verify(""), null);
    assert.throws(() => new SessionTokens("short"), /at least 16/);
  });

  it("a v2 token (no issue time) still verifies during the rollout, with iat 0", () => {
    const secret = "unit-secret-0123456789";
    const payload = "v2.AAAAAAAAAAAAAAAAAAAAAAAA.42.2000000000";
    const mac = createHmac("sha256", secret).update(payload).digest("base64url").slice(0, 32);
    assert.deepEqual(tokens.verify(`${payload}.${mac}`), { sid: "AAAAAAAAAAAAAAAAAAAAAAAA", userId: "42", iat: 0, exp: 2_000_000_000 });
    assert.equal(tokens.verify(`v3.AAAAAAAAAAAAAAAAAAAAAAAA.42.2000000000.${mac}`), null);
  });

  it("SESSION_REVOCATION_POLL_MS: default 1000, bounds named on error", () => {
    const base = { DB_PRIMARY_URL: "mysql://u:p@db:3306/feed", REDIS_URL: "redis://cache:6379", SESSION_SECRET: "0123456789abcdef" };
    assert.equal(loadConfig(base).sessionRevocationPollMs, 1000);
    assert.equal(loadConfig({ ...base, SESSION_REVOCATION_POLL_MS: "250" }).sessionRevocationPollMs, 250);
    assert.throws(() => loadConfig({ ...base, SESSION_REVOCATION_POLL_MS: "50" }), /SESSION_REVOCATION_POLL_MS="50": must be between 100 and 60000/);
  });
});
