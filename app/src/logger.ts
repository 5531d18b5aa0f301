import pino from "pino";

export type Logger = pino.Logger;

/** Loggers made by createLogger: pino's default line format, a plain destination stream. */
const plainLoggers = new WeakSet<Logger>();

/**
 * JSON logs on stdout, one object a line (`time` in epoch ms); every request log carries its
 * request id. Writes are buffered (the lines of an event-loop turn joined, then 4 KiB, flushed at
 * least every 250 ms and on exit) so the access log does not cost a write syscall per request.
 */
export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  if (level === "silent") return pino({ level });
  const dest = new LineBatch(pino.destination({ dest: 1, sync: false, minLength: 4096 }));
  const timer = setInterval(() => dest.flush(), 250);
  timer.unref();
  const logger = pino({ level, base: { service: "feed-api", ...base } }, dest);
  plainLoggers.add(logger);
  return logger;
}

type SonicBoom = ReturnType<typeof pino.destination>;

/** Batches holding lines not yet handed over (flushed at exit, before pino's own exit flush). */
const openBatches = new Set<LineBatch>();
let exitHook = false;

/**
 * In front of the (sonic-boom) destination: the lines logged during one event-loop turn are
 * joined and handed over as one write at the end of the turn. sonic-boom re-measures its pending
 * buffer (Buffer.byteLength over up to 16 KiB) on every write, which cost ~3 µs a line, as much
 * as rendering the line; once a turn it is noise. Its own buffering (minLength) is unchanged.
 */
class LineBatch {
  private pending = "";
  private scheduled = false;

  constructor(private readonly dest: SonicBoom) {
    if (!exitHook) {
      exitHook = true;
      // prepend: run before the destination's own exit hook (pino's flushSync), so nothing is left here
      process.prependListener("exit", () => {
        for (const b of openBatches) {
          try {
            b.flushSync();
          } catch {
            /* destination closed or broken: nothing more can be written */
          }
        }
      });
    }
  }

  write(line: string): boolean {
    this.pending += line;
    if (!this.scheduled) {
      this.scheduled = true;
      openBatches.add(this);
      setImmediate(() => this.handOver());
    }
    return true;
  }

  private handOver(): void {
    this.scheduled = false;
    openBatches.delete(this);
    if (this.pending === "") return;
    const s = this.pending;
    this.pending = "";
    this.dest.write(s);
  }

  flush(cb?: (err?: Error) => void): void {
    this.handOver();
    this.dest.flush(cb);
  }

  flushSync(): void {
    this.handOver();
    this.dest.flushSync();
  }

  end(): void {
    this.handOver();
    this.dest.end();
  }
}

/** Flush buffered log lines (before process.exit). */
export function flushLogger(logger: Logger): void {
  try {
    logger.flush();
  } catch {
    /* destination not ready or closed */
  }
}

/**
 * One access-log line (`msg: "request"`, info level). `fields` is the pre-rendered JSON of the
 * fields between `path` and `ms` (see accessLogFields), so a request only renders what varies.
 * `reqId`, `clientRequestId` and `method` must need no JSON escaping: request ids are generated,
 * a client's id is cut to [\w.:-] (http/instrument.ts), methods are HTTP tokens from Node's parser.
 */
export type AccessLog = (reqId: string, method: string, path: string, fields: AccessLogFields, ms: number, clientRequestId?: string) => void;

export interface AccessLogFields {
  route: string;
  status: number;
  /** `,"route":…,"status":…,"ms":` */
  json: string;
}

export function accessLogFields(route: string, status: number): AccessLogFields {
  return { route, status, json: `,"route":${JSON.stringify(route)},"status":${status},"ms":` };
}

const INFO = 30;

/**
 * The access log writer for `logger`: the same line `logger.info({ reqId, method, path, route,
 * status, ms }, "request")` writes, byte for byte, but rendered directly onto the logger's
 * destination (pino's generic object walk and string escaping cost ~10 µs a request, as much as
 * the rest of a cached profile read). Loggers not made by createLogger go through pino.
 */
export function accessLog(logger: Logger): AccessLog {
  if (!plainLoggers.has(logger)) {
    return (reqId, method, path, f, ms, clientRequestId) => {
      if (!logger.isLevelEnabled("info")) return;
      if (clientRequestId === undefined) logger.info({ reqId, method, path, route: f.route, status: f.status, ms }, "request");
      else logger.info({ reqId, clientRequestId, method, path, route: f.route, status: f.status, ms }, "request");
    };
  }
  const l = logger as unknown as Record<symbol, unknown>;
  const stream = l[pino.symbols.streamSym] as { write(line: string): unknown };
  const head = `{"level":${INFO},"time":`;
  return (reqId, method, path, f, ms, clientRequestId) => {
    if (logger.levelVal > INFO) return;
    const client = clientRequestId === undefined ? "" : `,"clientRequestId":"${clientRequestId}"`;
    stream.write(`${head}${Date.now()}${l[pino.symbols.chindingsSym] as string},"reqId":"${reqId}"${client},"method":"${method}","path":${JSON.stringify(path)}${f.json}${ms},"msg":"request"}\n`);
  };
}
