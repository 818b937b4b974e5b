import { accessSync, constants, statSync } from "node:fs";
import { UsageError } from "../lib/command-line.ts";
import { LocalInputInvalid, LocalPipeline, loadTrusts, type LocalPipelineOptions } from "./pipeline.ts";

/** A bad input file is the user's mistake: one line (problems joined by "; ") and exit 2, never a stack. */
function asUsageError(error: unknown): unknown {
  return error instanceof LocalInputInvalid ? new UsageError(error.message.split("\n").join("; ")) : error;
}

/** LocalPipeline.start, with unusable trust or receivers files as UsageErrors. */
export async function startPipeline(options: LocalPipelineOptions): Promise<LocalPipeline> {
  try {
    return await LocalPipeline.start(options);
  } catch (error) {
    throw asUsageError(error);
  }
}

/** loadTrusts, with unusable trust files as UsageErrors. */
export function trustsFrom(dir: string) {
  try {
    return loadTrusts(dir);
  } catch (error) {
    throw asUsageError(error);
  }
}

/** A file the user named must exist and be readable before anything starts. */
export function readableFile(path: string, option: string): void {
  try {
    if (!statSync(path).isFile()) throw new UsageError(`${option} ${path} is not a file`);
    accessSync(path, constants.R_OK);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(code === "ENOENT" ? `${option} ${path}: no such file` : `${option} ${path}: ${(error as Error).message}`);
  }
}
