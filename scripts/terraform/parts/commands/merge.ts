import { mergeOutputs, type TerraformOutputs } from "../outputs.ts";
import { readJson } from "./read-json.ts";

/** Prints the environment's outputs as one document, merged from every part's. */
export function printMerged(files: readonly string[], out: (text: string) => void): number {
  out(JSON.stringify(mergeOutputs(files.map((file) => readJson(file) as TerraformOutputs)), null, 2));
  return 0;
}
