import { api } from "./http-client";
import { secret } from "./state";

// Demo data on first start, written through the edge like any client: users, follows, posts.

export const DEMO_USERS = 12;
/** one client name, so the edge keeps the seeding on one site (sessions live in the site's Redis) */
const SEED_CLIENT = "seed";
const SEED_PARALLEL = 4;
/** a signup or login hashes at N=2^17: seconds each on a loaded machine (the client's default is 5 s) */
const HASHING_TIMEOUT_MS = 14_000;

export async function seedDemo(base: string): Promise<{ password: string; handles: string[] }> {
  const password = `demo-${secret(9)}`;
  const handles = Array.from({ length: DEMO_USERS }, (_, k) => `demo${k + 1}`);
  const user = async (handle: string, k: number) => {
    const s = await api(base, "POST", "/auth/signup", { client: SEED_CLIENT, body: { handle, displayName: `Demo user ${k + 1}`, password }, timeoutMs: HASHING_TIMEOUT_MS });
    if (s.status !== 201) throw new Error(`seeding: signup ${handle} → ${s.status} ${JSON.stringify(s.body ?? s.error)}`);
    const l = await api(base, "POST", "/auth/login", { client: SEED_CLIENT, body: { handle, password, mode: "bearer" }, timeoutMs: HASHING_TIMEOUT_MS });
    if (l.status !== 200) throw new Error(`seeding: login ${handle} → ${l.status}`);
    return { id: String(s.body.user.id), token: String(l.body.token) };
  };
  // a few side by side: each signup and login costs an scrypt at production cost (N=2^17), and the
  // instances' thread pools and the load balancer's 15 s server timeout bound how many at once
  const users: Array<{ id: string; token: string }> = [];
  for (let k = 0; k < handles.length; k += SEED_PARALLEL) users.push(...(await Promise.all(handles.slice(k, k + SEED_PARALLEL).map((h, j) => user(h, k + j)))));
  // everyone follows the next four users, and writes two posts
  for (const [i, u] of users.entries()) {
    for (let k = 1; k <= 4; k++) {
      const f = await api(base, "PUT", `/users/${users[(i + k) % users.length].id}/follow`, { token: u.token, client: SEED_CLIENT });
      if (f.status !== 204) throw new Error(`seeding: follow → ${f.status}`);
    }
    for (let k = 1; k <= 2; k++) {
      const p = await api(base, "POST", "/posts", { token: u.token, client: SEED_CLIENT, body: { text: `hello from demo${i + 1} (#${k})` } });
      if (p.status !== 201) throw new Error(`seeding: post → ${p.status}`);
    }
  }
  return { password, handles };
}
