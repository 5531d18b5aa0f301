import { TurnBatch } from "../cache/batch";
import { LocalCache } from "../cache/local";
import { bufferedCounter } from "../http/buffered-metrics";
import type { Redis } from "../cache/redis";
import type { AppConfig } from "../config";
import type { Db, Row } from "../db/pools";
import type { ReadYourWrites } from "../db/ryw";
import { AppError, badRequest, conflict, notFound, unauthorized } from "../errors";
import { feedKey, pullKey } from "../feed/list-encoding";
import type { Clock, IdGenerator } from "../ids";
import type { Logger } from "../logger";
import type { Metrics } from "../metrics";
import { HandleLookup } from "./handles";
import { dummyHash, hashPassword, isWeakerThan, verifyPassword } from "./passwords";

export interface Profile {
  id: string;
  handle: string;
  displayName: string;
  bio: string;
  followingCount: number;
  followerCount: number;
  createdAt: string;
  updatedAt: string;
}

/** Profiles by id, `?` = a list of ids (a batch of misses). */
const PROFILES_SQL = `SELECT u.id, u.handle, u.display_name, u.bio, u.created_at, u.updated_at,
  (SELECT COUNT(*) FROM follows f WHERE f.follower_id = u.id) AS following_count,
  (SELECT COUNT(*) FROM follows f WHERE f.followee_id = u.id) AS follower_count
  FROM users u WHERE u.id IN (?)`;

function toProfile(r: Row): Profile {
  return {
    id: String(r.id),
    handle: String(r.handle),
    displayName: String(r.display_name),
    bio: String(r.bio),
    followingCount: Number(r.following_count),
    followerCount: Number(r.follower_count),
    createdAt: (r.created_at as Date).toISOString(),
    updatedAt: (r.updated_at as Date).toISOString(),
  };
}

export const profileKey = (id: string) => `user:${id}`;
/** `{"user":…}` around a profile's JSON (what `c.json({ user })` would send). */
const profileResponseBody = (profileJson: string) => `{"user":${profileJson}}`;
/** Pub/sub channel: profile ids whose near-cache entries every instance drops. */
export const INVALIDATE_CHANNEL = "invalidate:user";

function isDuplicate(e: unknown): boolean {
  return (e as { code?: string })?.code === "ER_DUP_ENTRY";
}

export class UserService {
  /** Near-cache: user id → the ready-to-send `{"user":…}` response body. */
  readonly local: LocalCache<string>;
  /** Handle → user id (GET /users/@handle). */
  readonly handles: HandleLookup;
  private readonly redisLookups: TurnBatch<[string | null, string | null]>;
  private readonly fromReplica: TurnBatch<Profile>;
  private readonly fromPrimary: TurnBatch<Profile>;
  private readonly hitCounter: { inc(): void };
  private readonly localHitCounter: { inc(): void };
  /** what an unknown handle's password is checked against */
  private readonly dummy: string;

