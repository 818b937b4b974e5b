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

/** What `parse` returns for `--help`: the runner prints the usage (the command's own when named) and exits 0. */
export interface Help {
  readonly help: true;
  /** `<command> --help`: the usage of that command only. */
  readonly command?: string;
}
export const HELP: Help = { help: true };
/** `--help` after a command name. */
export const helpFor = (command: string): Help => ({ help: true, command });
const isHelp = (value: unknown): value is Help =>
  typeof value === "object" && value !== null && (value as { help?: unknown }).help === true && !("name" in value);

export interface CommandLine<C> {
  /** How the user starts it, for the hint after a usage error: `npm run local --`. */
  invocation: string;
  usage: string;
  /** One command's usage, for `<command> --help` (the whole usage when absent or unknown). */
  usageOf?: (command: string) => string | undefined;
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
  if (isHelp(command)) {
    io.out((command.command !== undefined ? cli.usageOf?.(command.command) : undefined) ?? cli.usage);
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

/**
 * The one line for a mistake of the user's environment that node reports as an errno error: a port in use, a
 * file or directory given that is not there. Anything else is not the user's and keeps its own message (exit 1).
 */
function userMistakeOf(error: unknown): string | undefined {
  const { code, path, port, address } = (error ?? {}) as NodeJS.ErrnoException & { port?: number; address?: string };
  if (code === "EADDRINUSE") return `${address ?? "127.0.0.1"}:${port ?? "?"} is in use by another program: choose another port (--port N, or 0 for any free port)`;
  if (code === "ENOENT" && path) return `${path}: no such file or directory`;
  if ((code === "EACCES" || code === "EPERM") && path) return `${path}: permission denied`;
  if ((code === "ENOTDIR" || code === "EISDIR") && path) return `${path}: ${code === "ENOTDIR" ? "not a directory" : "is a directory, not a file"}`;
  return undefined;
}

function reportError(error: unknown, io: CliIo, hint: string): number {
  if (error instanceof UsageError) {
    io.err(`${error.message} ${hint}`);
    return 2;
  }
  const mistake = userMistakeOf(error);
  if (mistake) {
    io.err(mistake);
    return 2;
  }
  io.err(`error: ${error instanceof Error ? error.message : String(error)}`);
  return 1;
}

/**
 * A closed pipe (`... | head`) is not an error: what was wanted was read. Output after that is dropped quietly (the
 * command goes on, so a redrive is never stopped half-way by its reader); any other stream error is one line.
 */
export function quietOnClosedPipe(stream: NodeJS.EventEmitter, io: Pick<CliIo, "err"> = processIo): void {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE" || error.code === "ERR_STREAM_DESTROYED") return;
    io.err(`error: output: ${error.message}`);
    process.exitCode = 1;
  });
}

/** `runCli` for a script's entry point: sets the process's exit status. */
export async function main<C>(cli: CommandLine<C>): Promise<void> {
  quietOnClosedPipe(process.stdout);
  process.exitCode = await runCli(cli, process.argv.slice(2));
}

/**
 * node:util parseArgs over the given argv; a malformed command line is a UsageError in the project's words, naming
 * the options there are (node's own wording, such as "To specify a positional argument...", never reaches the user).
 */
export function parseOptions<T extends Omit<ParseArgsConfig, "args">>(argv: readonly string[], config: T) {
  try {
    return parseArgs({ ...config, args: [...argv] } as T & { args: string[] });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const named = /'(-{1,2}[^' ]+)/.exec(message)?.[1];
    const known = Object.keys(config.options ?? {}).map((name) => `--${name}`);
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") throw new UsageError(`unknown option ${named ?? ""}; the options are ${known.join(", ")}`);
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && /argument missing/.test(message)) throw new UsageError(`${named} needs a value`);
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") throw new UsageError(`${named} takes no value`);
    if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") throw new UsageError(`unexpected argument ${/'([^']*)'/.exec(message)?.[1] ?? ""}`);
    throw new UsageError(message);
  }
}

/**
 * Refuses an option the command does not take (parseArgs knows every command's options together): one line naming
 * the ones it does take. `tokens` from parseArgs with `tokens: true`.
 */
export function onlyOptions(command: string, tokens: readonly { kind: string; name?: string }[] | undefined, allowed: readonly string[]): void {
  const given = (tokens ?? []).flatMap((token) => (token.kind === "option" && token.name ? [token.name] : []));
  const wrong = given.find((name) => name !== "help" && !allowed.includes(name));
  if (wrong) throw new UsageError(`${command} does not take --${wrong}; it takes ${allowed.map((name) => `--${name}`).join(", ")}`);
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
