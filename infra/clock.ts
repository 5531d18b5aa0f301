// The one read of the clock on the way to a Topology: the program and the plan pass today to
// buildTopology, which stays a pure function of its arguments (tests pass a fixed day).

/** Today in UTC, YYYY-MM-DD (the form the engine-support dates in infra/facts use). */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}
