import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

// The measured scenarios' load generator: wrk (the Debian package, scripts/install-system-deps.sh),
// 1 thread and a fixed number of connections, one request built per call by a generated Lua
// script: a fixed path, /users/{id} with Zipf-distributed ids, or a fixed path with a
// Zipf-distributed reader's session token. The script's done() prints one JSON line.

export interface WrkSpec {
  url: string;
  durationSec: number;
  connections: number;
  /** Lua scripts and their data files go here. */
  dir: string;
  target: { kind: "fixed"; path: string } | { kind: "zipf-users"; idsFile: string; s: number } | { kind: "zipf-readers"; tokensFile: string; s: number; path: string };
}

export interface WrkResult {
  rps: number;
  total: number;
  /** ms */
  p50: number;
  p99: number;
  /** socket errors, timeouts and non-2xx/3xx responses */
  errors: number;
}

const luaString = (s: string) => JSON.stringify(s); // a JSON string literal is a valid Lua string literal for these paths

function script(spec: WrkSpec): string {
  const t = spec.target;
  const zipf = t.kind === "fixed" ? "" : `
local values, cdf = {}, {}
init = function(args)
  math.randomseed(42)
  for line in io.lines(${luaString(t.kind === "zipf-users" ? t.idsFile : t.tokensFile)}) do values[#values + 1] = line end
  local sum = 0
  for i = 1, #values do sum = sum + 1 / (i ^ ${t.s}); cdf[i] = sum end
  for i = 1, #values do cdf[i] = cdf[i] / sum end
end
local function sample()
  local u, lo, hi = math.random(), 1, #values
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cdf[mid] < u then lo = mid + 1 else hi = mid end
  end
  return values[lo]
end`;
  const request =
    t.kind === "fixed"
      ? `request = function() return wrk.format("GET", ${luaString(t.path)}) end`
      : t.kind === "zipf-users"
        ? `request = function() return wrk.format("GET", "/users/" .. sample()) end`
        : `request = function() return wrk.format("GET", ${luaString(t.path)}, { Authorization = "Bearer " .. sample() }) end`;
  return `${zipf}
${request}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"durationUs":%d,"p50Us":%d,"p99Us":%d,"errors":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.status + e.timeout))
end
`;
}

export async function wrk(spec: WrkSpec): Promise<WrkResult> {
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(spec.url)) throw new Error(`loopback only: ${spec.url}`);
  const file = path.join(spec.dir, `wrk-${process.hrtime.bigint()}.lua`);
  fs.writeFileSync(file, script(spec));
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn("wrk", ["-t1", `-c${spec.connections}`, `-d${spec.durationSec}s`, "--timeout", "10s", "-s", file, spec.url], { stdio: ["ignore", "pipe", "inherit"] });
    let text = "";
    child.stdout.on("data", (d: Buffer) => (text += d.toString()));
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited ${code}: ${text}`))));
  });
  fs.rmSync(file, { force: true });
  const line = out.split("\n").find((l) => l.startsWith("WRKJSON "));
  if (!line) throw new Error(`wrk printed no result: ${out}`);
  const r = JSON.parse(line.slice(8)) as { requests: number; durationUs: number; p50Us: number; p99Us: number; errors: number };
  return { rps: r.requests / (r.durationUs / 1e6), total: r.requests, p50: r.p50Us / 1000, p99: r.p99Us / 1000, errors: r.errors };
}
