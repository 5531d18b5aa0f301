import * as fs from "node:fs";

// The load generator, in its own process: one autocannon run described by a JSON spec (argv[2]),
// result as one JSON line on stdout. Loopback only.

interface Spec {
  url: string;
  durationSec?: number;
  amount?: number;
  connections: number;
  method: "GET" | "POST";
  /** "zipf": /users/{id} with Zipf(s) over the ids file; "sequential-desc": each id once, least popular first */
  paths: { kind: "fixed"; path: string } | { kind: "zipf"; idsFile: string; s: number } | { kind: "sequential-desc"; idsFile: string };
  /** Session tokens cycled per request (Bearer). */
  tokens?: string[];
  body?: string;
}

interface Req {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}
type Autocannon = (opts: Record<string, unknown>, cb: (err: Error | null, res: Record<string, any>) => void) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require("autocannon") as Autocannon;

function zipfSampler(n: number, s: number): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cdf[i] = sum += 1 / Math.pow(i + 1, s);
  for (let i = 0; i < n; i++) cdf[i] /= sum;
  return () => {
    const u = Math.random();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo; // rank 0 = most popular
  };
}

const spec = JSON.parse(process.argv[2]) as Spec;
if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(spec.url)) throw new Error(`loopback only: ${spec.url}`);
let nextPath: () => string;
if (spec.paths.kind === "fixed") {
  const p = spec.paths.path;
  nextPath = () => p;
} else {
  const ids = fs.readFileSync(spec.paths.idsFile, "utf8").trim().split("\n");
  if (spec.paths.kind === "zipf") {
    const sample = zipfSampler(ids.length, spec.paths.s);
    nextPath = () => `/users/${ids[sample()]}`;
  } else {
    let i = ids.length;
    nextPath = () => `/users/${ids[(i = i > 0 ? i - 1 : ids.length - 1)]}`;
  }
}
let k = 0;
const tokens = spec.tokens ?? [];
autocannon(
  {
    url: spec.url,
    connections: spec.connections,
    ...(spec.amount ? { amount: spec.amount } : { duration: spec.durationSec ?? 10 }),
    timeout: 10,
    requests: [
      {
        method: spec.method,
        setupRequest: (req: Req) => {
          req.path = nextPath();
          const headers: Record<string, string> = {};
          if (tokens.length) headers.authorization = `Bearer ${tokens[k++ % tokens.length]}`;
          if (spec.body) {
            headers["content-type"] = "application/json";
            req.body = spec.body.replace("$N", String(k));
          }
          req.headers = headers;
          return req;
        },
      },
    ],
  },
  (err, res) => {
    if (err) throw err;
    const out = {
      rps: res.requests.average,
      total: res.requests.total,
      p50: res.latency.p50,
      p99: res.latency.p99,
      errors: res.errors + res.timeouts + res.non2xx,
      non2xx: res.non2xx,
      timeouts: res.timeouts,
      durationSec: res.duration,
    };
    process.stdout.write(JSON.stringify(out) + "\n");
  },
);
