import * as fs from "node:fs";

// CPU time (user + system) a process has used, from /proc/<pid>/stat: what a request costs the
// server itself, a figure far steadier than req/s on a machine shared with other work.

const TICKS_PER_SECOND = 100; // USER_HZ (getconf CLK_TCK) on Linux

export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces, inside parentheses); utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}
