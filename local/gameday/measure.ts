import type { Sample } from "./load";

// What a drill measured, from the recorded requests: time to detect, RTO (fault → first success,
// fault → error-free), the errors seen, and (separately, against the database) RPO.

export interface WindowMeasure {
  requests: number;
  errors: number;
  /** error label (status or code) → count */
  errorKinds: Record<string, number>;
  /** sessions that had to log in again (401 on a session route) */
  loggedOut: number;
  /** seconds from the fault to the first success after the first error (0: no error) */
  rtoFirstSuccessSeconds: number;
  /** seconds from the fault to the end of the last failed request (0: no error) */
  rtoErrorFreeSeconds: number;
  readErrors: number;
  writeErrors: number;
  writesAcknowledged: number;
  /** which site answered, by count */
  servedBy: Record<string, number>;
}

export const failed = (s: Sample) => s.status === 0 || s.status >= 500 || s.status === 401;

export function measureWindow(samples: Sample[], faultMs: number, endMs: number): WindowMeasure {
  const win = samples.filter((s) => s.t1 >= faultMs && s.t0 <= endMs);
  const errs = win.filter(failed);
  const kinds: Record<string, number> = {};
  for (const e of errs) {
    const k = e.status === 0 ? `no answer (${e.error ?? "?"})` : `${e.status} ${e.error ?? ""}`.trim();
    kinds[k] = (kinds[k] ?? 0) + 1;
  }
  const servedBy: Record<string, number> = {};
  for (const s of win) if (s.site) servedBy[s.site] = (servedBy[s.site] ?? 0) + 1;
  let first = 0;
  let last = 0;
  if (errs.length) {
    const firstErr = Math.min(...errs.map((e) => e.t0));
    const ok = win.filter((s) => !failed(s) && s.t0 >= firstErr).sort((a, b) => a.t1 - b.t1)[0];
    first = ((ok?.t1 ?? endMs) - faultMs) / 1000;
    last = (Math.max(...errs.map((e) => e.t1)) - faultMs) / 1000;
  }
  return {
    requests: win.length,
    errors: errs.length,
    errorKinds: kinds,
    loggedOut: errs.filter((e) => e.status === 401).length,
    rtoFirstSuccessSeconds: Math.max(0, round(first)),
    rtoErrorFreeSeconds: Math.max(0, round(last)),
    readErrors: errs.filter((e) => e.kind === "read").length,
    writeErrors: errs.filter((e) => e.kind === "write").length,
    writesAcknowledged: win.filter((s) => s.kind === "write" && s.id).length,
    servedBy,
  };
}

const round = (n: number) => Math.round(n * 100) / 100;

/** Acknowledged markers missing from the set of markers the writer has. */
export function lostWrites(acked: Map<string, string>, present: Set<string>): string[] {
  return [...acked.keys()].filter((m) => !present.has(m));
}
