/**
 * Coalesces the loads requested during one event-loop turn into one `loadMany` call (chunks of
 * `maxBatch`), and concurrent loads of the same key into one: a burst of cache misses (a cold
 * cache, many entries expiring together) costs one SQL statement instead of one per request.
 * Dispatched with setImmediate, like ioredis' auto-pipelining: everything the turn's I/O callbacks
 * asked for is in the batch, and a lone load waits no longer than the rest of the turn.
 */
export class TurnBatch<V> {
  private queue: Map<string, Waiter<V>> | null = null;

  constructor(
    private readonly loadMany: (keys: string[]) => Promise<Map<string, V>>,
    private readonly maxBatch = 100,
  ) {}

  /** The value for `key`, or undefined when `loadMany` did not return it. */
  load(key: string): Promise<V | undefined> {
    let q = this.queue;
    if (q === null) {
      q = this.queue = new Map();
      setImmediate(() => this.dispatch());
    }
    let w = q.get(key);
    if (!w) {
      w = new Waiter<V>();
      q.set(key, w);
    }
    return w.promise;
  }

  private dispatch(): void {
    const q = this.queue;
    this.queue = null;
    if (!q) return;
    const keys = [...q.keys()];
    for (let i = 0; i < keys.length; i += this.maxBatch) {
      const chunk = keys.slice(i, i + this.maxBatch);
      let loading: Promise<Map<string, V>>;
      try {
        loading = this.loadMany(chunk);
      } catch (e) {
        loading = Promise.reject(e);
      }
      loading.then(
        (found) => {
          for (const k of chunk) q.get(k)!.resolve(found.get(k));
        },
        (err: unknown) => {
          for (const k of chunk) q.get(k)!.reject(err);
        },
      );
    }
  }
}

class Waiter<V> {
  readonly promise: Promise<V | undefined>;
  resolve!: (v: V | undefined) => void;
  reject!: (e: unknown) => void;
  constructor() {
    this.promise = new Promise<V | undefined>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }
}
