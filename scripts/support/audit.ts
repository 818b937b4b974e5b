import { appendFileSync } from "node:fs";
import { userInfo } from "node:os";
import type { AuditLine } from "./redrive.ts";

/** Who runs the tool, for the audit. */
export const operator = (): string => `${userInfo().username}${process.env.AWS_PROFILE ? ` (profile ${process.env.AWS_PROFILE})` : ""}`;

/** Appends one audit line to the audit file only (commands whose stdout is their result, such as `--json`). */
export const appendAudit = (file: string, line: object): void => appendFileSync(file, `${JSON.stringify(line)}\n`);

/** Writes one audit line to stdout and appends it to the audit file. */
export const auditTo = (file: string) => (line: AuditLine): void => {
  const text = JSON.stringify(line);
  console.log(text);
  appendFileSync(file, `${text}\n`);
};
