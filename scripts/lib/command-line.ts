import { parseArgs, type ParseArgsConfig } from "node:util";

/** Prints a message and exits with status 2 (bad usage), as every command of this repo does. */
export function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

/** parseArgs, but a malformed command line gets a clear message and the usage, not a stack trace. */
export function parseCommandLine<T extends ParseArgsConfig>(config: T, usage: string) {
  try {
    return parseArgs(config);
  } catch (error) {
    return fail(`${(error as Error).message}\n\n${usage}`);
  }
}
