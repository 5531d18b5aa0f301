import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { LocalCache } from "../cache/local";

// A session token is self-contained: `v3.{sid}.{userId}.{iat}.{exp}.{mac}`, where mac is an
// HMAC-SHA256 (truncated to 192 bits) of everything before it under SESSION_SECRET, the one key
// every instance of every site shares. Verifying it needs no store, so a token minted at one site
// is valid at the other the moment it is issued (no session row to replicate) and survives any
// loss of Redis. What a signature cannot express (logout, log out everywhere) is the revocation
// list's job; "log out everywhere" compares the issue time (iat) with the user's cut-off.
// v2 tokens (`v2.{sid}.{userId}.{exp}.{mac}`, no issue time) are still accepted while they live
// out their TTL after the rollout: their iat reads as 0, so any "log out everywhere" ends them.

export const TOKEN_VERSION = "v3";
const V2 = "v2";

export interface SessionClaims {
  /** random session id (18 bytes, base64url): the revocation list's key */
  sid: string;
  userId: string;
  /** issue time, unix ms (0: a v2 token, issued before issue times were carried) */
  iat: number;
  /** expiry, unix seconds */
  exp: number;
}

const SID = /^[\w-]{24}$/;
const USER_ID = /^\d{1,20}$/;
const EXP = /^\d{1,12}$/;
const IAT = /^\d{1,15}$/;
/** Tokens remembered as verified, per process: a few MB at ~100 bytes a token. */
const VERIFIED_MAX = 20_000;

export class SessionTokens {
  /**
   * Tokens that verified → their claims (frozen). A signature check is a pure function of the
   * token, so a session's requests after its first cost a Map lookup instead of an HMAC. Keyed by
   * the whole token, MAC included: only the exact string that verified hits; a forged or altered
   * one is checked as before. Expiry and revocation are the caller's, on every request.
   */
  private readonly verified = LocalCache.unexpiring<SessionClaims>(VERIFIED_MAX);

  constructor(private readonly secret: string) {
    if (secret.length < 16) throw new Error("session secret: at least 16 characters");
  }

  private mac(payload: string): Buffer {
    return Buffer.from(createHmac("sha256", this.secret).update(payload).digest("base64url").slice(0, 32));
  }

  mint(userId: string, exp: number, iat = Date.now()): { token: string; claims: SessionClaims } {
    const claims = { sid: randomBytes(18).toString("base64url"), userId, iat, exp };
    const payload = `${TOKEN_VERSION}.${claims.sid}.${userId}.${iat}.${exp}`;
    return { token: `${payload}.${this.mac(payload).toString()}`, claims };
  }

  /** The claims of a well-formed, correctly signed token (expired or not); null otherwise. */
  verify(token: string): SessionClaims | null {
    const known = this.verified.get(token);
    if (known !== undefined) return known;
    const parts = token.split(".");
    let sid: string, userId: string, iatS: string, expS: string;
    if (parts.length === 6 && parts[0] === TOKEN_VERSION) [, sid, userId, iatS, expS] = parts;
    else if (parts.length === 5 && parts[0] === V2) [, sid, userId, expS] = parts, (iatS = "0");
    else return null;
    if (!SID.test(sid) || !USER_ID.test(userId) || !IAT.test(iatS) || !EXP.test(expS)) return null;
    const want = this.mac(parts.slice(0, -1).join("."));
    const got = Buffer.from(parts[parts.length - 1]);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
    const claims = Object.freeze({ sid, userId, iat: Number(iatS), exp: Number(expS) });
    this.verified.set(token, claims);
    return claims;
  }
}
