import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Redis } from "../cache/redis";
import { UnavailableError, unauthorized } from "../errors";
import type { Logger } from "../logger";

// Sessions live in Redis (`session:{sid}` → user id, TTL = SESSION_TTL_SECONDS), so any instance
// serves any request. The token handed to the client is `sid.userId.expiry.hmac`: Redis is the
// authority (logout and expiry), the HMAC lets GET /feed keep serving a validly signed, unexpired
// token while Redis is down (degraded mode). Every other session-bound route answers 503 then.

export const SESSION_COOKIE = "sid";

export interface SessionInfo {
  userId: string;
  sid: string;
  degraded: boolean;
}

export class SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly secret: string,
    readonly ttlSeconds: number,
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {}

  private sign(payload: string): string {
    return createHmac("sha256", this.secret).update(payload).digest("base64url").slice(0, 32);
  }

  async create(userId: string): Promise<string> {
    const sid = randomBytes(18).toString("base64url");
    const exp = Math.floor(this.now() / 1000) + this.ttlSeconds;
    try {
      await this.redis.set(`session:${sid}`, userId, "EX", this.ttlSeconds);
    } catch (e) {
      throw new UnavailableError("session_store_unavailable", `session store unavailable: ${(e as Error).message}`);
    }
    const payload = `${sid}.${userId}.${exp}`;
    return `${payload}.${this.sign(payload)}`;
  }

  /** Parses and checks the signature; null when malformed or forged. */
  parse(token: string): { sid: string; userId: string; exp: number } | null {
    const parts = token.split(".");
    if (parts.length !== 4) return null;
    const [sid, userId, expS, sig] = parts;
    if (!/^[\w-]{10,64}$/.test(sid) || !/^\d{1,20}$/.test(userId) || !/^\d{1,12}$/.test(expS)) return null;
    const want = Buffer.from(this.sign(`${sid}.${userId}.${expS}`));
    const got = Buffer.from(sig);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
    return { sid, userId, exp: Number(expS) };
  }

  /**
   * The session's user. 401 for no/forged/expired/logged-out tokens. Redis down: 503, or with
   * `degradable` the signed token alone is trusted until its expiry.
   */
  async resolve(token: string | undefined, opts: { degradable?: boolean } = {}): Promise<SessionInfo> {
    if (!token) throw unauthorized("missing session");
    const t = this.parse(token);
    if (!t) throw unauthorized("invalid session");
    let stored: string | null;
    try {
      stored = await this.redis.get(`session:${t.sid}`);
    } catch (e) {
      if (opts.degradable && t.exp * 1000 > this.now()) {
        this.logger.warn({ err: (e as Error).message }, "session store down: trusting signed session token (degraded)");
        return { userId: t.userId, sid: t.sid, degraded: true };
      }
      throw new UnavailableError("session_store_unavailable", "session store unavailable, retry later");
    }
    if (stored === null || stored !== t.userId) throw unauthorized("session expired or logged out");
    return { userId: t.userId, sid: t.sid, degraded: false };
  }

  async destroy(sid: string): Promise<void> {
    try {
      await this.redis.del(`session:${sid}`);
    } catch (e) {
      throw new UnavailableError("session_store_unavailable", `session store unavailable: ${(e as Error).message}`);
    }
  }
}
