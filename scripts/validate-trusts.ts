/**
 * Validates trust config files against the schema the Lambda and Terraform use, before plan.
 * Usage: tsx scripts/validate-trusts.ts [--https-only] <dir-or-file>...   Exit 1 with one line per problem,
 * each naming the file and the field: `environments/test/trusts/RX1.json: endpoints[0].url: ...`. A hold window that
 * has already ended is refused too (`endpoints[0].holds[0].until: ended at ...`): remove it before deploying.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describeTrustFileIssue, parseTrustFile } from "@trust-callbacks/schemas";

export interface TrustFileProblem {
  file: string;
  message: string;
}

/** Every problem of one trust file, or none: the one trust-file parser's issues, one line each. */
export function validateTrustFile(path: string, options: { httpsOnly: boolean; now?: Date }): TrustFileProblem[] {
  const file = relative(process.cwd(), path);
  // A hold window that already ended is not deployed (docs/guarantees.md 10.26); the Lambda never checks this.
  const parsed = parseTrustFile(readFileSync(path, "utf8"), { file, httpsOnly: options.httpsOnly, windowsEndedBy: options.now ?? new Date() });
  return parsed.status === "valid" ? [] : parsed.issues.map((issue) => ({ file: issue.file, message: describeTrustFileIssue(issue) }));
}

export function trustFilesIn(paths: string[]): string[] {
  return paths.flatMap((path) =>
    statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((name) => name.endsWith(".json"))
          .sort()
          .map((name) => join(path, name))
      : [path],
  );
}

if (process.argv[1]?.endsWith("validate-trusts.ts")) {
  const args = process.argv.slice(2);
  const httpsOnly = args.includes("--https-only");
  const files = trustFilesIn(args.filter((arg) => arg !== "--https-only"));
  const problems = files.flatMap((file) => validateTrustFile(file, { httpsOnly }));
  for (const problem of problems) console.error(`${problem.file}: ${problem.message}`);
  console.log(`${files.length} trust file(s) checked, ${problems.length} problem(s)`);
  process.exit(problems.length > 0 ? 1 : 0);
}
