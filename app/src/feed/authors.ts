import type { Profile, UserService } from "../users/service";

/**
 * Feed items carry their author's public profile, `{"id","handle","displayName"}`, read through
 * the profile caches (near-cache → Redis → MySQL, batched per event-loop turn: UserService
 * profileBody). The small view is derived from the profile body and memoized against that body:
 * while the near-cache returns the same body the view is reused; once the body changes (TTL,
 * invalidation) the view is rebuilt. So a profile change reaches the feed exactly when it reaches
 * GET /users/:id, within the profile caches' bounds.
 */
export class AuthorViews {
  private readonly memo = new Map<string, { body: string; bytes: Buffer }>();

  constructor(
    private readonly users: Pick<UserService, "profileBody" | "local">,
    private readonly maxEntries = 100_000,
  ) {}

  /** The author's JSON as UTF-8 bytes (spliced into the page as is); null when there is no such user. Synchronous on a near-cache hit. */
  bytes(id: string): Buffer | null | Promise<Buffer | null> {
    const body = this.users.profileBody(id);
    if (body === null || typeof body === "string") return body === null ? null : this.view(id, body);
    return body.then((b) => (b === null ? null : this.view(id, b)));
  }

  /** The author's bytes if the profile near-cache holds them now (no read-through, nothing counted); else undefined. */
  peek(id: string): Buffer | undefined {
    const body = this.users.local.get(id);
    return body === undefined ? undefined : this.view(id, body);
  }

  private view(id: string, body: string): Buffer {
    const m = this.memo.get(id);
    if (m !== undefined && m.body === body) return m.bytes;
    const u = (JSON.parse(body) as { user: Profile }).user;
    const bytes = Buffer.from(JSON.stringify({ id: u.id, handle: u.handle, displayName: u.displayName }));
    if (this.memo.size >= this.maxEntries) this.memo.clear();
    this.memo.set(id, { body, bytes });
    return bytes;
  }
}
