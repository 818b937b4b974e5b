import { parseArgs, type ParseArgsConfig } from "node:util";

/**
 * The one pattern of this repository's command lines: a pure `parse` (argv in, a command out, or a
 * UsageError thrown), one function per command, and `runCli`, the only place that prints errors, handles
 * Ctrl-C and sets the exit status. Helpers throw; only the runner exits.
 */

/** A mistake of the person at the keyboard: the runner prints its message as one line and exits 2, never a stack. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** What `parse` returns for `--help`: the runner prints the usage and exits 0. */
export const HELP = { help: true } as const;
export type Help = typeof HELP;

export interface CommandLine<C> {
  /** How the user starts it, for the hint after a usage error: `npm run local --`. */
  invocation: string;
  usage: string;
  /** Pure: argv in, a command (or HELP) out; throws UsageError. */
  parse(argv: readonly string[]): C | Help;
  /** Runs one command; returns the exit status. `signal` aborts on the first Ctrl-C. */
  run(command: C, signal: AbortSignal): Promise<number>;
}

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  onInterrupt: (handler: () => void) => () => void;
}

const processIo: CliIo = {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
  onInterrupt: (handler) => {
    process.on("SIGINT", handler);
    return () => process.off("SIGINT", handler);
  },
};

/**
 * Parses argv and runs the command. Exit status: the command's own; 0 for `--help`; 2 for a UsageError
 * (one line and a hint, no stack); 1 for any other error (its message, no stack); 130 on a second Ctrl-C.
 */
export async function runCli<C>(cli: CommandLine<C>, argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const hint = `(${cli.invocation} --help for usage)`;
  let command: C | Help;
  try {
    command = cli.parse(argv);
  } catch (error) {
    return reportError(error, io, hint);
  }
  if (command === HELP) {
    io.out(cli.usage);
    return 0;
  }
  const controller = new AbortController();
  const stopListening = io.onInterrupt(() => {
    if (controller.signal.aborted) process.exit(130); // a second Ctrl-C: stop now
    io.err("\nstopping (Ctrl-C again to stop at once)...");
    controller.abort();
  });
  try {
    return await cli.run(command as C, controller.signal);
  } catch (error) {
    return reportError(error, io, hint);
  } finally {
    stopListening();
  }
}

function reportError(error: unknown, io: CliIo, hint: string): number {
  if (error instanceof UsageError) {
    io.err(`${error.message} ${hint}`);
    return 2;
  }
  io.err(`error: ${error instanceof Error ? error.message : String(error)}`);
  return 1;
}

/** `runCli` for a script's entry point: sets the process's exit status. */
export async function main<C>(cli: CommandLine<C>): Promise<void> {
  process.exitCode = await runCli(cli, process.argv.slice(2));
}

/** node:util parseArgs over the given argv; a malformed command line is a UsageError. */
export function parseOptions<T extends Omit<ParseArgsConfig, "args">>(argv: readonly string[], config: T) {
  try {
    return parseArgs({ ...config, args: [...argv] } as T & { args: string[] });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** A whole number option, at least `min`. */
export function wholeNumber(value: string | undefined, name: string, min = 0): number {
  const parsed = Number(value);
  if (value === undefined || value.trim() === "" || !Number.isInteger(parsed) || parsed < min) {
    throw new UsageError(`--${name} must be a whole number >= ${min}`);
  }
  return parsed;
}

/** An ISO date-time option. */
export function dateTime(value: string, name: string): Date {
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) throw new UsageError(`--${name} must be an ISO date-time`);
  return parsed;
}
