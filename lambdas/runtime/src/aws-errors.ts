import { PermanentError, TransientError } from "./errors.ts";

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

/**
 * Refusals that come from our own deployment, not from the request: IAM or a resource or key policy denies the
 * call, or the KMS key that protects the data is disabled, pending deletion or import, or unavailable. A deploy
 * fixes them, so a caller that passes `ownConfiguration` hands the work back for retry instead of quarantining
 * it. Names: KMS Decrypt's and Secrets Manager GetSecretValue's error lists
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html#API_Decrypt_Errors,
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/CommonErrors.html: DecryptionFailure is Secrets
 * Manager's word for its KMS key refusing) and S3's `AccessDenied` (HTTP 403 Forbidden:
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList). The KMS names as the SDKs
 * generate them from the service model: https://docs.aws.amazon.com/botocore/latest/reference/services/kms/client/exceptions/DisabledException.html
 * (and its siblings KMSInvalidStateException, KeyUnavailableException, NotFoundException, InvalidCiphertextException,
 * IncorrectKeyException).
 */
const OWN_CONFIGURATION_REFUSALS = new Set([
  "AccessDeniedException",
  "AccessDenied",
  "DisabledException",
  "KMSInvalidStateException",
  "KeyUnavailableException",
  "DecryptionFailure",
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
 * `ownConfiguration: true` (the transform-filter Lambda's calls): a refusal by our own deployment (IAM, a
 * policy, a KMS key's state: `OWN_CONFIGURATION_REFUSALS`, or HTTP 403) is transient too, never a reason to
 * quarantine or to deliver content degraded (docs/guarantees.md 1.2, 2.1).
 */
export function classifyAwsError(
  error: unknown,
  what: string,
  { quoteAws = true, ownConfiguration = false }: { quoteAws?: boolean; ownConfiguration?: boolean } = {},
): TransientError | PermanentError {
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
    (ownConfiguration && (OWN_CONFIGURATION_REFUSALS.has(name) || status === 403)) ||
    (status !== undefined && status >= 500) ||
    // No HTTP status at all: the request never got an answer (DNS, reset, abort).
    status === undefined;
  const options = quoteAws ? { cause: error } : undefined;
  return transient ? new TransientError(message, options) : new PermanentError(message, options);
}
