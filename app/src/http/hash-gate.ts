// A cap on concurrent password hashes (scrypt runs on libuv's small thread pool): at most `total`
// in flight, and at most `perClient` for one client address, so one address's flood cannot take
// every slot. Over the cap the caller answers 429 at once instead of queueing: a queue would turn
// a flood into seconds of latency for everyone's login.

export class HashGate {
  private inFlight = 0;
  private readonly byClient = new Map<string, number>();

  constructor(
    readonly total: number,
    readonly perClient: number,
  ) {}

  /** A release function when a slot is free for this client, else null (answer 429). */
  tryEnter(client: string): (() => void) | null {
    const mine = this.byClient.get(client) ?? 0;
    if (this.inFlight >= this.total || mine >= this.perClient) return null;
    this.inFlight++;
    this.byClient.set(client, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight--;
      const left = (this.byClient.get(client) ?? 1) - 1;
      if (left > 0) this.byClient.set(client, left);
      else this.byClient.delete(client);
    };
  }

  get busy(): number {
    return this.inFlight;
  }
}
