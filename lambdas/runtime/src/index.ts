/**
 * What both functions (transform-filter, connection-sync) share and neither owns: the one `Result<T>` of the ports,
 * the two errors adapters raise, and the JSON logger. Pure of the AWS SDK (the core of each function imports this);
 * AWS client settings and error classification are `@trust-callbacks/runtime/aws`, metrics `/metrics`.
 */
export { failed, failureOf, found, notFound, type Failed, type Found, type NotFound, type Result, type Retry } from "./result.ts";
export { PermanentError, TransientError, describeError } from "./errors.ts";
export { REDACTED_PATHS, createLogger } from "./logger.ts";
