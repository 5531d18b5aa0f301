import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";

// HAProxy from the Debian package: config check and its runtime API (the admin socket), through
// which a running proxy is re-pointed without a reload (`set server … addr`).

export const HAPROXY = ["/usr/sbin/haproxy", "/usr/bin/haproxy"].find((p) => fs.existsSync(p)) ?? "haproxy";

/** Throws with HAProxy's own message when the config is invalid. */
export function checkHaproxyConfig(file: string): void {
  try {
    execFileSync(HAPROXY, ["-c", "-q", "-f", file], { stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { stderr?: Buffer; stdout?: Buffer };
    throw new Error(`invalid HAProxy config ${file}: ${(err.stderr?.toString() || err.stdout?.toString() || String(e)).trim()}`);
  }
}

/** One command on the admin socket; resolves with the answer. */
export function haproxyCommand(socket: string, command: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(socket);
    let out = "";
    const t = setTimeout(() => (s.destroy(), reject(new Error(`haproxy ${socket}: '${command}' timed out`))), timeoutMs);
    s.once("connect", () => s.write(command + "\n"));
    s.on("data", (d) => (out += d.toString()));
    s.once("error", (e) => (clearTimeout(t), reject(e)));
    s.once("close", () => (clearTimeout(t), resolve(out)));
  });
}

export interface ServerStat {
  backend: string;
  server: string;
  /** UP, DOWN, MAINT, "UP 1/2" (transitional), no check … */
  status: string;
}

/** `show stat` as backend/server/status rows (frontends and backend totals left out). */
export async function serverStats(socket: string): Promise<ServerStat[]> {
  const csv = await haproxyCommand(socket, "show stat");
  const lines = csv.split("\n").filter((l) => l.trim() !== "");
  const header = (lines.shift() ?? "").replace(/^# /, "").split(",");
  const col = (n: string) => header.indexOf(n);
  return lines
    .map((l) => l.split(","))
    .filter((c) => c[col("svname")] !== "FRONTEND" && c[col("svname")] !== "BACKEND")
    .map((c) => ({ backend: c[col("pxname")], server: c[col("svname")], status: c[col("status")] }));
}
