import { LocalCache } from "../cache/local";

// The feed pages this process rendered last, per reader, cursor and limit, served again while they
// are still exactly the page: the page script runs on every read (so a new post, a follow, a
// rebuilt list or read-your-writes are seen at once, as without this), and a remembered page is
// sent only when the script returned the same ids and every author's view is still the same bytes
// in the profile near-cache. Posts never change, so the same ids are the same post bytes. What it
// saves: splitting the ids, 20 post lookups, the authors' ids, and allocating and copying the
// ~6.5 KB response (a third of the page's garbage).

/** Larger pages (long posts, big limits) are not kept: FEED_PAGE_MEMO_ENTRIES × this bounds the memory. */
export const MAX_KEPT_PAGE_BYTES = 16 * 1024;

export interface RenderedPage {
  /** the page script's reply (its ids, joined) */
  raw: string;
  /** the page's distinct authors and the view bytes it was rendered with */
  authorIds: string[];
  authorViews: Buffer[];
  body: Buffer;
}

export class RenderedPages {
  private readonly pages: LocalCache<RenderedPage>;

  constructor(maxEntries: number) {
    this.pages = LocalCache.unexpiring<RenderedPage>(maxEntries);
  }

  static key(userId: string, cursor: string | null, limit: number): string {
    return `${userId}:${cursor ?? ""}:${limit}`;
  }

  /** The remembered body, if it is still the page: same ids, and `view` (the near-cached author bytes, undefined when not held) gives every author the same Buffer. */
  get(key: string, raw: string, view: (authorId: string) => Buffer | undefined): Buffer | undefined {
    const p = this.pages.get(key);
    if (p === undefined || p.raw !== raw) return undefined;
    for (let i = 0; i < p.authorIds.length; i++) if (view(p.authorIds[i]) !== p.authorViews[i]) return undefined;
    return p.body;
  }

  set(key: string, page: RenderedPage): void {
    if (page.body.length <= MAX_KEPT_PAGE_BYTES) this.pages.set(key, page);
  }
}
