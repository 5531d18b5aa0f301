import type { Row } from "../db/pools";

export interface Post {
  id: string;
  authorId: string;
  text: string;
  mediaKey: string | null;
  createdAt: string;
}

export const POST_COLUMNS = "id, author_id, text, media_key, created_at";

export function toPost(r: Row): Post {
  return {
    id: String(r.id),
    authorId: String(r.author_id),
    text: String(r.text),
    mediaKey: r.media_key === null ? null : String(r.media_key),
    createdAt: (r.created_at as Date).toISOString(),
  };
}

/** The post's JSON as the API sends it and the post cache stores it (key order fixed). */
export function renderPost(p: Post): string {
  return JSON.stringify({ id: p.id, authorId: p.authorId, text: p.text, mediaKey: p.mediaKey, createdAt: p.createdAt });
}
