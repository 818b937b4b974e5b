import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { actionlintProblems, makeTargets, workflowProblems, type WorkflowFile } from "../lib/workflows.ts";

/** actionlint and the project's workflow rules over every workflow in `dir`; 1 when anything is found. */
export async function lintWorkflows(dir: string, makefile: string, out: (text: string) => void, err: (text: string) => void): Promise<number> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => /\.ya?ml$/.test(name)).sort();
  } catch {
    throw new Error(`cannot read ${dir}`);
  }
  const sources: WorkflowFile[] = names.map((name) => ({ file: join(dir, name), text: readFileSync(join(dir, name), "utf8") }));
  const targets = makeTargets(readFileSync(makefile, "utf8"));
  const problems = [...(await actionlintProblems(sources)), ...sources.flatMap((source) => workflowProblems(source, targets))];
  for (const problem of problems) err(problem);
  out(`${sources.length} workflow(s), ${problems.length} problem(s)`);
  return problems.length === 0 ? 0 : 1;
}
