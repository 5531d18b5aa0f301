import type { Sample } from "./load";

// What a drill measured, from the recorded requests: RTO per operation (read, write, login),
// the errors seen, and (against the database) which acknowledged writes were lost and how old the
// oldest of them was at the fault (RPO). How each figure is defined is printed in every report
// (MEASUREMENT_NOTES), so the definitions live here, next to the code.

export type Operation = Sample["kind"];
const OPERATIONS: Operation[] = ["read", "write", "login"];

export interface OperationRecovery {
  requests: number;
  errors: number;
  /** seconds from the clock's start to the answer of the first success sent after this operation's first failure */
  firstSuccessSeconds: number;
  /** seconds from the clock's start to the answer of the first success sent after its last failure */
  errorFreeSeconds: number;
  /** a success came after the last failure (else both figures are the end of the window) */
  recovered: boolean;
}

export interface WindowMeasure {
  /** where the RTO clock starts: the fault, or (planned changes: no fault) the first failed request */
  clockStart: "fault" | "first failure";
  requests: number;
  errors: number;
  /** error label → count */
  errorKinds: Record<string, number>;
  /** sessions that had to log in again (401 on a session route) */
  loggedOut: number;
  /** the operations that failed at least once: the RTO figures are theirs */
  failedOperations: Operation[];
  /** recovery of each operation that failed */
  perOperation: Partial<Record<Operation, OperationRecovery>>;
  /** the latest first success over the failed operations (0: nothing failed) */
  rtoFirstSuccessSeconds: number;
  /** the latest error-free point over the failed operations (0: nothing failed); never below rtoFirstSuccessSeconds */
  rtoErrorFreeSeconds: number;
  readErrors: number;
  writeErrors: number;
  writesAcknowledged: number;
  /** which site answered, by count */
  servedBy: Record<string, number>;
}

export const failed = (s: Sample) => s.status === 0 || s.status >= 500 || s.status === 401;

const REASONS: Record<number, string> = { 401: "Unauthorized", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout" };

/**
 * How an error is labelled: the API's error code after the status ("503 db_unavailable"); an
 * answer without one came from a proxy in front of the API ("503 Service Unavailable (proxy, no
 * API error code)"); no answer at all says why ("no answer (timeout)").
 */
export function errorKind(s: Pick<Sample, "status" | "error">): string {
  if (s.status === 0) return `no answer (${s.error || "unknown"})`;
  if (s.error && s.error !== String(s.status)) return `${s.status} ${s.error}`;
  return `${s.status} ${REASONS[s.status] ?? "HTTP error"} (proxy, no API error code)`;
}

/** Recovery of one operation from its samples in the window. */
function recoveryOf(samples: Sample[], faultMs: number, endMs: number): OperationRecovery | undefined {
  const errs = samples.filter(failed);
  if (!errs.length) return undefined;
  const successes = samples.filter((s) => !failed(s));
  // the answer of the first success sent after `after`; the window's end when there is none
  const firstAnswerSentAfter = (after: number) => Math.min(...successes.filter((s) => s.t0 > after).map((s) => s.t1), Infinity);
  const firstErrSent = Math.min(...errs.map((e) => e.t0));
  const lastErrSent = Math.max(...errs.map((e) => e.t0));
  const first = firstAnswerSentAfter(firstErrSent);
  // a success sent after the last failure was also sent after the first: errorFree ≥ first
  const free = firstAnswerSentAfter(lastErrSent);
  const secs = (t: number) => Math.max(0, round(((Number.isFinite(t) ? t : endMs) - faultMs) / 1000));
  return { requests: samples.length, errors: errs.length, firstSuccessSeconds: secs(first), errorFreeSeconds: secs(free), recovered: Number.isFinite(free) };
}

/**
 * The requests answered from faultMs to endMs. clockStart "first failure" is for planned changes
 * (switch-mode, failback): nothing is broken when they begin, so their RTO is how long users saw
 * errors, from the first failed request sent.
 */
export function measureWindow(samples: Sample[], faultMs: number, endMs: number, clockStart: WindowMeasure["clockStart"] = "fault"): WindowMeasure {
  const win = samples.filter((s) => s.t1 >= faultMs && s.t0 <= endMs);
  const errs = win.filter(failed);
  const origin = clockStart === "fault" || !errs.length ? faultMs : Math.max(faultMs, Math.min(...errs.map((e) => e.t0)));
  const kinds: Record<string, number> = {};
  for (const e of errs) kinds[errorKind(e)] = (kinds[errorKind(e)] ?? 0) + 1;
  const servedBy: Record<string, number> = {};
  for (const s of win) if (s.site) servedBy[s.site] = (servedBy[s.site] ?? 0) + 1;
  const perOperation: WindowMeasure["perOperation"] = {};
  for (const op of OPERATIONS) {
    const r = recoveryOf(win.filter((s) => s.kind === op), origin, endMs);
    if (r) perOperation[op] = r;
  }
  const recoveries = Object.values(perOperation);
  return {
    clockStart,
    requests: win.length,
    errors: errs.length,
    errorKinds: kinds,
    loggedOut: errs.filter((e) => e.status === 401).length,
    failedOperations: OPERATIONS.filter((op) => perOperation[op]),
    perOperation,
    rtoFirstSuccessSeconds: Math.max(0, ...recoveries.map((r) => r.firstSuccessSeconds)),
    rtoErrorFreeSeconds: Math.max(0, ...recoveries.map((r) => r.errorFreeSeconds)),
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

export interface LostWindow {
  /** age at the fault of the oldest lost write's acknowledgement, in seconds (0: nothing lost before the fault) */
  rpoSeconds: number;
  /** lost writes acknowledged after the fault: no RPO covers those */
  lostAfterFault: number;
}

/** The data-loss window of the lost markers, from when their writes were acknowledged. */
export function lostWindow(samples: Sample[], lost: string[], faultMs: number): LostWindow {
  const lostSet = new Set(lost);
  const ackedAt = samples.filter((s) => s.kind === "write" && s.id && s.marker && lostSet.has(s.marker)).map((s) => s.t1);
  const before = ackedAt.filter((t) => t <= faultMs);
  return { rpoSeconds: before.length ? round((faultMs - Math.min(...before)) / 1000) : 0, lostAfterFault: ackedAt.length - before.length };
}

/** The definitions every report prints. */
export const MEASUREMENT_NOTES: readonly string[] = [
  "detect: from the fault to the moment the drill's monitor saw it (the load balancer or the edge marking a server DOWN, two failed database probes, Redis refusing connections); – for planned changes.",
  "RTO is measured on the operations that failed (reads, writes, logins), each on its own: a read that never failed says nothing about when writes came back. The figure shown is the latest over the failed operations; 0 when nothing failed.",
  "RTO first success: from the fault to the answer of the first successful request of that operation sent after its first failure.",
  "RTO error-free: from the fault to the answer of the first successful request of that operation sent after its last failure; every request of it sent from then on succeeded. That request is also a success sent after the first failure, so error-free is never smaller than first success.",
  "Planned changes (switch-mode, failback) have no fault: their clock starts at the first failed request, so their RTO is how long users saw errors, not how long the change took (its recovery actions are listed apart).",
  "RPO: acknowledged writes (2xx with the post's id) whose marker is missing from the database that takes writes afterwards, and the age at the fault of the oldest of them.",
];
