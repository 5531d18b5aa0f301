import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { freePort } from "./ports";
import { managed, type RunningService } from "./processes";

// Real Redis from the Debian package on a free loopback port in a temp dir; torn down by stop().

export interface RedisService extends RunningService {
  readonly url: string;
}

export interface RedisOptions {
  maxmemoryMb?: number;
  /** AUTH password (requirepass) */
  password?: string;
  /** TLS only (like ElastiCache with in-transit encryption): PEM files; the URL becomes rediss:// */
  tls?: { certFile: string; keyFile: string; caFile: string };
}

/** A Redis server without persistence, eviction policy volatile-lru (only keys with a TTL are evictable). */
export async function startRedis(opts: RedisOptions = {}): Promise<RedisService> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rf-redis-"));
  const port = await freePort();
  const listen = opts.tls
    ? ["--port", "0", "--tls-port", String(port), "--tls-cert-file", opts.tls.certFile, "--tls-key-file", opts.tls.keyFile, "--tls-ca-cert-file", opts.tls.caFile, "--tls-auth-clients", "no"]
    : ["--port", String(port)];
  const args = [
    ...listen, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir,
    "--maxmemory", `${opts.maxmemoryMb ?? 256}mb`, "--maxmemory-policy", "volatile-lru", "--protected-mode", "yes",
    ...(opts.password !== undefined ? ["--requirepass", opts.password] : []),
  ];
  const { svc, start } = managed("redis-server", port, dir, () => spawn("redis-server", args, { stdio: "ignore" }));
  try {
    await start();
  } catch (e) {
    await svc.stop();
    throw new Error(`redis-server failed to start (is redis-server installed?): ${(e as Error).message}`);
  }
  const auth = opts.password !== undefined ? `:${encodeURIComponent(opts.password)}@` : "";
  return Object.assign(svc, { url: `${opts.tls ? "rediss" : "redis"}://${auth}127.0.0.1:${port}` });
}
