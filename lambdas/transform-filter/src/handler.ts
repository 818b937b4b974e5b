import type { Context } from "aws-lambda";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { KMSClient } from "@aws-sdk/client-kms";
import { S3Client } from "@aws-sdk/client-s3";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { Writable } from "node:stream";
import { MAX_SIGNING_KEYS } from "@trust-callbacks/schemas";
import type { DestinationStream, Logger } from "pino";
import { awsClientConfig, awsTimeoutsFor } from "@trust-callbacks/runtime/aws";
import { DynamoDbConversationBindings } from "./adapters/dynamodb-bindings.ts";
import { holdAdapters } from "./hold-adapters.ts";
import { EventBridgePublisher } from "./adapters/eventbridge-publisher.ts";
import { S3QuarantineSink } from "./adapters/s3-quarantine.ts";
import { S3SubscriptionVersions } from "./adapters/s3-subscription-versions.ts";
import { readLambdaEnvironment, type LambdaEnvironment } from "./config.ts";
import { lookupAdapters } from "./lookup-adapters.ts";
import {
  DEFAULT_SETTINGS,
  processBatch,
  type ProcessorDeps,
  type ProcessorSettings,
} from "./core/process-batch.ts";
import type { PipeKinesisRecord } from "./core/records.ts";
import { setSigningKeyCacheSize } from "./core/signature.ts";
import { createLogger } from "@trust-callbacks/runtime";
import { deliveryHistoryLog, invocationTraceHeader, traceIdOf } from "./logger.ts";
import { BatchMetrics } from "./metrics.ts";

export interface PipeBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

interface Runtime {
  env: LambdaEnvironment;
  logger: Logger;
  /** Writes the call history (identifiers only, no redaction). */
  historyLogger: Logger;
  settings: ProcessorSettings;
  metrics: BatchMetrics;
  deps: Omit<ProcessorDeps, "logger" | "remainingTimeMs" | "history">;
  /** The invocation's X-Ray trace header, read per invocation. */
  traceHeader: () => string | undefined;
}

/** Wires the AWS adapters from the environment once per container; the caches live as long as it does. */
export function createRuntime(
  processEnv: NodeJS.ProcessEnv,
  clients?: {
    kms?: KMSClient;
    s3?: S3Client;
    secretsManager?: SecretsManagerClient;
    eventBridge?: EventBridgeClient;
    dynamoDb?: DynamoDBClient;
    sqs?: SQSClient;
    logDestination?: DestinationStream;
    /** Where the EMF metric lines go; default stdout (the Lambda's). */
    metricsOutput?: Writable;
  },
): Runtime {
  const env = readLambdaEnvironment(processEnv);
  // Decoded signing keys: every key of every cached secret, and no more (docs/guarantees.md 6.4).
  setSigningKeyCacheSize(env.SIGNING_SECRET_CACHE_SIZE * MAX_SIGNING_KEYS);
  const base = { service: "transform-filter", environment: env.ENVIRONMENT };
  const logger = createLogger({ level: env.LOG_LEVEL, base }, clients?.logDestination);
  // The call history's lines hold identifiers only (deliveryHistoryLog): written without redaction's cost.
  const historyLogger = createLogger({ level: env.LOG_LEVEL, base, redact: false }, clients?.logDestination);
  const clientConfig = awsClientConfig(logger, awsTimeoutsFor(env.LAMBDA_TIMEOUT_SECONDS * 1000));
  const s3 = clients?.s3 ?? new S3Client(clientConfig);
  const traceHeader = () => invocationTraceHeader(processEnv);
  let dynamoDb: DynamoDBClient | undefined;
  const dynamoDbClient = () => (dynamoDb ??= clients?.dynamoDb ?? new DynamoDBClient(clientConfig));
  return {
    env,
    logger,
    historyLogger,
    traceHeader,
    metrics: new BatchMetrics({
      namespace: env.METRICS_NAMESPACE,
      environment: env.ENVIRONMENT,
      logger,
      ...(clients?.metricsOutput ? { output: clients.metricsOutput } : {}),
    }),
    settings: {
      ...DEFAULT_SETTINGS,
      eventBusName: env.EVENT_BUS_NAME,
      busSource: env.BUS_SOURCE,
      cloudEventSource: env.CLOUDEVENT_SOURCE ?? `/trust-callbacks/${env.ENVIRONMENT}`,
      maxPutEventsBytes: env.MAX_PUT_EVENTS_BYTES,
      publishAttempts: env.PUBLISH_ATTEMPTS,
      bindingTtlMs: env.BINDING_TTL_DAYS * 24 * 60 * 60 * 1000,
    },
    deps: {
      ...lookupAdapters(env, s3, clientConfig, logger, clients),
      publisher: new EventBridgePublisher(clients?.eventBridge ?? new EventBridgeClient(clientConfig), { traceHeader }),
      quarantine: new S3QuarantineSink(s3, { bucket: env.QUARANTINE_BUCKET, prefix: env.QUARANTINE_PREFIX }),
      // Bindings need document versions, which the index source reads (the documents' S3 version ids).
      ...(env.BINDINGS_TABLE && env.SUBSCRIPTION_INDEX_KEYS
        ? {
            bindings: {
              store: new DynamoDbConversationBindings(dynamoDbClient(), { tableName: env.BINDINGS_TABLE, logger }),
              versions: new S3SubscriptionVersions(s3, { bucket: env.SUBSCRIPTIONS_BUCKET, prefix: env.SUBSCRIPTIONS_PREFIX }),
            },
          }
        : {}),
      // Holds (docs/guarantees.md 10.1-10.7); unset, nothing is held.
      ...holdAdapters(env, clientConfig, logger, { ...clients, dynamoDb: dynamoDbClient }),
    },
  };
}

