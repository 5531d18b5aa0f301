import { api } from "./http-client";
import { secret } from "./state";

// Demo data on first start, written through the edge like any client: users, follows, posts.

export const DEMO_USERS = 12;
/** one client name, so the edge keeps the seeding on one site (sessions live in the site's Redis) */
const SEED_CLIENT = "seed";

export async function seedDemo(base: string): Promise<{ password: string; handles: string[] }> {
  const password = `demo-${secret(9)}`;
  const handles: string[] = [];
  const users: Array<{ id: string; token: string }> = [];
  for (let i = 1; i <= DEMO_USERS; i++) {
    const handle = `demo${i}`;
    const s = await api(base, "POST", "/auth/signup", { client: SEED_CLIENT, body: { handle, displayName: `Demo user ${i}`, password } });
    if (s.status !== 201) throw new Error(`seeding: signup ${handle} → ${s.status} ${JSON.stringify(s.body ?? s.error)}`);
    const l = await api(base, "POST", "/auth/login", { client: SEED_CLIENT, body: { handle, password, mode: "bearer" } });
    if (l.status !== 200) throw new Error(`seeding: login ${handle} → ${l.status}`);
    handles.push(handle);
    users.push({ id: s.body.user.id, token: l.body.token });
  }
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
