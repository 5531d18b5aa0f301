// The encoding of a user's cached feed list in Redis, shared by the feed reader (feed/service.ts),
// the fan-out worker (queue/fanout.ts) and follow/unfollow (users/service.ts). A leaf module: it
// imports nothing, so none of those modules has to import another for it.
//
// `feed:{userId}` is a sorted set of post ids, all with score 0 and each member the id zero-padded
// to 20 digits, so lexicographic order is id order is time order (ids are time-ordered) and
// `ZRANGE ... BYLEX REV LIMIT` pages it by cursor. A sentinel member ("0"*20) means "the list
// reaches back to the first post"; capping (ZREMRANGEBYRANK) drops it with the oldest ids, and a
// page that runs past the cached ids is read from MySQL. The key always has a TTL; the worker only
// adds to lists that exist (Lua), so it never creates a key without one.

export const feedKey = (userId: string) => `feed:${userId}`;

export const pad = (id: string) => id.padStart(20, "0");
export const unpad = (member: string) => member.replace(/^0+/, "");

/** "The list reaches back to the first post." */
export const SENTINEL = pad("0");
/** "Being rebuilt" marker: sorts between the sentinel and every real id; never returned. */
export const BUILDING = SENTINEL + "~";

/**
 * Fan-out: add post ids (ARGV[2..], padded) to a feed list only if the list exists (keeps its TTL),
 * then cap it at ARGV[1]. One call per list for a whole batch of posts.
 */
export const FANOUT_LUA = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 0, ARGV[i]) end
  local n = redis.call('ZCARD', KEYS[1])
  local cap = tonumber(ARGV[1])
  if n > cap then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - cap - 1) end
  return 1
end
return 0`;

/**
 * The followees a reader pulls at read time (authors with more than CELEBRITY_FOLLOWERS followers,
 * whom the fan-out does not push): a set built and dropped with the reader's feed list.
 */
export const pullKey = (userId: string) => `feed:${userId}:pull`;

/** An author's newest post ids, encoded like a feed list; what readers pull from celebrities. */
export const recentKey = (authorId: string) => `recent:${authorId}`;