/** The Lambda handler for a runtime: the Pipe's batch in, its partial-failure report out. */
export function createHandler(runtime: Runtime) {
  let coldStart = true;
  return async (event: unknown, context: Pick<Context, "awsRequestId" | "getRemainingTimeInMillis">): Promise<PipeBatchResponse> => {
    // `requestId` names the invocation; an event's own correlation id is `eventCorrelationId` (history) or
    // `correlationId` on a record's outcome line.
    const traceId = traceIdOf(runtime.traceHeader());
    const invocation = { requestId: context.awsRequestId, coldStart, ...(traceId ? { traceId } : {}) };
    const logger = runtime.logger.child(invocation);
    coldStart = false;
    if (!Array.isArray(event)) {
      // Not a Pipe batch (the Pipe sends a JSON array even for one record:
      // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-batching-concurrency.html), so nothing can be
      // reported per record: acknowledge nothing. An empty itemIdentifier makes the whole batch a failure, to be retried
      // (https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-batchfailurereporting.html, "Success and failure
      // conditions"); no record id is invented and nothing of the event is logged (docs/guarantees.md 1.4).
      logger.error({ receivedType: event === null ? "null" : typeof event }, "invocation is not a JSON array of Kinesis records: the whole batch is handed back");
      return { batchItemFailures: [{ itemIdentifier: "" }] };
    }
    const result = await processBatch(
      event as PipeKinesisRecord[],
      { ...runtime.deps, logger, history: deliveryHistoryLog(runtime.historyLogger.child(invocation)), remainingTimeMs: () => context.getRemainingTimeInMillis() },
      runtime.settings,
    );
    runtime.metrics.publishBatch(result.counts);
    logger.info({ counts: result.counts }, "batch processed");
    return { batchItemFailures: result.batchItemFailures };
  };
}

let lambdaHandler: ReturnType<typeof createHandler> | undefined;

/** Entry point named in Terraform (`index.handler` of the bundle). */
export const handler = (event: unknown, context: Context): Promise<PipeBatchResponse> => {
  lambdaHandler ??= createHandler(createRuntime(process.env));
  return lambdaHandler(event, context);
};
