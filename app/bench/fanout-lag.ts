// The post scenario's fan-out figures: the fan-out lag (jobs not yet delivered plus delivered but
// not acknowledged, the API's `fanout_lag` gauge) when the load stops, and how long until it is
// back under a threshold (target: under 1,000 jobs within 5 s).

export const LAG_THRESHOLD = 1000;
export const LAG_TARGET_MS = 5000;

export interface FanoutRecovery {
  /** Lag right after the last post was answered. */
  atEnd: number;
  /** ms from the end of the load until the lag was under the threshold; null: not within the wait. */
  msUnderThreshold: number | null;
  /** Lag when the wait ended. */
  final: number;
}

/** Polls `readLag` every 100 ms from the end of the load until it is under the threshold (at most `maxWaitMs`). */
export async function fanoutRecovery(readLag: () => Promise<number>, maxWaitMs = 60_000): Promise<FanoutRecovery> {
  const start = Date.now();
  const atEnd = await readLag();
  let lag = atEnd;
  while (lag >= LAG_THRESHOLD && Date.now() - start < maxWaitMs) {
    await new Promise((r) => setTimeout(r, 100));
    lag = await readLag();
  }
  return { atEnd, msUnderThreshold: lag < LAG_THRESHOLD ? Date.now() - start : null, final: lag };
}

export function fanoutRecoveryLines(r: FanoutRecovery): string[] {
  const ok = r.msUnderThreshold !== null && r.msUnderThreshold <= LAG_TARGET_MS;
  const took = r.msUnderThreshold === null ? `not within the wait (still ${r.final})` : `${(r.msUnderThreshold / 1000).toFixed(1)} s`;
  return [
    `fan-out lag when the post scenario ended: ${r.atEnd} jobs`,
    `  back under ${LAG_THRESHOLD} after: ${took} (target <= ${LAG_TARGET_MS / 1000} s) ${ok ? "OK" : "MISSED"}`,
  ];
}
