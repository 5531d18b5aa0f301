// Session tokens for bench users, through the API's own POST /auth/login. Logins are an scrypt
// each and the API caps password checks per client (HASH_CONCURRENCY_PER_CLIENT, issue 20): the
// bench's APIs run with BENCH_AUTH_ENV, and a 429 is retried after its hint.

/** Env for a bench API: one client (the bench) may use every password-check slot, no login throttle. */
export const BENCH_AUTH_ENV = { HASH_CONCURRENCY: "3", HASH_CONCURRENCY_PER_CLIENT: "3", LOGIN_IP_PER_MINUTE: "1000000", LOGIN_FREE_FAILURES: "1000" };
const PARALLEL = 3;

export async function loginTokens(api: string, handles: string[], password: string): Promise<string[]> {
  // today's login returns the token with mode "bearer"; commits before it refuse the field (400)
  let bearer = true;
  const login = async (handle: string): Promise<string> => {
    for (let attempt = 0; ; attempt++) {
      const body = JSON.stringify(bearer ? { handle, password, mode: "bearer" } : { handle, password });
      const r = await fetch(`${api}/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body });
      if (r.ok) return ((await r.json()) as { token: string }).token;
      const text = await r.text();
      if (r.status === 400 && bearer && text.includes("mode")) bearer = false;
      else if (r.status !== 429 || attempt >= 20) throw new Error(`login ${handle}: ${r.status} ${text}`);
      else await new Promise((res) => setTimeout(res, 250));
    }
  };
  const tokens: string[] = [];
  for (let i = 0; i < handles.length; i += PARALLEL) tokens.push(...(await Promise.all(handles.slice(i, i + PARALLEL).map(login))));
  return tokens;
}
