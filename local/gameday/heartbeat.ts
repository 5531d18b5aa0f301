// Long waits (a detection, a restore, 60 s of waiting for error-free answers) must not leave the
// terminal silent: a progress function wrapped here prints "… <phase> (N s)" whenever nothing
// was printed for `everyMs`.

export type Progress = (line: string) => void;

export interface Heartbeat {
  progress: Progress;
  /** what is being waited for now (a function is asked again at every beat: live figures) */
  phase(what: string | (() => string)): void;
  stop(): void;
}

export function heartbeat(progress: Progress, everyMs = 5000, indent = "  "): Heartbeat {
  let last = Date.now();
  let since = Date.now();
  let what: string | (() => string) = "working";
  const out: Progress = (line) => {
    last = Date.now();
    progress(line);
  };
  const timer = setInterval(() => {
    if (Date.now() - last < everyMs) return;
    const text = typeof what === "function" ? what() : what;
    out(`${indent}… ${text} (${Math.round((Date.now() - since) / 1000)} s)`);
  }, Math.max(10, Math.min(1000, everyMs / 5)));
  timer.unref();
  return {
    progress: out,
    phase(w) {
      what = w;
      since = Date.now();
    },
    stop: () => clearInterval(timer),
  };
}
