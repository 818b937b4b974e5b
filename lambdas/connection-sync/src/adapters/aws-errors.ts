import { classifyAwsError as classify } from "@trust-callbacks/runtime/aws";
import type { PermanentError, TransientError } from "@trust-callbacks/runtime";

/** EventBridge and Secrets Manager both answer ResourceNotFoundException for a name they do not know. */
export const isNotFound = (error: unknown): boolean => (error as { name?: string } | undefined)?.name === "ResourceNotFoundException";

/**
 * transform-filter's classification, quoting no AWS message and keeping no cause: UpdateConnection's request holds
 * credentials, and an AWS error message may quote request fields.
 */
export const classifyAwsError = (error: unknown, what: string): TransientError | PermanentError => classify(error, what, { quoteAws: false });
