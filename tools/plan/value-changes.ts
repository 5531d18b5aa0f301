// What changed inside an updated resource's inputs, down to scalars: `minSize` 1 → 3,
// `failoverRoutingPolicies[0].type` SECONDARY → PRIMARY. Objects and arrays are walked; a string
// holding JSON (a dashboard body, a policy) is walked as JSON. Secret inputs say only that they
// changed: the plan holds their values unwrapped, the diff must not print them.

export interface ValueChange {
  /** input path: key, key.sub, key[0].sub */
  readonly path: string;
  /** the old and new value (scalars; small objects when one side is absent); absent when secret */
  readonly before?: unknown;
  readonly after?: unknown;
  /** a secret input: changed, values not shown */
  readonly secret?: true;
  /** this many further nested changes under `path`, not listed */
  readonly more?: number;
}

/** Nested changes listed per top-level key; the rest are counted. */
const PER_KEY = 6;
const SECRET = /password|secret|token|privatekey/i;

/** The changes under each of `keys` (top-level input keys known to differ). */
export function valueChanges(before: Record<string, unknown>, after: Record<string, unknown>, keys: readonly string[]): ValueChange[] {
  return keys.flatMap((key) => {
    if (SECRET.test(key)) return [{ path: key, secret: true as const }];
    const leaves = diffValues(key, before[key], after[key]);
    if (leaves.length <= PER_KEY) return leaves;
    return [...leaves.slice(0, PER_KEY - 1), { path: key, more: leaves.length - (PER_KEY - 1) }];
  });
}

function diffValues(path: string, a: unknown, b: unknown): ValueChange[] {
  if (same(a, b)) return [];
  const ja = parsedJson(a);
  const jb = parsedJson(b);
  if (ja !== undefined && jb !== undefined) return diffValues(path, ja, jb);
  if (Array.isArray(a) && Array.isArray(b)) {
    return Array.from({ length: Math.max(a.length, b.length) }, (_, i) => diffValues(`${path}[${i}]`, a[i], b[i])).flat();
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => (SECRET.test(k) ? (same(a[k], b[k]) ? [] : [{ path: `${path}.${k}`, secret: true as const }]) : diffValues(`${path}.${k}`, a[k], b[k])));
  }
  return [{ path, ...(a !== undefined ? { before: a } : {}), ...(b !== undefined ? { after: b } : {}) }];
}

function parsedJson(v: unknown): unknown {
  if (typeof v !== "string" || !/^\s*[[{]/.test(v)) return undefined;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
/** Equal as data: objects compare whatever their key order. */
const same = (a: unknown, b: unknown) => sorted(a) === sorted(b);
const sorted = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (isObject(x) ? Object.fromEntries(Object.entries(x).sort(([p], [q]) => p.localeCompare(q))) : x));

/** A value in a diff line: bare when it reads unambiguously, else JSON; long ones by size. */
export function showValue(v: unknown): string {
  if (v === undefined) return "(none)";
  if (typeof v === "string") {
    // ARNs and host names are worth reading; scripts and documents are not
    if (v.length > 100 || v.includes("\n")) return `(text, ${v.length} chars)`;
    return /^[\w.:/@*+=,-]+$/.test(v) ? v : JSON.stringify(v);
  }
  const s = JSON.stringify(v);
  if (s.length <= 48) return s;
  return Array.isArray(v) ? `[${v.length} items]` : `{${Object.keys(v as object).length} keys}`;
}