  constructor(
    private readonly db: Db,
    private readonly redis: Redis,
    private readonly ryw: ReadYourWrites,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {
    this.local = new LocalCache<string>(config.profileLocalCacheMs, config.profileLocalCacheEntries, () => clock.now());
    this.dummy = dummyHash(config.auth.hashCostLog2);
    this.handles = new HandleLookup(db, redis, config, metrics, clock);
    this.redisLookups = new TurnBatch((ids) => this.redisEntries(ids));
    this.fromReplica = new TurnBatch((ids) => this.loadProfiles(ids, false));
    this.fromPrimary = new TurnBatch((ids) => this.loadProfiles(ids, true));
    this.hitCounter = bufferedCounter(metrics.cacheRequests, { cache: "profile", result: "hit" });
    this.localHitCounter = bufferedCounter(metrics.localCacheHits, { cache: "profile" });
  }

  async signup(input: { handle: string; displayName: string; password: string }): Promise<Profile> {
    const id = this.ids.nextBigInt();
    const hash = await hashPassword(input.password, this.config.auth.hashCostLog2);
    const now = new Date(this.clock.now());
    try {
      await this.db.write("INSERT INTO users (id, handle, display_name, bio, password_hash, created_at, updated_at) VALUES (?, ?, ?, '', ?, ?, ?)", [id, input.handle, input.displayName, hash, now, now]);
    } catch (e) {
      if (isDuplicate(e)) throw conflict("handle_taken", `handle "${input.handle}" is already taken`);
      throw e;
    }
    await this.ryw.markWrite(id.toString());
    const p = await this.getProfile(id.toString());
    if (!p) throw new AppError(500, "internal", "user vanished after insert");
    return p;
  }

  /**
   * The user id for valid credentials, else 401 (same cost whether or not the handle exists: an
   * unknown handle is checked against a stand-in hash at the current cost). A hash made with
   * weaker parameters than HASH_COST_LOG2's is replaced after a successful check.
   */
  async authenticate(handle: string, password: string): Promise<string> {
    const rows = await this.db.write<Row[]>("SELECT id, password_hash FROM users WHERE handle = ?", [handle]);
    const row = rows[0];
    const cost = this.config.auth.hashCostLog2;
    const stored = row ? String(row.password_hash) : this.dummy;
    const ok = await verifyPassword(password, stored);
    if (!row || !ok) throw unauthorized("invalid handle or password");
    if (isWeakerThan(stored, cost)) await this.rehash(String(row.id), stored, password, cost);
    return String(row.id);
  }

  /** Upgrades a stored hash; only if it is still the one verified (a concurrent change wins). Best effort. */
  private async rehash(id: string, old: string, password: string, cost: number): Promise<void> {
    try {
      const hash = await hashPassword(password, cost);
      await this.db.write("UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?", [hash, BigInt(id), old]);
    } catch (e) {
      this.logger.warn({ err: (e as Error).message, userId: id }, "password re-hash failed; the old hash stays until the next login");
    }
  }

  /**
   * Read-through cache: near-cache (PROFILE_LOCAL_CACHE_MS) → Redis `user:{id}` (TTL
   * PROFILE_CACHE_TTL_SECONDS) → MySQL. The Redis lookup also fetches the read-your-writes marker,
   * so a miss costs one Redis round trip before the SQL. The near-cache misses of one event-loop
   * turn share one MGET, their Redis misses one SQL statement (per pool), and concurrent reads of
   * one id one lookup. Redis down: straight to MySQL.
   */
  async getProfile(id: string): Promise<Profile | null> {
    const body = await this.profileBody(id);
    return body === null ? null : (JSON.parse(body) as { user: Profile }).user;
  }

  /**
   * The `GET /users/:id` response body, `{"user":{…}}`, rendered once per cache fill: the near-cache
   * holds it ready to send, and a Redis hit is wrapped as stored (the value is JSON.stringify of the
   * profile), so a hit serializes nothing. A near-cache hit returns the string itself, not a
   * promise, so the route can answer without a trip through the microtask queue. null: no such user.
   */
  profileBody(id: string): string | null | Promise<string | null> {
    const near = this.local.get(id);
    if (near !== undefined) {
      this.hitCounter.inc();
      this.localHitCounter.inc();
      return near;
    }
    return this.readThrough(id);
  }

  /**
   * `GET /users/@{handle}`: the profile body of a handle's user (as `profileBody`), null for an
   * unknown handle. Synchronous when both near-caches hit.
   */
  profileBodyByHandle(handle: string): string | null | Promise<string | null> {
    const id = this.handles.userId(handle);
    if (typeof id === "string") return this.profileBody(id);
    return id.then((found) => (found === null ? null : this.profileBody(found)));
  }

  private async readThrough(id: string): Promise<string | null> {
    const key = profileKey(id);
    let redisUp = true;
    let primary = false;
    try {
      const [hit, ryw] = (await this.redisLookups.load(id))!;
      if (hit !== null) {
        // Sent as stored: a corrupt entry is treated like Redis being down (below), never sent.
        if (typeof JSON.parse(hit) !== "object" || hit[0] !== "{") throw new Error(`corrupt ${key}`);
        this.hitCounter.inc();
        const body = profileResponseBody(hit);
        this.local.set(id, body);
        return body;
      }
      this.metrics.cacheRequests.inc({ cache: "profile", result: "miss" });
      primary = (this.ryw.enabled && ryw !== null) || this.ryw.localUsePrimary(id);
    } catch {
      redisUp = false;
      primary = this.ryw.localUsePrimary(id);
      this.metrics.cacheRequests.inc({ cache: "profile", result: "error" });
    }
    const profile = await (primary ? this.fromPrimary : this.fromReplica).load(id);
    if (!profile) return null;
    const json = JSON.stringify(profile);
    const body = profileResponseBody(json);
    this.local.set(id, body);
    if (redisUp) await this.redis.set(key, json, "EX", this.config.profileCacheTtlSeconds).catch(() => undefined);
    return body;
  }

  /**
   * `user:{id}` and the read-your-writes marker of each id, for all the near-cache misses of one
   * event-loop turn in one MGET, sent at once as its own pipeline (auto-pipelining would wait
   * another turn).
   */
  private async redisEntries(ids: string[]): Promise<Map<string, [string | null, string | null]>> {
    const keys: string[] = [];
    for (const id of ids) keys.push(profileKey(id), this.ryw.key(id));
    const replies = await this.redis.pipeline().mget(keys).exec();
    if (!replies?.[0]) throw new Error("redis pipeline returned no reply");
    const [err, values] = replies[0] as [Error | null, Array<string | null>];
    if (err) throw err;
    const found = new Map<string, [string | null, string | null]>();
    for (let i = 0; i < ids.length; i++) found.set(ids[i], [values[2 * i], values[2 * i + 1]]);
    return found;
  }

  /**
   * Profiles from the replica (or the primary for readers that wrote recently), the misses of one
   * event-loop turn in one statement; an id the replica does not have yet is retried on the
   * primary (lag).
   */
  private async loadProfiles(ids: string[], primary: boolean): Promise<Map<string, Profile>> {
    const found = new Map<string, Profile>();
    const add = (rows: Row[]) => {
      for (const r of rows) found.set(String(r.id), toProfile(r));
    };
    add(await this.db.read<Row[]>(PROFILES_SQL, [ids.map((id) => BigInt(id))], { primary }));
    if (!primary && found.size < ids.length) {
      const missing = ids.filter((id) => !found.has(id));
      add(await this.db.write<Row[]>(PROFILES_SQL, [missing.map((id) => BigInt(id))]));
    }
    return found;
  }

  /** Drop the Redis entry and every instance's near-cache entry (this one at once, others via pub/sub). */
  async invalidate(...userIds: string[]): Promise<void> {
    for (const id of userIds) this.local.delete(id);
    await Promise.all(
      userIds.map(async (id) => {
        try {
          await this.redis.del(profileKey(id));
          if (this.local.enabled) await this.redis.publish(INVALIDATE_CHANNEL, id);
        } catch (e) {
          this.logger.warn({ err: (e as Error).message, userId: id }, "profile cache invalidation failed");
        }
      }),
    );
  }

  async updateProfile(id: string, patch: { displayName?: string; bio?: string }): Promise<Profile> {
    const sets: string[] = [];
    const params: unknown[] = [];
    if (patch.displayName !== undefined) (sets.push("display_name = ?"), params.push(patch.displayName));
    if (patch.bio !== undefined) (sets.push("bio = ?"), params.push(patch.bio));
    sets.push("updated_at = ?");
    params.push(new Date(this.clock.now()), BigInt(id));
    const res = await this.db.write<{ affectedRows: number }>(`UPDATE users SET ${sets.join(", ")} WHERE id = ?`, params);
    if (res.affectedRows === 0) throw notFound("user");
    await this.ryw.markWrite(id);
    await this.invalidate(id);
    const p = await this.getProfile(id);
    if (!p) throw notFound("user");
    return p;
  }

  private async dropFeed(userId: string): Promise<void> {
    await this.redis.del(feedKey(userId), pullKey(userId)).catch(() => undefined);
  }

  /** At most MAX_FOLLOWS followees (409 beyond); the follower's row lock serializes concurrent follows. */
  async follow(me: string, target: string): Promise<void> {
    if (me === target) throw badRequest("cannot_follow_self", "you cannot follow yourself");
    await this.db.transaction(async (tx) => {
      const locked = await tx.query<Row[]>("SELECT id FROM users WHERE id = ? FOR UPDATE", [BigInt(me)]);
      if (locked.length === 0) throw notFound("user");
      const t = await tx.query<Row[]>("SELECT id FROM users WHERE id = ?", [BigInt(target)]);
      if (t.length === 0) throw notFound("user");
      const existing = await tx.query<Row[]>("SELECT 1 AS x FROM follows WHERE follower_id = ? AND followee_id = ?", [BigInt(me), BigInt(target)]);
      if (existing.length > 0) return;
      const [{ n }] = await tx.query<Array<{ n: number }>>("SELECT COUNT(*) AS n FROM follows WHERE follower_id = ?", [BigInt(me)]);
      if (Number(n) >= this.config.maxFollows) throw conflict("follow_limit", `you already follow ${this.config.maxFollows} users, the maximum`);
      await tx.query("INSERT INTO follows (follower_id, followee_id, created_at) VALUES (?, ?, ?)", [BigInt(me), BigInt(target), new Date(this.clock.now())]);
    });
    await this.ryw.markWrite(me);
    await Promise.all([this.invalidate(me, target), this.dropFeed(me)]);
  }

  async unfollow(me: string, target: string): Promise<void> {
    if (me === target) throw badRequest("cannot_follow_self", "you cannot unfollow yourself");
    const t = await this.db.write<Row[]>("SELECT id FROM users WHERE id = ?", [BigInt(target)]);
    if (t.length === 0) throw notFound("user");
    await this.db.write("DELETE FROM follows WHERE follower_id = ? AND followee_id = ?", [BigInt(me), BigInt(target)]);
    await this.ryw.markWrite(me);
    await Promise.all([this.invalidate(me, target), this.dropFeed(me)]);
  }
}
