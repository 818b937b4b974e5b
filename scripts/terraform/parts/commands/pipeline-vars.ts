import { rmSync, writeFileSync } from "node:fs";
import { pipelineVars, type TerraformOutputs } from "../outputs.ts";
import { readJson } from "./read-json.ts";

/** Writes the bus and index parts' var file from the pipeline part's outputs, or removes it before the first apply. */
export function writePipelineVars(outputsFile: string, outFile: string): number {
  const vars = pipelineVars(readJson(outputsFile) as TerraformOutputs);
  if (vars === null) rmSync(outFile, { force: true });
  else writeFileSync(outFile, `${JSON.stringify(vars, null, 2)}\n`);
  return 0;
}
