import type { Redis } from "../cache/redis";
import { BUILDING, pad, recentKey, SENTINEL } from "./list-encoding";
import { PULL_NONE } from "./pull";

// A warm feed page's ids in one Redis round trip: one read-only script pages the reader's feed list
// and the recent-posts list of every followee the reader pulls (celebrities), merges them newest
// first, and returns the page's ids (one comma-separated string) and the read-your-writes marker.
// The bodies are one MGET after it (PostCache): fetched inside the script they cost Redis several
// times a plain MGET (each value converted to a Lua string and back).
//
// A list that does not reach back to its first post (no sentinel in what was read: capped, or
// being rebuilt) is exact only down to the last id it returned: ids below that "floor" may be
// missing from it. The merged page is served from Redis only when it fills up above the floor, or
// when every list reached its sentinel; otherwise the page is read from MySQL.
//
// The script builds the recent-posts keys from ids it reads (not all keys are in KEYS):
// this needs a single-shard Redis (cluster mode disabled), which is what infra/aws/cache.ts runs.

const LUA = `
local n = tonumber(ARGV[2]) + 1
local ryw = redis.call('EXISTS', KEYS[2])
if redis.call('EXISTS', KEYS[1]) == 0 then return {0, ryw} end
local pulled = redis.call('SMEMBERS', KEYS[3])
if #pulled == 0 then return {0, ryw} end
local lists, missing = {KEYS[1]}, {}
for _, a in ipairs(pulled) do
  if a ~= ARGV[4] then
    local k = ARGV[3] .. a
    if redis.call('EXISTS', k) == 1 then lists[#lists + 1] = k else missing[#missing + 1] = a end
  end
end
if #missing > 0 then return {2, ryw, missing} end
-- Each list's ids below the cursor, newest first (ZRANGE REV), and the floor. The sentinel and the
-- BUILDING marker (ARGV[6]) sort below every real id, so they can only end a range: trimmed off its
-- end instead of copying the real ids into another table (that copy was a fifth of the script).
local floor = nil
local arrs, pos, last = {}, {}, {}
for j, k in ipairs(lists) do
  local a = redis.call('ZRANGE', k, ARGV[1], '-', 'BYLEX', 'REV', 'LIMIT', 0, n + 1)
  local e, complete = #a, false
  while e > 0 and a[e] <= ARGV[6] do
    if a[e] == ARGV[5] then complete = true end
    e = e - 1
  end
  if not complete then
    local f = a[e] or '~'
    if floor == nil or f > floor then floor = f end
  end
  arrs[j], pos[j], last[j] = a, 1, e
end
-- One list (the reader pulls nobody): its first n ids, every one above its own floor.
if #arrs == 1 then
  local e = last[1]
  if e > n then e = n end
  if e < n and floor ~= nil then return {3, ryw} end
  return {1, ryw, table.concat(arrs[1], ',', 1, e)}
end
-- k-way merge of the sorted lists, duplicates dropped (a post can be both pushed and pulled); no
-- table.sort: its comparator calls cost more than the rest of the script.
local out, count, prev = {}, 0, nil
local k = #arrs
while count < n do
  local best, bj = nil, 0
  for j = 1, k do
    local p = pos[j]
    if p <= last[j] then
      local v = arrs[j][p]
      if best == nil or v > best then best, bj = v, j end
    end
  end
  if best == nil or (floor ~= nil and best < floor) then break end
  pos[bj] = pos[bj] + 1
  if best ~= prev then count = count + 1; out[count] = best; prev = best end
end
if count < n and floor ~= nil then return {3, ryw} end
return {1, ryw, table.concat(out, ',')}`;

export type PageScriptResult =
  /** The feed list or the pull set is missing: rebuild. */
  | { kind: "no-list"; ryw: boolean }
  /** These pulled authors' recent-posts lists are missing: rebuild them. */
  | { kind: "no-recent"; ryw: boolean; authors: string[] }
  /** The cached lists do not cover this page: read it from MySQL. */
  | { kind: "not-cached"; ryw: boolean }
  /** Up to limit+1 ids, newest first, as the script joined them (padded, comma-separated): pageIdsOf(raw). */
  | { kind: "page"; ryw: boolean; raw: string };

type Reply = [number, number, unknown?];
const COMMAND = "feedPage";

const unpadded = (m: string): string => {
  let i = 0;
  while (i < m.length - 1 && m.charCodeAt(i) === 48) i++;
  return i === 0 ? m : m.slice(i);
};

/** A page reply's ids, unpadded. */
export function pageIdsOf(raw: string): string[] {
  return raw === "" ? [] : raw.split(",").map(unpadded);
}

/** Registers the script on a client (EVALSHA, loaded on first use); idempotent. */
export function definePageScript(redis: Redis): void {
  if (typeof (redis as unknown as Record<string, unknown>)[COMMAND] !== "function") redis.defineCommand(COMMAND, { numberOfKeys: 3, lua: LUA });
}

export async function runPageScript(redis: Redis, keys: { feed: string; ryw: string; pull: string }, cursor: string | null, limit: number): Promise<PageScriptResult> {
  const max = cursor ? "(" + pad(cursor) : "+";
  const run = (redis as unknown as Record<string, (...a: unknown[]) => Promise<Reply>>)[COMMAND];
  const r = await run.call(redis, keys.feed, keys.ryw, keys.pull, max, limit, recentKey(""), PULL_NONE, SENTINEL, BUILDING);
  const ryw = r[1] === 1;
  switch (r[0]) {
    case 0:
      return { kind: "no-list", ryw };
    case 2:
      return { kind: "no-recent", ryw, authors: r[2] as string[] };
    case 3:
      return { kind: "not-cached", ryw };
    case 1:
      return { kind: "page", ryw, raw: r[2] as string };
    default:
      throw new Error(`feed page script: unexpected reply ${JSON.stringify(r)}`);
  }
}
