import { basename } from "node:path";
import { mergeOutputs, type TerraformOutputs } from "../outputs.ts";
import { readJson } from "./read-json.ts";

/**
 * Prints the environment's outputs as one document, merged from every part's. A part whose workspace exists but was
 * never applied (`make plan` creates the workspaces; a failed `make apply` stops before some) has no outputs (`{}`):
 * left out, with a note naming it, so support still gets what is applied.
 */
export function printMerged(files: readonly string[], out: (text: string) => void, err: (text: string) => void): number {
  const applied: TerraformOutputs[] = [];
  const unapplied: string[] = [];
  for (const file of files) {
    const outputs = readJson(file) as TerraformOutputs;
    if (Object.keys(outputs).length > 0) applied.push(outputs);
    else unapplied.push(basename(file, ".json"));
  }
  if (unapplied.length > 0) err(`not applied yet, left out: ${unapplied.join(", ")}`);
  out(JSON.stringify(mergeOutputs(applied), null, 2));
  return 0;
}
