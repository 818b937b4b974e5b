import { PermanentError, describeError } from "./errors.ts";

/**
 * What to do about a failure: `now` (worth another attempt within this invocation), `later` (hand the
 * record back to the Pipe) or `never` (it can never succeed as it is: quarantine or mark it).
 * Adapters decide it from what their service said; the core only reads it.
 */
export type Retry = "now" | "later" | "never";

export type Found<T> = { status: "found"; value: T };
/** Nothing there, and that is an answer, not a fault: an unknown trust, no endpoint subscribing. */
export type NotFound = { status: "not-found"; reason: string };
export type Failed = { status: "failed"; retry: Retry; reason: string };

/** The one result shape of the ports and the core's steps: found, not found, or failed (with what to do). */
export type Result<T> = Found<T> | NotFound | Failed;

export const found = <T>(value: T): Found<T> => ({ status: "found", value });
export const notFound = (reason: string): NotFound => ({ status: "not-found", reason });
export const failed = (retry: Retry, reason: string): Failed => ({ status: "failed", retry, reason });

/**
 * A thrown error as a failure: a PermanentError can never succeed; anything else (TransientError, or an
 * error no adapter classified) is worth trying again.
 */
export const failureOf = (error: unknown): Failed =>
  failed(error instanceof PermanentError ? "never" : "now", describeError(error));
