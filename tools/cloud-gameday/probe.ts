// After the last `up`: the public endpoint probed until healthy or a deadline. Healthy means
// `/readyz` answers 200, then a read and a write through the API succeed (a login, a post with
// a marker, the post read back) when credentials for a game-day user are given; without them
// only `/readyz` is probed, and the report says so.

export interface ProbeResult {
  readonly healthy: boolean;
  /** from the start of probing to the first healthy answer (or to the deadline) */
  readonly seconds: number;
  readonly attempts: number;
  /** what the last attempt saw */
  readonly last: string;
  readonly readWrite: "probed" | "not probed (set GAMEDAY_HANDLE and GAMEDAY_PASSWORD)";
}

export type Prober = (deadlineSeconds: number) => Promise<ProbeResult>;

export interface HttpProbeOptions {
  readonly baseUrl: string;
  readonly user?: { readonly handle: string; readonly password: string };
  readonly intervalMs?: number;
  readonly fetch?: typeof fetch;
}

export function httpProber(o: HttpProbeOptions): Prober {
  const f = o.fetch ?? fetch;
  const call = async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await f(new URL(path, o.baseUrl), {
      method,
      headers: { ...(body ? { "content-type": "application/json" } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(5000),
    });
    const text = await res.text();
    let json: { token?: string; post?: { id?: string } } | undefined;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json };
  };
  const attempt = async (): Promise<string | undefined> => {
    const ready = await call("GET", "/readyz");
    if (ready.status !== 200) return `/readyz ${ready.status}`;
    if (!o.user) return undefined;
    const login = await call("POST", "/auth/login", { handle: o.user.handle, password: o.user.password, mode: "bearer" });
    if (login.status !== 200 || !login.json?.token) return `login ${login.status}`;
    const write = await call("POST", "/posts", { text: `gd-cloud-${Date.now()} game-day probe` }, login.json.token);
    const id = write.json?.post?.id;
    if (write.status >= 300 || !id) return `write ${write.status}`;
    const read = await call("GET", `/posts/${id}`);
    return read.status === 200 ? undefined : `read ${read.status}`;
  };
  return async (deadlineSeconds) => {
    const t0 = Date.now();
    let attempts = 0;
    let last = "not tried";
    const readWrite: ProbeResult["readWrite"] = o.user ? "probed" : "not probed (set GAMEDAY_HANDLE and GAMEDAY_PASSWORD)";
    while (attempts === 0 || Date.now() - t0 < deadlineSeconds * 1000) {
      attempts++;
      const problem = await attempt().catch((e: Error) => `no answer (${e.message})`);
      if (problem === undefined) return { healthy: true, seconds: (Date.now() - t0) / 1000, attempts, last: "healthy", readWrite };
      last = problem;
      await new Promise((r) => setTimeout(r, o.intervalMs ?? 2000));
    }
    return { healthy: false, seconds: (Date.now() - t0) / 1000, attempts, last, readWrite };
  };
}
