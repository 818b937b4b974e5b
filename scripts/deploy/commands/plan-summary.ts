import { appendFileSync } from "node:fs";
import { readJson } from "../../lib/read-json.ts";
import { hasChanges, summarisePlans } from "../lib/plan-summary.ts";

/**
 * Prints the Markdown summary of the given plans (and appends it to `appendTo`, a job summary, when given).
 * Returns 1 with --fail-on-changes when any plan changes anything or found drift (make drift), else 0.
 */
export function printPlanSummary(
  command: { title: string; appendTo?: string; failOnChanges: boolean; plans: { name: string; file: string }[] },
  out: (text: string) => void,
  err: (text: string) => void,
): number {
  const summary = summarisePlans(command.plans.map(({ name, file }) => ({ name, plan: readJson(file) })), command.title);
  out(summary.markdown);
  if (command.appendTo) appendFileSync(command.appendTo, `${summary.markdown}\n`);
  if (command.failOnChanges && summary.changed) {
    err(`${command.title}: not what is applied (${summary.stacks.filter(hasChanges).map((stack) => stack.name).join(", ")}): see the summary`);
    return 1;
  }
  return 0;
}
