import type { EventBridgeClientConfig } from "@aws-sdk/client-eventbridge";
import type { Logger } from "pino";

type SdkLogger = NonNullable<EventBridgeClientConfig["logger"]>;

/**
 * Options for every AWS SDK client of the Lambda (the benchmark builds its clients with them too).
 *
 * - `cacheMiddleware`: each command's middleware stack is resolved once per client instead of on every
 *   call: the SDK's option for high call volumes (aws/aws-sdk-js-v3#6423). Nothing here modifies a stack
 *   after construction. It takes a PutEvents call's SDK overhead from ~43 µs to ~8 µs.
 * - `logger`: the SDK writes one info line per call holding the call's input (PutEvents entries carry
 *   decrypted content) and an error line holding it too. It builds the info line only when `logger.info`
 *   exists, so this logger has none (which also saves walking every input to filter it, the other ~7 µs),
 *   and it drops the error line: the adapters report errors themselves. SDK warnings reach our log.
 * - `requestHandler`, `maxAttempts`: a connection and a request timeout on every attempt, sized by `awsTimeoutsFor`
 *   to the function's timeout (docs/guarantees.md 1.5); connection-sync builds its clients with this too.
 */
export function awsClientConfig(logger: Logger, timeouts: AwsTimeouts = awsTimeoutsFor(DEFAULT_LAMBDA_TIMEOUT_MS)): AwsClientConfig {
  const sdkLogger: Omit<SdkLogger, "info"> = {
    debug: () => {},
    warn: (...content: unknown[]) => logger.warn({ sdkWarning: content.map(String).join(" ").slice(0, 500) }, "AWS SDK warning"),
    error: () => {},
  };
  return {
    cacheMiddleware: true,
    logger: sdkLogger as SdkLogger,
    // Options of the SDK's NodeHttpHandler, passed as a plain object (the client builds the handler from them):
    // https://docs.aws.amazon.com/AWSJavaScriptSDK/v3/latest/Package/-smithy-node-http-handler (NodeHttpHandlerOptions).
    // Since @smithy/node-http-handler 4.4 a requestTimeout only warns unless throwOnRequestTimeout is set.
    requestHandler: { connectionTimeout: timeouts.connectionTimeoutMs, requestTimeout: timeouts.requestTimeoutMs, throwOnRequestTimeout: true },
    maxAttempts: timeouts.maxAttempts,
  };
}

export type AwsClientConfig = {
  cacheMiddleware: true;
  logger: SdkLogger;
  requestHandler: { connectionTimeout: number; requestTimeout: number; throwOnRequestTimeout: true };
  maxAttempts: number;
};

/** Per attempt: the time to connect and the time for the whole request and response; attempts include the first. */
export interface AwsTimeouts {
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  maxAttempts: number;
}

/** The transform-filter Lambda's timeout when Terraform does not say (modules/pipeline: lambda.timeout_seconds). */
export const DEFAULT_LAMBDA_TIMEOUT_MS = 60_000;

/**
 * Timeouts for every AWS call of a function whose invocation may last `lambdaTimeoutMs`: one call, all its attempts
 * timing out, takes at most half of it, so a hung service hands the batch's records back (a TimeoutError is
 * transient: retry) before the function itself times out and loses the batch's answer (docs/guarantees.md 1.5).
 * 2 s to connect and 8 s per attempt at most (AWS answers in milliseconds; KMS, S3, Secrets Manager and PutEvents
 * calls are small), 3 attempts (the SDK's default).
 */
export function awsTimeoutsFor(lambdaTimeoutMs: number): AwsTimeouts {
  const maxAttempts = 3;
  const perAttempt = Math.floor(lambdaTimeoutMs / 2 / maxAttempts);
  const connectionTimeoutMs = Math.min(2_000, Math.floor(perAttempt / 4));
  return { connectionTimeoutMs, requestTimeoutMs: Math.min(8_000, perAttempt - connectionTimeoutMs), maxAttempts };
}
