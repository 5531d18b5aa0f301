// A small JSON client for the site's API (seeding, the game-day load): every call resolves, a
// failure is a status 0 with the error's message, so callers record instead of throwing.

export interface ApiResult {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  site: string;
  error?: string;
}

export async function api(base: string, method: string, path: string, opts: { token?: string; body?: unknown; client?: string; timeoutMs?: number } = {}): Promise<ApiResult> {
  const headers: Record<string, string> = {};
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.client) headers["x-client"] = opts.client;
  try {
    const r = await fetch(base + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), signal: AbortSignal.timeout(opts.timeoutMs ?? 5000) });
    const text = await r.text();
    let body: unknown = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    return { status: r.status, body, site: r.headers.get("x-site") ?? "" };
  } catch (e) {
    return { status: 0, body: undefined, site: "", error: (e as Error).name === "TimeoutError" ? "timeout" : ((e as Error & { cause?: Error }).cause?.message ?? (e as Error).message) };
  }
}
