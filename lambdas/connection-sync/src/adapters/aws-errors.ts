import { PermanentError, TransientError } from "@trust-callbacks/transform-filter";

interface SdkErrorShape {
  name?: string;
  $fault?: "client" | "server";
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

// EventBridge API Reference, "Common Errors" and each action's Errors (ConcurrentModificationException,
// InternalException, ThrottlingException); Secrets Manager API Reference, GetSecretValue's Errors
// (InternalServiceError). Anything 5xx, throttled or unanswered is worth another attempt; other 4xx are not.
const TRANSIENT = new Set([
  "ThrottlingException",
  "TooManyRequestsException",
  "ConcurrentModificationException",
  "InternalException",
  "InternalFailure",
  "InternalServiceError",
  "ServiceUnavailable",
  "RequestTimeout",
  "TimeoutError",
]);

/** EventBridge and Secrets Manager both answer ResourceNotFoundException for a name they do not know. */
export const isNotFound = (error: unknown): boolean => (error as SdkErrorShape | undefined)?.name === "ResourceNotFoundException";

/**
 * An SDK error (after the SDK's own retries) as TransientError or PermanentError. The message names the call, the
 * error and the HTTP status only: an AWS error message may quote request fields, and UpdateConnection's request
 * holds credentials, so no AWS message is ever passed on.
 */
export function classifyAwsError(error: unknown, what: string): TransientError | PermanentError {
  if (error instanceof TransientError || error instanceof PermanentError) return error;
  const shape = (error ?? {}) as SdkErrorShape;
  const name = shape.name ?? "Error";
  const status = shape.$metadata?.httpStatusCode;
  const message = `${what}: ${name}${status ? ` (HTTP ${status})` : ""}`;
  const transient =
    TRANSIENT.has(name) || shape.$fault === "server" || Boolean(shape.$retryable) || status === 429 || (status !== undefined && status >= 500) || status === undefined;
  return transient ? new TransientError(message) : new PermanentError(message);
}
