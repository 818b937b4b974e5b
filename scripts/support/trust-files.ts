import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describeTrustFileIssue, parseTrustFile, type TrustConfig } from "@trust-callbacks/schemas";
import { UsageError } from "../lib/command-line.ts";

/**
 * Every trust file of a directory, through the one trust-file parser. A directory that cannot be read is a usage
 * error; an invalid file an error naming file and field (fix it before changing keys or endpoints).
 */
export function readTrustFiles(dir: string, httpsOnly: boolean): TrustConfig[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((file) => file.endsWith(".json")).sort();
  } catch {
    throw new UsageError(`--trusts ${dir}: cannot read the directory`);
  }
  const parsed = files.map((file) => parseTrustFile(readFileSync(join(dir, file), "utf8"), { file: join(dir, file), httpsOnly }));
  const problems = parsed.flatMap((result) => (result.status === "invalid" ? result.issues : []));
  if (problems.length > 0) throw new Error(`invalid trust file(s): ${problems.map((issue) => `${issue.file}: ${describeTrustFileIssue(issue)}`).join("; ")}`);
  return parsed.flatMap((result) => (result.status === "valid" ? [result.config] : []));
}
