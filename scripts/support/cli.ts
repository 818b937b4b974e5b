/**
 * The support CLI (support engineers: DLQs, history, redrive, replay; platform engineers: signing keys, endpoints). `npm run support -- --help` for usage; docs/runbook.md for the procedure.
 */
import { main, type CommandLine } from "../lib/command-line.ts";
import { USAGE, commandUsage, parseSupportArgs, type SupportCommand } from "./args.ts";
import { addEndpointCommand } from "./commands/add-endpoint.ts";
import { consoleCommand } from "./commands/console.ts";
import { history } from "./commands/history.ts";
import { holdCommand } from "./commands/hold.ts";
import { list } from "./commands/list.ts";
import { purge } from "./commands/purge.ts";
import { redriveCommand } from "./commands/redrive.ts";
import { replayQuarantineCommand } from "./commands/replay-quarantine.ts";
import { replayCommand } from "./commands/replay.ts";
import { resumeCommand } from "./commands/resume.ts";
import { rotateSigningKeyCommand } from "./commands/rotate-signing-key.ts";
import { show } from "./commands/show.ts";

export const supportCli: CommandLine<SupportCommand> = {
  invocation: "npm run support --",
  usage: USAGE,
  usageOf: commandUsage,
  parse: parseSupportArgs,
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
      case "history":
        return history(command, signal);
      case "replay-quarantine":
        return replayQuarantineCommand(command, signal);
      case "replay":
        return replayCommand(command, signal);
      case "rotate-signing-key":
        return rotateSigningKeyCommand(command);
      case "add-endpoint":
        return addEndpointCommand(command);
      case "hold":
        return holdCommand(command);
      case "resume":
        return resumeCommand(command);
      case "console":
        return consoleCommand(command, signal);
    }
  },
};

await main(supportCli);
