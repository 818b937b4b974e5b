/**
 * Adapters raise one of these two so the core can decide a record's fate without knowing AWS:
 * transient ones hand the record back to the Pipe for retry, permanent ones quarantine or mark it.
 */
export class TransientError extends Error {
  override readonly name = "TransientError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class PermanentError extends Error {
  override readonly name = "PermanentError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** An error's message without its stack, safe to log and to store as a reason. */
export const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);
