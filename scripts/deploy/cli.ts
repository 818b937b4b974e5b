/**
 * What the deploy workflows (.github/workflows/) need beyond make and terraform: an environment's account as step
 * outputs, a summary of saved plans, and the workflow lint. Usage: scripts/deploy/args.ts.
 */
import { main } from "../lib/command-line.ts";
import { USAGE, parseDeployArgs, type DeployCommand } from "./args.ts";
import { printAccount } from "./commands/account.ts";
import { lintWorkflows } from "./commands/lint-workflows.ts";
import { printPlanSummary } from "./commands/plan-summary.ts";

await main({
  invocation: "npx tsx scripts/deploy/cli.ts",
  usage: USAGE,
  parse: parseDeployArgs,
  run: async (command: DeployCommand) => {
    const out = (text: string) => process.stdout.write(`${text}\n`);
    const err = (text: string) => process.stderr.write(`${text}\n`);
    switch (command.kind) {
      case "account":
        return printAccount(command.env, out);
      case "plan-summary":
        return printPlanSummary(command, out, err);
      case "lint-workflows":
        return lintWorkflows(command.dir, "Makefile", out, err);
    }
  },
});
