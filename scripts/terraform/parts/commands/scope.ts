import { readFileSync } from "node:fs";
import { planScope, workspaceNames, type OutputChange } from "../outputs.ts";
import { readJson } from "./read-json.ts";

/** Prints the parts to plan on one line (stdout) and, when not every part, why (stderr). */
export function printScope(env: string, planFile: string, workspacesFile: string, out: (text: string) => void, err: (text: string) => void): number {
  const plan = readJson(planFile) as { output_changes?: Record<string, OutputChange> };
  const scope = planScope(plan.output_changes?.trusts_stack_inputs, workspaceNames(readFileSync(workspacesFile, "utf8")), env);
  if (scope.kind !== "all") err(scope.note);
  out(scope.parts.join(" "));
  return 0;
}
