import { PermanentError, TransientError } from "../core/errors.ts";

interface SdkErrorShape {
  name?: string;
  message?: string;
  $fault?: "client" | "server";
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

const THROTTLING = new Set([
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "SlowDown",
  "LimitExceededException",
  "ProvisionedThroughputExceededException",
  "KMSInternalException",
  "InternalServiceError",
  "InternalServiceErrorException",
  "InternalFailure",
  "ServiceUnavailable",
  "RequestTimeout",
  "TimeoutError",
  // EventBridge (connection-sync): "Common Errors" and UpdateConnection's Errors.
  "ConcurrentModificationException",
  "InternalException",
]);

export const httpStatusOf = (error: unknown): number | undefined =>
  (error as SdkErrorShape | undefined)?.$metadata?.httpStatusCode;

/** S3 answered that the object does not exist (404, or NoSuchKey when the bucket policy allows s3:ListBucket). */
export const isMissingObject = (error: unknown): boolean =>
  httpStatusOf(error) === 404 || ["NoSuchKey", "NoSuchVersion"].includes((error as SdkErrorShape | undefined)?.name ?? "");

/**
 * Sorts an AWS SDK error (after the SDK's own retries) into transient (throttling, 5xx, network,
 * timeouts: worth retrying later) and permanent (4xx: this request will never succeed).
 * `quoteAws: false` names the call, the error and the HTTP status only, and keeps no `cause`: for calls whose
 * request holds credentials (UpdateConnection), since an AWS error message may quote request fields.
 */
export function classifyAwsError(error: unknown, what: string, { quoteAws = true }: { quoteAws?: boolean } = {}): TransientError | PermanentError {
  if (error instanceof TransientError || error instanceof PermanentError) return error;
  const shape = (error ?? {}) as SdkErrorShape;
  const name = shape.name ?? "Error";
  const status = shape.$metadata?.httpStatusCode;
  const message = quoteAws ? `${what}: ${name}${shape.message ? `: ${shape.message}` : ""}` : `${what}: ${name}${status ? ` (HTTP ${status})` : ""}`;
  const transient =
    THROTTLING.has(name) ||
    shape.$fault === "server" ||
    Boolean(shape.$retryable) ||
    status === 429 ||
    (status !== undefined && status >= 500) ||
    // No HTTP status at all: the request never got an answer (DNS, reset, abort).
    status === undefined;
  const options = quoteAws ? { cause: error } : undefined;
  return transient ? new TransientError(message, options) : new PermanentError(message, options);
}
