import pino from "pino";

export type Logger = pino.Logger;

/** JSON logs on stdout (one object a line); every request log carries its request id. */
export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { service: "feed-api", ...base }, timestamp: pino.stdTimeFunctions.isoTime });
}
