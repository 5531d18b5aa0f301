import { api, type ApiResult } from "../site/http-client";

// Bounded game-day load through the edge: virtual users read (feed, profiles, posts) and write
// posts, each with a unique marker in its text. Every request is recorded; a write is acknowledged
// when the API answered 2xx with the post's id. A user whose session is gone logs in again.

export interface Sample {
  /** ms since the load started: request sent, answer received */
  t0: number;
  t1: number;
  kind: "read" | "write" | "login";
  route: string;
  status: number;
  site: string;
  client: string;
  marker?: string;
  id?: string;
  error?: string;
}

export interface LoadOptions {
  base: string;
  runId: string;
  users: string[];
  password: string;
  /** virtual users (each one request at a time) */
  clients: number;
  /** requests per second per virtual user, at most */
  ratePerClient: number;
  writeShare: number;
}

export class Load {
  readonly samples: Sample[] = [];
  /** marker → post id of every acknowledged write */
  readonly acked = new Map<string, string>();
  readonly epoch = Date.now();
  private running = false;
  private loops: Promise<void>[] = [];
  private seq = 0;

  constructor(readonly opts: LoadOptions) {}

  now(): number {
    return Date.now() - this.epoch;
  }

  start(): void {
    this.running = true;
    for (let i = 0; i < this.opts.clients; i++) this.loops.push(this.client(i));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async call(kind: Sample["kind"], route: string, client: string, method: string, path: string, opts: { token?: string; body?: unknown }, marker?: string): Promise<ApiResult> {
    const t0 = this.now();
    // a login hashes its password at N=2^17 (the app's production cost): seconds on a loaded machine
    const r = await api(this.opts.base, method, path, { ...opts, client, timeoutMs: kind === "login" ? 15_000 : 3000 });
    const s: Sample = { t0, t1: this.now(), kind, route, status: r.status, site: r.site, client };
    if (marker) s.marker = marker;
    if (r.error) s.error = r.error;
    else if (r.status >= 400) s.error = r.body?.error?.code ?? String(r.status);
    if (kind === "write" && r.status >= 200 && r.status < 300 && r.body?.post?.id) {
      s.id = r.body.post.id;
      this.acked.set(marker!, s.id!);
    }
    this.samples.push(s);
    return r;
  }

  private async client(i: number): Promise<void> {
    const name = `vu${i}`;
    const handle = this.opts.users[i % this.opts.users.length];
    let token: string | undefined;
    const postIds: string[] = [];
    const interval = 1000 / this.opts.ratePerClient;
    while (this.running) {
      const started = Date.now();
      if (!token) {
        const l = await this.call("login", "/auth/login", name, "POST", "/auth/login", { body: { handle, password: this.opts.password, mode: "bearer" } });
        if (l.status === 200) token = l.body.token;
      } else if (Math.random() < this.opts.writeShare) {
        const marker = `gd-${this.opts.runId}-${i}-${++this.seq}`;
        const r = await this.call("write", "POST /posts", name, "POST", "/posts", { token, body: { text: `${marker} game-day write` } }, marker);
        if (r.status === 401) token = undefined;
        if (r.body?.post?.id) postIds.push(r.body.post.id);
      } else {
        const pick = Math.random();
        const r =
          pick < 0.5 ? await this.call("read", "GET /feed", name, "GET", "/feed?limit=10", { token })
          : pick < 0.8 || postIds.length === 0 ? await this.call("read", "GET /users/me", name, "GET", "/users/me", { token })
          : await this.call("read", "GET /posts/:id", name, "GET", `/posts/${postIds[Math.floor(Math.random() * postIds.length)]}`, {});
        if (r.status === 401) token = undefined;
      }
      const wait = interval - (Date.now() - started);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }
}
