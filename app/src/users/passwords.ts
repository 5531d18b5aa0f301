import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { PRODUCTION_MIN_HASH_COST_LOG2 } from "../config-auth";

// scrypt from node:crypto: "scrypt$N$r$p$salt$hash" (base64url), r=8, p=1, 32-byte key, N=2^cost
// from HASH_COST_LOG2 (2^17 in production, OWASP's minimum). Each hash carries its parameters, so
// hashes made at an older cost still verify; a login re-hashes them at the current cost.
const R = 8;
const P = 1;
const KEYLEN = 32;
/** Stored parameters outside these are a corrupt row, never derived (a huge N would exhaust memory). */
const MAX_N = 2 ** 18;
const MAX_R = 16;
const MAX_P = 4;
/** N=2^17, r=8 needs just over 128 MiB (128·r·(N+2) bytes plus p·128·r); leave room above it. */
const MIN_MAXMEM = 256 * 1024 * 1024;

interface Params {
  n: number;
  r: number;
  p: number;
}

function derive(password: string, salt: Buffer, { n, r, p }: Params): Promise<Buffer> {
  const maxmem = Math.max(MIN_MAXMEM, 2 * 128 * n * r);
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFKC"), salt, KEYLEN, { N: n, r, p, maxmem }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

function format({ n, r, p }: Params, salt: Buffer, key: Buffer): string {
  return `scrypt$${n}$${r}$${p}$${salt.toString("base64url")}$${key.toString("base64url")}`;
}

function parse(stored: string): (Params & { salt: Buffer; key: Buffer }) | null {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return null;
  const [n, r, p] = parts.slice(1, 4).map(Number);
  const powerOfTwo = Number.isInteger(n) && n >= 2 && (n & (n - 1)) === 0;
  if (!powerOfTwo || n > MAX_N || !Number.isInteger(r) || r < 1 || r > MAX_R || !Number.isInteger(p) || p < 1 || p > MAX_P) return null;
  return { n, r, p, salt: Buffer.from(parts[4], "base64url"), key: Buffer.from(parts[5], "base64url") };
}

const paramsAt = (costLog2: number): Params => ({ n: 2 ** costLog2, r: R, p: P });

export async function hashPassword(password: string, costLog2 = PRODUCTION_MIN_HASH_COST_LOG2): Promise<string> {
  const salt = randomBytes(16);
  const params = paramsAt(costLog2);
  return format(params, salt, await derive(password, salt, params));
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const h = parse(stored);
  if (!h) return false;
  const key = await derive(password, h.salt, h);
  return key.length === h.key.length && timingSafeEqual(key, h.key);
}

/** A stored hash made with weaker parameters than the current cost's (re-hash it on a successful login). */
export function isWeakerThan(stored: string, costLog2: number): boolean {
  const h = parse(stored);
  const want = paramsAt(costLog2);
  return h !== null && (h.n < want.n || h.r < want.r || h.p < want.p);
}

/**
 * A well-formed hash at the current cost that no password matches: verifying an unknown handle's
 * login against it costs what a real user's does, so the time taken tells nothing.
 */
export function dummyHash(costLog2: number): string {
  return format(paramsAt(costLog2), Buffer.alloc(16), Buffer.alloc(KEYLEN));
}
