import pino from "pino";

export type Logger = pino.Logger;

/**
 * JSON logs on stdout, one object a line (`time` in epoch ms); every request log carries its
 * request id. Writes are buffered (4 KiB, flushed at least every 250 ms and on exit) so the
 * access log does not cost a write syscall per request.
 */
export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  if (level === "silent") return pino({ level });
  const dest = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  const timer = setInterval(() => dest.flush(), 250);
  timer.unref();
  return pino({ level, base: { service: "feed-api", ...base } }, dest);
}

/** Flush buffered log lines (before process.exit). */
export function flushLogger(logger: Logger): void {
  try {
    logger.flush();
  } catch {
    /* destination not ready or closed */
  }
}
