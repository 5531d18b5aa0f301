// Snowflake-like 64-bit ids, time-ordered, unique across sites and nodes without coordination
// (active-active writes never collide, no auto-increment keys):
//
//   0 | 41 bits ms since 2024-01-01 | 3 bits site | 14 bits node | 5 bits sequence
//
// 14 node bits let an instance derive its node id from its private IP without coordination: on
// AWS it is the address's offset inside the site's app-tier block (a /18 of the site's /16, see
// infra/aws/user-data.ts), unique among running instances of the site. 5 sequence bits give
// 32 ids per ms per process; beyond that the generator borrows the next ms.
//
// Always signed-positive (bit 63 is 0), so they fit BIGINT and sort like creation time.
// In JSON they are strings (2^63 > Number.MAX_SAFE_INTEGER).

export const ID_EPOCH_MS = Date.UTC(2024, 0, 1);
const SITE_BITS = 3n;
const NODE_BITS = 14n;
const SEQ_BITS = 5n;
export const MAX_SITE = (1 << Number(SITE_BITS)) - 1;
export const MAX_NODE = (1 << Number(NODE_BITS)) - 1;
const MAX_SEQ = (1 << Number(SEQ_BITS)) - 1;

export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

export class IdGenerator {
  private lastMs = -1;
  private seq = 0;

  constructor(
    readonly siteId: number,
    readonly nodeId: number,
    private readonly clock: Clock = systemClock,
  ) {
    if (!Number.isInteger(siteId) || siteId < 0 || siteId > MAX_SITE) throw new Error(`siteId must be 0..${MAX_SITE}, got ${siteId}`);
    if (!Number.isInteger(nodeId) || nodeId < 0 || nodeId > MAX_NODE) throw new Error(`nodeId must be 0..${MAX_NODE}, got ${nodeId}`);
  }

  nextBigInt(): bigint {
    // Never go backwards, even if the wall clock does (NTP step): keep using the last ms.
    let ms = Math.max(this.clock.now() - ID_EPOCH_MS, this.lastMs);
    if (ms === this.lastMs) {
      this.seq++;
      if (this.seq > MAX_SEQ) {
        // 32 ids in one ms: borrow the next ms (the clock catches up quickly).
        ms = this.lastMs + 1;
        this.seq = 0;
      }
    } else {
      this.seq = 0;
    }
    this.lastMs = ms;
    return (BigInt(ms) << (SITE_BITS + NODE_BITS + SEQ_BITS)) | (BigInt(this.siteId) << (NODE_BITS + SEQ_BITS)) | (BigInt(this.nodeId) << SEQ_BITS) | BigInt(this.seq);
  }

  next(): string {
    return this.nextBigInt().toString();
  }
}

export interface DecodedId {
  timestampMs: number;
  siteId: number;
  nodeId: number;
  sequence: number;
}

export function decodeId(id: string | bigint): DecodedId {
  const v = BigInt(id);
  return {
    timestampMs: Number(v >> (SITE_BITS + NODE_BITS + SEQ_BITS)) + ID_EPOCH_MS,
    siteId: Number((v >> (NODE_BITS + SEQ_BITS)) & BigInt(MAX_SITE)),
    nodeId: Number((v >> SEQ_BITS) & BigInt(MAX_NODE)),
    sequence: Number(v & BigInt(MAX_SEQ)),
  };
}

const MAX_ID = (1n << 63n) - 1n;
/** A decimal id string that fits a positive signed BIGINT. */
export function isValidId(s: string): boolean {
  if (!/^[1-9][0-9]{0,18}$/.test(s)) return false;
  return BigInt(s) <= MAX_ID;
}
