/**
 * DLQ tool for support staff. `npm run redrive -- --help` for usage; docs/runbook.md for the procedure.
 */
import { main, type CommandLine } from "../lib/command-line.ts";
import { USAGE, parseRedriveArgs, type RedriveCommand } from "./args.ts";
import { addEndpointCommand } from "./commands/add-endpoint.ts";
import { list } from "./commands/list.ts";
import { purge } from "./commands/purge.ts";
import { redriveCommand } from "./commands/redrive.ts";
import { rotateSigningKeyCommand } from "./commands/rotate-signing-key.ts";
import { show } from "./commands/show.ts";

export const redriveCli: CommandLine<RedriveCommand> = {
  invocation: "npm run redrive --",
  usage: USAGE,
  parse: parseRedriveArgs,
  run: (command, signal) => {
    switch (command.name) {
      case "list":
        return list(command);
      case "show":
        return show(command);
      case "redrive":
        return redriveCommand(command, signal);
      case "purge":
        return purge(command);
      case "rotate-signing-key":
        return rotateSigningKeyCommand(command);
      case "add-endpoint":
        return addEndpointCommand(command);
    }
  },
};

await main(redriveCli);
