// The feed page's second round trip, saved when a reader re-reads a page that has not changed
// (polling clients, refreshes): this process remembers the ids each (reader, cursor, limit) page
// had last time, and the page read sends the MGET of those ids' bodies in the same round trip as
// the page script. The script's answer decides: the same ids → the bodies are already here; other
// ids → that MGET is dropped and the real one sent (the round trip the page costs anyway). So
// nothing is ever served from the guess that the page script does not confirm: freshness,
// read-your-writes and the celebrity merge are the script's, as before.

export class PageGuesses {
  private readonly last = new Map<string, string[]>();

  constructor(private readonly maxEntries = 10_000) {}

  key(userId: string, cursor: string | null, limit: number): string {
    return `${userId}:${cursor ?? ""}:${limit}`;
  }

  get(key: string): string[] | undefined {
    return this.last.get(key);
  }

  set(key: string, ids: string[]): void {
    if (this.last.size >= this.maxEntries && !this.last.has(key)) this.last.clear(); // bounded; a guess is only a hint
    this.last.set(key, ids);
  }
}

export function sameIds(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
