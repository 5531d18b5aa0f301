#!/usr/bin/env node
// A stand-in `pulumi` for the Automation API: answers the commands the library runs from a state
// file ($STANDIN_DIR/state.json: config, outputs, scripted engine events per preview/up, failures)
// and appends every argv to $STANDIN_DIR/calls.jsonl, so a test can assert the exact arguments.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const dir = process.env.STANDIN_DIR;
const args = process.argv.slice(2);
fs.appendFileSync(path.join(dir, "calls.jsonl"), JSON.stringify(args) + "\n");
const statePath = path.join(dir, "state.json");
const state = JSON.parse(fs.readFileSync(statePath, "utf8"));
const save = () => fs.writeFileSync(statePath, JSON.stringify(state, null, 2));
const flag = (name) => { const i = args.indexOf(name); return i < 0 ? undefined : args[i + 1]; };
const fail = (msg) => { process.stderr.write(`error: ${msg}\n`); process.exit(255); };
const out = (v) => process.stdout.write(typeof v === "string" ? v : JSON.stringify(v));

/** `ns:a.b[0]` → ["ns:a", "b", "0"] */
function parts(key) {
  const colon = key.indexOf(":");
  const rest = key.slice(colon + 1).split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== "");
  return [`${key.slice(0, colon)}:${rest[0]}`, ...rest.slice(1)];
}
function setPath(key, value) {
  const [top, ...keys] = parts(key);
  if (keys.length === 0) { if (value === undefined) delete state.config[top]; else state.config[top] = value; return; }
  let node = (state.config[top] ??= /^\d+$/.test(keys[0]) ? [] : {});
  for (let i = 0; i < keys.length - 1; i++) node = (node[keys[i]] ??= /^\d+$/.test(keys[i + 1]) ? [] : {});
  const last = keys[keys.length - 1];
  if (value === undefined) { if (Array.isArray(node)) node.splice(Number(last), 1); else delete node[last]; } else node[last] = value;
}
function typed(v) { return /^-?\d+$/.test(v) ? Number(v) : v === "true" ? true : v === "false" ? false : v; }
/** The n-th scripted events of `kind`, to the --event-log file, or over gRPC when it is tcp://host:port (CLIs after 3.205). */
async function events(kind) {
  const n = (state.runs[kind] = (state.runs[kind] ?? 0) + 1) - 1;
  save();
  const log = flag("--event-log");
  if (!log) fail(`${kind} without --event-log`);
  const list = state[kind][n] ?? [];
  if (!log.startsWith("tcp://")) {
    for (const e of list) fs.appendFileSync(log, JSON.stringify(e) + "\n");
    return n;
  }
  const grpc = require("@grpc/grpc-js");
  const { EventsClient } = require("@pulumi/pulumi/proto/events_grpc_pb");
  const { EventRequest } = require("@pulumi/pulumi/proto/events_pb");
  const client = new EventsClient(log.slice("tcp://".length), grpc.credentials.createInsecure());
  await new Promise((resolve, reject) => {
    const call = client.streamEvents((err) => (err ? reject(err) : resolve()));
    for (const e of list) {
      const req = new EventRequest();
      req.setEvent(JSON.stringify(e));
      call.write(req);
    }
    call.end();
  });
  client.close();
  return n;
}

const [cmd, sub] = args;
/** the command's first operand: not a flag, not the value of --stack */
const operand = () => args.slice(2).find((a, i, xs) => !a.startsWith("--") && xs[i - 1] !== "--stack");
if (cmd === "version") out(state.version + "\n");
else if (cmd === "whoami") state.loggedIn ? out({ user: "gameday-test", url: "https://app.pulumi.com", organizations: [] }) : fail("PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions");
else if (cmd === "stack" && sub === "select") flag("--stack") === state.stack ? out("") : fail(`no stack named '${flag("--stack")}' found`);
else if (cmd === "stack" && sub === "output") out(args.includes("--show-secrets") ? state.outputs : Object.fromEntries(Object.entries(state.outputs).map(([k, v]) => [k, v])));
else if (cmd === "stack" && sub === "history") out([]);
else if (cmd === "config" && sub === "set") {
  setPath(operand(), typed(args[args.indexOf("--") + 1]));
  save();
} else if (cmd === "config" && sub === "rm") {
  setPath(operand(), undefined);
  save();
} else if (cmd === "config" && (sub === undefined || sub.startsWith("--"))) {
  out(Object.fromEntries(Object.entries(state.config).map(([k, v]) => [k, typeof v === "string" ? { value: v, secret: false } : { value: JSON.stringify(v), objectValue: v, secret: false }])));
} else if (cmd === "preview") {
  events("preview").then(() => out("Previewing update (prod):\n"), (e) => fail(e.message));
} else if (cmd === "up") {
  events("up").then((n) => {
    if (state.failUp === n) fail("update failed\n  error: deleting RDS DB Instance (secondary-db): InvalidParameterCombination: Cannot delete protected DB Instance");
    out("Updating (prod):\n");
  }, (e) => fail(e.message));
} else fail(`the stand-in does not answer: pulumi ${args.join(" ")}`);
