// The 5-field Unix cron syntax EC2 Auto Scaling takes for a scheduled action's `recurrence`
// (minute hour day-of-month month day-of-week, in UTC unless the action sets a time zone).
// Checked field by field, so "99 99 99 99 99" is refused before it reaches the API.

interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** names accepted instead of numbers (JAN = 1, SUN = 0) */
  readonly names?: readonly string[];
}

const FIELDS: readonly CronField[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] },
  { name: "day of week", min: 0, max: 6, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] },
];

export const CRON_SYNTAX = "5 fields: minute 0-59, hour 0-23, day of month 1-31, month 1-12 or JAN-DEC, day of week 0-6 or SUN-SAT; each *, N, N-M, */S or N-M/S, or a comma list of those; in UTC";

/** Every problem with a cron expression, one per offending field; empty when it is valid. */
export function cronProblems(expression: string): string[] {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== FIELDS.length) return [`has ${parts.length} field${parts.length === 1 ? "" : "s"}, not ${FIELDS.length}`];
  return parts.flatMap((part, i) => {
    const problem = fieldProblem(part, FIELDS[i]);
    return problem ? [`${FIELDS[i].name} "${part}" ${problem}`] : [];
  });
}

function fieldProblem(text: string, field: CronField): string | undefined {
  for (const item of text.split(",")) {
    const m = /^(\*|([A-Za-z0-9]+)(?:-([A-Za-z0-9]+))?)(?:\/(\d+))?$/.exec(item);
    if (!m) return `is not cron syntax`;
    const [, whole, from, to, step] = m;
    if (step !== undefined && (Number(step) < 1 || Number(step) > field.max)) return `has step ${step} (allowed: 1..${field.max})`;
    if (whole === "*") continue;
    // N/S alone means "from N every S" in some crons only; keep to the portable N-M/S
    if (step !== undefined && to === undefined) return `has a step without a range (allowed: */S or N-M/S)`;
    const values = [from, to].filter((v): v is string => v !== undefined).map((v) => valueOf(v, field));
    for (const [j, v] of values.entries()) {
      if (v === undefined) return `has "${j === 0 ? from : to}", not a number${field.names ? " or name" : ""} (allowed: ${field.min}..${field.max}${field.names ? ` or ${field.names[0]}..${field.names[field.names.length - 1]}` : ""})`;
      if (v < field.min || v > field.max) return `is outside ${field.min}..${field.max}`;
    }
    if (values.length === 2 && values[0]! > values[1]!) return `has a range that runs backwards`;
  }
  return undefined;
}

function valueOf(text: string, field: CronField): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const named = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named < 0) return undefined;
  return field.min + named;
}
