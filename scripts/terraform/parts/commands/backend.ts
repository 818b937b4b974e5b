import { readFileSync, writeFileSync } from "node:fs";
import { pipelineState } from "../outputs.ts";

/** Writes the trusts stack's pipeline_state var file from environments/<env>/backend.hcl. */
export function writeBackend(backendFile: string, outFile: string): number {
  writeFileSync(outFile, `${JSON.stringify({ pipeline_state: pipelineState(readFileSync(backendFile, "utf8")) }, null, 2)}\n`);
  return 0;
}
