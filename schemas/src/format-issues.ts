import type { z } from "zod";

/** One line per problem, each naming the field: `endpoints[1].url: must be an https:// URL`. */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path
        .map((part, index) => (typeof part === "number" ? `[${part}]` : index === 0 ? String(part) : `.${String(part)}`))
        .join("");
      return `${path || "(root)"}: ${issue.message}`;
    })
    .join("; ");
}
