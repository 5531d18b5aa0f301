import * as fs from "node:fs";

// Reads a .cpuprofile (node --cpu-prof; see BENCH_API_NODE_ARGS in run.ts) and prints self time
// by function and by package/file, optionally cut to a window of CLOCK_MONOTONIC µs (run.ts prints
// the Zipf scenario's window when profiling), plus inclusive time of a few interesting functions.
//   npx tsx app/bench/cpuprofile-summary.ts /tmp/prof/CPU.*.cpuprofile [startUs endUs] [top]

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const [file, from, to, topArg] = process.argv.slice(2);
const prof = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
const start = from ? Number(from) : -Infinity;
const end = to ? Number(to) : Infinity;
const top = Number(topArg ?? 40);

const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const short = (url: string) => url.replace(/^file:\/\//, "").replace(/.*\/node_modules\//, "~").replace(/.*\/app\/src\//, "src/");
const pkg = (url: string) => {
  if (!url) return "(native/vm)";
  if (url.startsWith("node:")) return url.split("/").slice(0, 2).join("/");
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  return m ? m[1] : short(url);
};

const self = new Map<string, number>();
const selfPkg = new Map<string, number>();
const incl = new Map<string, number>();
let t = prof.startTime;
let total = 0;
for (let i = 0; i < prof.samples.length; i++) {
  t += prof.timeDeltas[i];
  if (t < start || t > end) continue;
  // A sample's weight is the time until the next one.
  const dt = (prof.timeDeltas[i + 1] ?? 0) / 1000;
  const n = byId.get(prof.samples[i])!;
  const f = n.callFrame;
  const key = `${f.functionName || "(anonymous)"} ${short(f.url)}:${f.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + dt);
  selfPkg.set(pkg(f.url), (selfPkg.get(pkg(f.url)) ?? 0) + dt);
  total += dt;
  const seen = new Set<string>();
  for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) {
    const cf = byId.get(id)!.callFrame;
    const k = `${cf.functionName || "(anonymous)"} ${short(cf.url)}:${cf.lineNumber + 1}`;
    if (seen.has(k)) continue;
    seen.add(k);
    incl.set(k, (incl.get(k) ?? 0) + dt);
  }
}

const pct = (v: number) => `${v.toFixed(0).padStart(7)} ms ${((v / total) * 100).toFixed(1).padStart(5)}%`;
console.log(`window: ${total.toFixed(0)} ms sampled`);
console.log(`\nself time by package/file:`);
for (const [k, v] of [...selfPkg].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${pct(v)}  ${k}`);
console.log(`\nself time by function (top ${top}):`);
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(v)}  ${k}`);
console.log(`\ninclusive time (top ${top}):`);
for (const [k, v] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(v)}  ${k}`);

// CALLERS=name1,name2: where those functions' self time comes from (the 6 nearest JS frames).
for (const name of (process.env.CALLERS ?? "").split(",").filter(Boolean)) {
  const chains = new Map<string, number>();
  let t2 = prof.startTime;
  for (let i = 0; i < prof.samples.length; i++) {
    t2 += prof.timeDeltas[i];
    if (t2 < start || t2 > end) continue;
    const n = byId.get(prof.samples[i])!;
    if (n.callFrame.functionName !== name) continue;
    const frames: string[] = [];
    for (let id = parent.get(n.id); id !== undefined && frames.length < Number(process.env.DEPTH ?? 6); id = parent.get(id)) {
      const cf = byId.get(id)!.callFrame;
      frames.push(`${cf.functionName || "(anon)"}@${short(cf.url).split("/").pop()}:${cf.lineNumber + 1}`);
    }
    const k = frames.join(" < ");
    chains.set(k, (chains.get(k) ?? 0) + (prof.timeDeltas[i + 1] ?? 0) / 1000);
  }
  console.log(`\ncallers of ${name}:`);
  for (const [k, v] of [...chains].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`${pct(v)}  ${k}`);
}

// CHILDREN=name: the direct callees of that function (inclusive time under it), and its self time.
for (const name of (process.env.CHILDREN ?? "").split(",").filter(Boolean)) {
  const under = new Map<string, number>();
  let t3 = prof.startTime;
  for (let i = 0; i < prof.samples.length; i++) {
    t3 += prof.timeDeltas[i];
    if (t3 < start || t3 > end) continue;
    const dt = (prof.timeDeltas[i + 1] ?? 0) / 1000;
    let child: number | undefined;
    for (let id: number | undefined = prof.samples[i]; id !== undefined; child = id, id = parent.get(id)) {
      const cf = byId.get(id)!.callFrame;
      if (cf.functionName !== name) continue;
      const k = child === undefined ? "(self)" : (() => { const c = byId.get(child)!.callFrame; return `${c.functionName || "(anon)"} ${short(c.url)}:${c.lineNumber + 1}`; })();
      under.set(k, (under.get(k) ?? 0) + dt);
      break;
    }
  }
  console.log(`\nunder ${name}:`);
  for (const [k, v] of [...under].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`${pct(v)}  ${k}`);
}
