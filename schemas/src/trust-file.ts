import { TrustConfig } from "./trust-config.ts";
import { issueField } from "./format-issues.ts";
import { endedWindows, type HoldWindow } from "./holds.ts";

/**
 * What can be wrong with a trust file: not JSON at all, a field the schema refuses, a file named for
 * another trust than the one inside, or (for files Terraform deploys) an endpoint it cannot deploy.
 */
export type TrustFileIssueCode = "not-json" | "schema" | "wrong-trust" | "not-deployable";

/** One problem of one trust file, naming the file and the field (`""` when it concerns the whole file). */
export interface TrustFileIssue {
  file: string;
  field: string;
  message: string;
  code: TrustFileIssueCode;
  /** For `wrong-trust`: the trust id inside the file, and the one its name says. */
  trustIds?: { inFile: string; expected: string };
}

export type TrustFileParse = { status: "valid"; config: TrustConfig } | { status: "invalid"; issues: TrustFileIssue[] };

export interface TrustFileOptions {
  /** Where the text came from (a path, or an S3 key), named in every issue; its base name says the trust. */
  file: string;
  /** The trust the file must be for; by default the file's base name without `.json`. */
  expectedTrustId?: string;
  /** Every endpoint URL and OAuth token URL must be https:// (files Terraform deploys to API destinations). */
  httpsOnly?: boolean;
  /**
   * Deploy-time check (validate-trusts, add-endpoint; docs/guarantees.md 10.26): no hold window may have ended by this
   * time. Never passed by the transform Lambda, which must keep reading a document whose windows have since passed.
   */
  windowsEndedBy?: Date;
}

/** `RX1` for `environments/test/trusts/RX1.json` or `subscriptions/RX1.json`. */
export const trustIdOfFile = (file: string): string => (file.split("/").pop() ?? file).replace(/\.json$/, "");

/**
 * The one parser of a trust file's text (a trust config file in the repository, a subscription document
 * in S3, a local pipeline's trust file): JSON, then the TrustConfig schema, then the trust id against the
 * file's name, then (with `httpsOnly`) what Terraform can deploy. Each caller renders the issues its way.
 */
export function parseTrustFile(text: string, options: TrustFileOptions): TrustFileParse {
  const { file } = options;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return invalid({ file, field: "", code: "not-json", message: (error as Error).message });
  }
  const parsed = TrustConfig.safeParse(json);
  if (!parsed.success) {
    return {
      status: "invalid",
      issues: parsed.error.issues.map((issue) => ({ file, field: issueField(issue), code: "schema", message: issue.message })),
    };
  }
  const config = parsed.data;
  const expected = options.expectedTrustId ?? trustIdOfFile(file);
  if (config.trustId !== expected) {
    return invalid({
      file,
      field: "trustId",
      code: "wrong-trust",
      message: `trustId is ${config.trustId}, so the file must be named ${config.trustId}.json`,
      trustIds: { inFile: config.trustId, expected },
    });
  }
  const issues: TrustFileIssue[] = [];
  if (options.httpsOnly) {
    // The endpoint URL and the OAuth token URL: EventBridge calls both (docs/guarantees.md 4.2).
    issues.push(...config.endpoints.flatMap((endpoint, index): TrustFileIssue[] => [
      ...(endpoint.url.startsWith("https://")
        ? []
        : [{ file, field: `endpoints[${index}].url`, code: "not-deployable" as const, message: "must be https:// to be deployed" }]),
      ...(endpoint.auth.type !== "oauth2_client_credentials" || endpoint.auth.tokenUrl.startsWith("https://")
        ? []
        : [{ file, field: `endpoints[${index}].auth.tokenUrl`, code: "not-deployable" as const, message: "must be https:// to be deployed" }]),
    ]));
  }
  if (options.windowsEndedBy) {
    const now = options.windowsEndedBy;
    const ended = (windows: readonly HoldWindow[], path: string): TrustFileIssue[] =>
      windows.flatMap((window, index) =>
        endedWindows([window], now).length === 0
          ? []
          : [{ file, field: `${path}[${index}].until`, code: "not-deployable" as const, message: `ended at ${window.until} (before ${now.toISOString()}): remove the window, it cannot be deployed` }],
      );
    issues.push(...ended(config.holds, "holds"), ...config.endpoints.flatMap((endpoint, index) => ended(endpoint.holds, `endpoints[${index}].holds`)));
  }
  if (issues.length > 0) return { status: "invalid", issues };
  return { status: "valid", config };
}

const invalid = (issue: TrustFileIssue): TrustFileParse => ({ status: "invalid", issues: [issue] });

/** An issue as one line without the file: `endpoints[0].url: must be ...`, `not valid JSON: ...`. */
export function describeTrustFileIssue(issue: TrustFileIssue): string {
  if (issue.code === "not-json") return `not valid JSON: ${issue.message}`;
  if (issue.code === "wrong-trust") return issue.message;
  return `${issue.field || "(root)"}: ${issue.message}`;
}
