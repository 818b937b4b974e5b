/**
 * The local pipeline, and tools for trust developers. `npm run local -- --help` for usage.
 *   run (default)  the whole delivery path on this machine, on the sample trusts unless told otherwise
 *   listen         a receiver that checks auth and signature and prints each event
 *   trigger        send one named event type for a trust through the pipeline
 *   drain          one sweep of the hold drain over the local holds
 */
import { main, type CommandLine } from "../lib/command-line.ts";
import { USAGE, localCommandUsage, parseLocalArgs, type LocalCommand } from "./args.ts";
import { drain } from "./commands/drain.ts";
import { listen } from "./commands/listen.ts";
import { run } from "./commands/run.ts";
import { trigger } from "./commands/trigger.ts";

export const localCli: CommandLine<LocalCommand> = {
  invocation: "npm run local --",
  usage: USAGE,
  usageOf: localCommandUsage,
  parse: parseLocalArgs,
  run: (command, signal) =>
    command.name === "run"
      ? run(command)
      : command.name === "listen"
        ? listen(command, signal)
        : command.name === "drain"
          ? drain(command, signal)
          : trigger(command),
};

await main(localCli);
