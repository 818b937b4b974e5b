/**
 * What `make plan|apply|output ENV=<env>` need beyond terraform to handle an environment as two stacks
 * (infrastructure/terraform/stacks): each stack's state key, what the bus stacks were planned with, which parts to
 * plan, trusts whose state must move first, and one merged `terraform output -json`. Usage: scripts/terraform/parts/args.ts.
 */
import { main } from "../lib/command-line.ts";
import { USAGE, parsePartsArgs, type PartsCommand } from "./parts/args.ts";
import { writeBackend } from "./parts/commands/backend.ts";
import { printMerged } from "./parts/commands/merge.ts";
import { checkMoves } from "./parts/commands/moves.ts";
import { writePipelineVars } from "./parts/commands/pipeline-vars.ts";
import { printScope } from "./parts/commands/scope.ts";

await main({
  invocation: "npx tsx scripts/terraform/parts.ts",
  usage: USAGE,
  parse: parsePartsArgs,
  run: async (command: PartsCommand) => {
    const out = (text: string) => process.stdout.write(`${text}\n`);
    const err = (text: string) => process.stderr.write(`${text}\n`);
    switch (command.kind) {
      case "backend":
        return writeBackend(command.backendFile, command.outFile);
      case "pipeline-vars":
        return writePipelineVars(command.outputsFile, command.outFile);
      case "scope":
        return printScope(command.env, command.planFile, command.workspacesFile, out, err);
      case "moves":
        return checkMoves(command.env, command.planFile, command.heldDir, err);
      case "merge":
        return printMerged(command.files, out, err);
    }
  },
});
