import type { Redis } from "../cache/redis";

/**
 * Read-your-writes: after a user writes, that user's reads (and reads of that user's profile) go
 * to the primary for `windowSeconds`, so replica lag never shows them stale data. Recorded in Redis
 * (`ryw:{userId}`, with a TTL) so every instance behind the load balancer sees it, and in process
 * memory so it still holds on this instance when Redis is down.
 */
export class ReadYourWrites {
  private readonly local = new Map<string, number>();

  constructor(
    private readonly redis: Redis,
    private readonly windowSeconds: number,
    private readonly now: () => number,
  ) {}

  get enabled(): boolean {
    return this.windowSeconds > 0;
  }

  key(userId: string): string {
    return `ryw:${userId}`;
  }

  /** This instance's memory only (no Redis call). */
  localUsePrimary(userId: string): boolean {
    if (this.windowSeconds <= 0) return false;
    const until = this.local.get(userId);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.local.delete(userId);
    return false;
  }

  async markWrite(userId: string): Promise<void> {
    if (this.windowSeconds <= 0) return;
    this.local.set(userId, this.now() + this.windowSeconds * 1000);
    if (this.local.size > 10_000) this.sweep();
    await this.redis.set(`ryw:${userId}`, "1", "EX", this.windowSeconds).catch(() => undefined);
  }

  async usePrimary(userId: string): Promise<boolean> {
    if (this.windowSeconds <= 0) return false;
    const until = this.local.get(userId);
    if (until !== undefined) {
      if (until > this.now()) return true;
      this.local.delete(userId);
    }
    try {
      return (await this.redis.exists(`ryw:${userId}`)) === 1;
    } catch {
      return false;
    }
  }

  private sweep(): void {
    const now = this.now();
    for (const [k, until] of this.local) if (until <= now) this.local.delete(k);
  }
}
