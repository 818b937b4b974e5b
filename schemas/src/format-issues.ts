import type { z } from "zod";

/** The field an issue names, as written in a file: `endpoints[1].url`; `""` for the whole document. */
export const issueField = (issue: z.core.$ZodIssue): string =>
  issue.path
    .map((part, index) => (typeof part === "number" ? `[${part}]` : index === 0 ? String(part) : `.${String(part)}`))
    .join("");

/** One line per problem, each naming the field: `endpoints[1].url: must be an https:// URL`. */
export function formatIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issueField(issue) || "(root)"}: ${issue.message}`).join("; ");
}
