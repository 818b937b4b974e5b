import { basename } from "node:path";
import { mergeOutputs, type TerraformOutputs } from "../outputs.ts";
import { readJson } from "./read-json.ts";

/**
 * Prints the environment's outputs as one document, merged from every part's. A part whose workspace exists but was
 * never applied (`make plan` creates the workspaces; a failed `make apply` stops before some) has no outputs (`{}`):
 * left out, with a note naming it, so support still gets what is applied.
 */
export function printMerged(files: readonly string[], out: (text: string) => void, err: (text: string) => void): number {
  const documents = files.map((file) => ({ file, outputs: readJson(file) as TerraformOutputs }));
  const unapplied = documents.filter(({ outputs }) => Object.keys(outputs).length === 0).map(({ file }) => basename(file, ".json"));
  if (unapplied.length > 0) err(`not applied yet, left out: ${unapplied.join(", ")}`);
  out(JSON.stringify(mergeOutputs(documents.filter(({ outputs }) => Object.keys(outputs).length > 0).map(({ outputs }) => outputs)), null, 2));
  return 0;
}
