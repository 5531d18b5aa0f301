// Text layout shared by the plan and the diff: a width cap, word wrapping that never cuts a word
// off (a word longer than the line is broken across lines), short type names, warning lines.

/** The widest line the plan and the diff print, whatever the terminal's width. */
export const MAX_WIDTH = 120;

/** The width to print at: the terminal's (`fallback` when not a terminal), at most MAX_WIDTH. */
export function outputWidth(columns: number | undefined, fallback: number): number {
  return Math.min(columns || fallback, MAX_WIDTH);
}

/** Word-wraps `text` into lines of at most `width` columns; `first`/`rest` prefix the lines. */
export function wrap(text: string, width: number, first = "", rest = "  "): string[] {
  const out: string[] = [];
  let line = first;
  const blank = () => line.trim().length === 0;
  for (const word of text.split(" ")) {
    const candidate = blank() ? `${line}${word}` : `${line} ${word}`;
    if (candidate.length <= width) {
      line = candidate;
      continue;
    }
    if (!blank()) {
      out.push(line);
      line = rest;
    }
    // a word wider than a line is broken, never shortened
    let rem = word;
    while (line.length + rem.length > width && width - line.length > 0) {
      const room = width - line.length;
      out.push(`${line}${rem.slice(0, room)}`);
      rem = rem.slice(room);
      line = rest;
    }
    line = `${line}${rem}`;
  }
  if (!blank()) out.push(line);
  return out;
}

/**
 * A type token as the SDKs spell it, to keep rows narrow: aws:s3/bucketPolicy:BucketPolicy →
 * aws.s3.BucketPolicy, random:index/randomPassword:RandomPassword → random.RandomPassword,
 * pulumi:providers:aws → aws.Provider. Component types keep their last segment.
 */
export function shortType(type: string): string {
  const [pkg, mod, name] = type.split(":");
  if (pkg === "pulumi" && mod === "providers") return `${name}.Provider`;
  if (name === undefined) return type;
  const module = mod.split("/")[0];
  return module === "index" ? `${pkg}.${name}` : `${pkg}.${module}.${name}`;
}

/** The Topology's warnings (stack output `warnings`), one wrapped paragraph each. */
export function warningLines(warnings: readonly string[], width: number): string[] {
  return warnings.flatMap((w) => wrap(`warning: ${w}`, width, "", "         "));
}

/** `cells` joined with one space, each padded to its column's width (the last one is not). */
export function row(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => (i < cells.length - 1 ? c.padEnd(widths[i] ?? 0) : c)).join(" ").trimEnd();
}
