import type { Counter, Histogram, LabelValues } from "prom-client";

// Metric series for the request hot path: updates go into plain numbers, and are handed to
// prom-client when the metric is read (a /metrics scrape, `counterValue()`), through the metric's
// `collect` hook, so every read is exact. prom-client's own inc()/observe() re-validate and
// re-hash the label set on every call (~0.7 µs a counter, ~1.5-3 µs a histogram observation);
// a few of them per request add up.

type Flush = () => void;
const flushesByMetric = new WeakMap<object, Flush[]>();

/** Runs `flush` before every read of `metric` (chained in front of any collect hook it has). */
function onCollect(metric: object, flush: Flush): void {
  let list = flushesByMetric.get(metric);
  if (!list) {
    const flushes: Flush[] = (list = []);
    flushesByMetric.set(metric, flushes);
    const m = metric as { collect?: () => unknown };
    const previous = m.collect;
    m.collect = function (this: unknown) {
      for (const f of flushes) f();
      return previous?.call(this);
    };
  }
  list.push(flush);
}

export interface BufferedCounter {
  inc(n?: number): void;
}

export function bufferedCounter<T extends string>(metric: Counter<T>, labels: LabelValues<T>): BufferedCounter {
  const child = metric.labels(labels);
  let pending = 0;
  onCollect(metric, () => {
    if (pending > 0) {
      child.inc(pending);
      pending = 0;
    }
  });
  return {
    inc(n = 1) {
      pending += n;
    },
  };
}

export interface BufferedHistogram {
  observe(value: number): void;
}

/** prom-client 15's per-label-set histogram state (`hashMap` values), added to at flush. */
interface HistogramEntry {
  labels: Record<string, unknown>;
  bucketValues: Record<number, number>;
  sum: number;
  count: number;
}
interface HistogramInternals {
  upperBounds?: unknown;
  hashMap?: Record<string, HistogramEntry>;
}

function findEntry(h: HistogramInternals, labels: Record<string, unknown>): HistogramEntry | undefined {
  for (const e of Object.values(h.hashMap ?? {})) {
    if (e && e.labels && Object.keys(labels).every((k) => String(e.labels[k]) === String(labels[k]))) return e;
  }
  return undefined;
}

function usable(e: HistogramEntry | undefined, bounds: number[]): e is HistogramEntry {
  return !!e && typeof e.sum === "number" && typeof e.count === "number" && !!e.bucketValues && bounds.every((b) => typeof e.bucketValues[b] === "number");
}

/**
 * A histogram series counted into its buckets locally (same rule as prom-client: the first bucket
 * whose bound is >= the value; above the last bound only count and sum) and added to
 * prom-client's state for the label set at read time. Falls back to plain `observe()` unless the
 * histogram's state has the shape this relies on.
 */
export function bufferedHistogram<T extends string>(metric: Histogram<T>, labels: LabelValues<T>): BufferedHistogram {
  const child = metric.labels(labels);
  const h = metric as unknown as HistogramInternals;
  const bounds = Array.isArray(h.upperBounds) && h.upperBounds.every((b) => typeof b === "number") ? (h.upperBounds as number[]) : null;
  const entry = () => {
    let e = findEntry(h, labels);
    if (!e) {
      metric.zero(labels);
      e = findEntry(h, labels);
    }
    return e;
  };
  if (!bounds || !usable(entry(), bounds)) return child;

  const counts = new Float64Array(bounds.length);
  let sum = 0;
  let count = 0;
  onCollect(metric, () => {
    if (count === 0) return;
    const e = entry(); // looked up each time: reset() replaces the state
    if (usable(e, bounds)) {
      for (let i = 0; i < bounds.length; i++) if (counts[i] > 0) e.bucketValues[bounds[i]] += counts[i];
      e.sum += sum;
      e.count += count;
    }
    counts.fill(0);
    sum = 0;
    count = 0;
  });
  return {
    observe(value: number) {
      let i = 0;
      while (i < bounds.length && value > bounds[i]) i++;
      if (i < bounds.length) counts[i]++;
      sum += value;
      count++;
    },
  };
}
