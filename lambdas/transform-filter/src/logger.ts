import type { Logger } from "pino";
import type { DeliveryHistory } from "./core/ports.ts";

/** The message of the call history's line: one per delivery the bus accepted (the `history` command queries it). */
export const DELIVERY_PUBLISHED_MESSAGE = "delivery published";

/**
 * The call history in the Lambda's log: one line per published delivery at info (the default level), with
 * identifiers only (trust, endpoint, CloudEvent id, source event id, event correlation id, event type, the
 * PutEvents EventId as `busEventId`, `publishedAt`). No content.
 */
export const deliveryHistoryLog = (logger: Logger): DeliveryHistory => ({
  // Only the port's identifier fields are written (never a spread of anything else), so this logger needs no redaction.
  published: ({ trustId, endpointId, cloudEventId, sourceEventId, eventCorrelationId, eventType, busEventId, publishedAt }) =>
    logger.info({ history: "published", trustId, endpointId, cloudEventId, sourceEventId, eventCorrelationId, eventType, busEventId, publishedAt }, DELIVERY_PUBLISHED_MESSAGE),
});

/**
 * The invocation's X-Ray trace header. Lambda sets `_X_AMZN_TRACE_ID` for each invocation ("Defined runtime
 * environment variables": "_X_AMZN_TRACE_ID – The X-Ray tracing header. This environment variable changes with
 * each invocation."): https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 */
export const invocationTraceHeader = (env: NodeJS.ProcessEnv): string | undefined => env._X_AMZN_TRACE_ID || undefined;

/** The trace id (`Root=`) of an X-Ray trace header `Root=1-…;Parent=…;Sampled=…`. */
export const traceIdOf = (header: string | undefined): string | undefined => header?.match(/(?:^|;)\s*Root=([^;]+)/)?.[1];
