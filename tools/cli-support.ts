import { parseArgs, type ParseArgsConfig } from "node:util";
import { ConfigError } from "../infra/config/errors";
import { StackFileError } from "../infra/config/stack-file";

// What the offline CLIs share: user mistakes (bad arguments, a missing or broken stack file, bad
// stack config) print one clear message and exit 2; only a defect in the program prints a trace.

/** A mistake in how the CLI was called (an unreadable --config file, a bad --format, ...). */
export class UsageError extends Error {
  override name = "UsageError";
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * parseArgs with `--help` added: prints `usage` and exits 0. parseArgs' own errors (unknown
 * option, missing value, stray argument) become UsageErrors carrying its message.
 */
function parseWithHelp<O extends Options, P extends boolean>(options: O, usage: string, args: string[], allowPositionals: P) {
  const config = { args, options: { ...options, help: { type: "boolean", short: "h" } } as O & { help: { type: "boolean"; short: "h" } }, strict: true as const, allowPositionals };
  let parsed: ReturnType<typeof parseArgs<typeof config>>;
  try {
    parsed = parseArgs(config);
  } catch (e) {
    if (typeof (e as { code?: unknown }).code === "string" && (e as { code: string }).code.startsWith("ERR_PARSE_ARGS_")) throw new UsageError((e as Error).message);
    throw e;
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(usage);
    process.exit(0);
  }
  return parsed;
}

/** Options only: a stray argument is a UsageError. */
export function parseCliArgs<O extends Options>(options: O, usage: string, args = process.argv.slice(2)) {
  return parseWithHelp(options, usage, args, false as const).values;
}

/** Options and positional arguments (a command's subject, e.g. the game-day scenario). */
export function parseCliCommand<O extends Options>(options: O, usage: string, args = process.argv.slice(2)) {
  const parsed = parseWithHelp(options, usage, args, true as const);
  return { values: parsed.values, positionals: parsed.positionals };
}

/** Runs a CLI's main and exits with its code; user mistakes exit 2 with one message, no trace. */
export function runCli(command: string, main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      if (e instanceof ConfigError) {
        console.error(e.message);
        process.exit(2);
      }
      if (e instanceof UsageError || e instanceof StackFileError) {
        console.error(`${command}: ${e.message} (see --help)`);
        process.exit(2);
      }
      console.error(e);
      process.exit(1);
    },
  );
}
