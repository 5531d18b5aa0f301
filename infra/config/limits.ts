// Ranges the API tier's settings must fall in, in one place: the stack config schema rejects a
// value outside them, and the components check their args against the same ranges.

export interface Range {
  readonly min: number;
  readonly max: number;
}

export const API_LIMITS = {
  /** unprivileged, so the app needs no root */
  port: { min: 1024, max: 65535 },
  /**
   * The app's SIGTERM drain and the target group's deregistration delay (ELB allows 0..3600): at
   * least a few seconds so in-flight requests finish, at most 5 minutes so a rolling instance
   * refresh does not stall.
   */
  drainSeconds: { min: 5, max: 300 },
  /** instance refresh: the share of the group kept in service while it replaces instances */
  minHealthyPercentage: { min: 0, max: 100 },
  /** the group's size; 100 keeps a typo from ordering a fleet */
  maxSize: { min: 1, max: 100 },
} as const satisfies Record<string, Range>;

export const inRange = (value: number, r: Range): boolean => Number.isInteger(value) && value >= r.min && value <= r.max;
