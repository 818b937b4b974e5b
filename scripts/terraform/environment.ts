/**
 * make plan|apply|output|destroy ENV=<env>: one environment as two stacks (infrastructure/terraform/stacks;
 * Terraform README, "States: two stacks"; docs/adr/0001-state-split.md). Usage: scripts/terraform/environment/args.ts.
 */
import { main } from "../lib/command-line.ts";
import { USAGE, parseEnvironmentArgs, type EnvironmentCommand } from "./environment/args.ts";
import { apply } from "./environment/commands/apply.ts";
import { destroy } from "./environment/commands/destroy.ts";
import { output } from "./environment/commands/output.ts";
import { plan } from "./environment/commands/plan.ts";

await main({
  invocation: "npx tsx scripts/terraform/environment.ts",
  usage: USAGE,
  parse: parseEnvironmentArgs,
  run: async (command: EnvironmentCommand, signal: AbortSignal) => {
    const out = (text: string) => process.stdout.write(`${text}\n`);
    const err = (text: string) => process.stderr.write(`${text}\n`);
    switch (command.kind) {
      case "plan":
        return plan(command.env, err, signal);
      case "apply":
        return apply(command.env, err, signal);
      case "output":
        return output(command.env, out, err, signal);
      case "destroy":
        return destroy(command, err, signal);
    }
  },
});
