import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

// A session token is self-contained: `v2.{sid}.{userId}.{exp}.{mac}`, where mac is an HMAC-SHA256
// (truncated to 192 bits) of everything before it under SESSION_SECRET, the one key every
// instance of every site shares. Verifying it needs no store, so a token minted at one site is
// valid at the other the moment it is issued (no session row to replicate) and survives any loss
// of Redis. What a signature cannot express (logout) is the revocation list's job.

export const TOKEN_VERSION = "v2";

export interface SessionClaims {
  /** random session id (18 bytes, base64url): the revocation list's key */
  sid: string;
  userId: string;
  /** expiry, unix seconds */
  exp: number;
}

const SID = /^[\w-]{24}$/;
const USER_ID = /^\d{1,20}$/;
const EXP = /^\d{1,12}$/;

export class SessionTokens {
  constructor(private readonly secret: string) {
    if (secret.length < 16) throw new Error("session secret: at least 16 characters");
  }

  private mac(payload: string): Buffer {
    return Buffer.from(createHmac("sha256", this.secret).update(payload).digest("base64url").slice(0, 32));
  }

  mint(userId: string, exp: number): { token: string; claims: SessionClaims } {
    const claims = { sid: randomBytes(18).toString("base64url"), userId, exp };
    const payload = `${TOKEN_VERSION}.${claims.sid}.${userId}.${exp}`;
    return { token: `${payload}.${this.mac(payload).toString()}`, claims };
  }

  /** The claims of a well-formed, correctly signed token (expired or not); null otherwise. */
  verify(token: string): SessionClaims | null {
    const parts = token.split(".");
    if (parts.length !== 5 || parts[0] !== TOKEN_VERSION) return null;
    const [, sid, userId, expS, mac] = parts;
    if (!SID.test(sid) || !USER_ID.test(userId) || !EXP.test(expS)) return null;
    const want = this.mac(`${TOKEN_VERSION}.${sid}.${userId}.${expS}`);
    const got = Buffer.from(mac);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
    return { sid, userId, exp: Number(expS) };
  }
}
