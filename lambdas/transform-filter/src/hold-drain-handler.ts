/**
 * The hold drain function (docs/guarantees.md 10.10-10.15; docs/adr/0002-holds.md): a third function bundled from
 * this workspace (`scripts/build/build-lambdas.ts` builds `.build/lambdas/hold-drain.zip` from this file, handler
 * `index.handler`). A schedule invokes it every minute (timeout 60 s); it works until 10 s are left
 * (`DRAIN_RESERVE_MS`, from `context.getRemainingTimeInMillis()`:
 * https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html). It signs and publishes with the support
 * signer's own adapters (the same lookups and EventBridge publisher), and reads and writes the holds table, the
 * endpoints' hold stores and the notices table.
 */
import type { Context } from "aws-lambda";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { KMSClient } from "@aws-sdk/client-kms";
import { S3Client } from "@aws-sdk/client-s3";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { DestinationStream, Logger } from "pino";
import { z } from "zod";
import { formatIssues } from "@trust-callbacks/schemas";
import { createLogger } from "@trust-callbacks/runtime";
import { awsClientConfig, awsTimeoutsFor } from "@trust-callbacks/runtime/aws";
import { DynamoDbNoticeLog } from "@trust-callbacks/runtime/notices";
import { DynamoDbHoldStates } from "./adapters/dynamodb-hold-states.ts";
import { EventBridgePublisher } from "./adapters/eventbridge-publisher.ts";
import { SqsHoldStore } from "./adapters/sqs-hold-store.ts";
import type { DrainReport } from "./core/drain.ts";
import { DEFAULT_SETTINGS } from "./core/process-batch.ts";
import { runHoldDrain, type HoldDrainDeps } from "./hold-drain.ts";
import { lookupAdapters } from "./lookup-adapters.ts";
import { SupportSignerEnvironment } from "./support-handler.ts";
import type { SupportSignerSettings } from "./support-signer.ts";

/** The support signer's environment and the holds names every part shares (holds-common: env names). */
export const HoldDrainEnvironment = SupportSignerEnvironment.extend({
  HOLDS_TABLE_NAME: z.string().min(3),
  /** `https://sqs.<region>.amazonaws.com/<account>/`: a store's URL adds `holdQueueName(NAME_PREFIX, trust, endpoint)`. */
  HOLD_QUEUE_URL_BASE: z.url().endsWith("/"),
  NAME_PREFIX: z.string().min(1),
  NOTICES_TABLE_NAME: z.string().min(3),
});
export type HoldDrainEnvironment = ReturnType<typeof HoldDrainEnvironment.parse>;

export interface HoldDrainRuntime {
  deps: Omit<HoldDrainDeps, "remainingTimeMs">;
  settings: SupportSignerSettings;
  logger: Logger;
}

export interface HoldDrainClients {
  kms?: KMSClient;
  s3?: S3Client;
  secretsManager?: SecretsManagerClient;
  eventBridge?: EventBridgeClient;
  dynamoDb?: DynamoDBClient;
  sqs?: SQSClient;
  logDestination?: DestinationStream;
}

/** Wires the AWS adapters once per container. */
export function createHoldDrainRuntime(processEnv: NodeJS.ProcessEnv, clients: HoldDrainClients = {}): HoldDrainRuntime {
  const parsed = HoldDrainEnvironment.safeParse(processEnv);
  if (!parsed.success) throw new Error(`invalid hold drain environment: ${formatIssues(parsed.error)}`);
  const env = parsed.data;
  const logger = createLogger({ level: env.LOG_LEVEL, base: { service: "hold-drain", environment: env.ENVIRONMENT } }, clients.logDestination);
  const clientConfig = awsClientConfig(logger, awsTimeoutsFor(env.LAMBDA_TIMEOUT_SECONDS * 1000));
  const s3 = clients.s3 ?? new S3Client(clientConfig);
  const dynamoDb = clients.dynamoDb ?? new DynamoDBClient(clientConfig);
  const { subscriptions, secrets } = lookupAdapters(env, s3, clientConfig, logger, clients);
  return {
    logger,
    settings: {
      ...DEFAULT_SETTINGS,
      eventBusName: env.EVENT_BUS_NAME,
      busSource: env.BUS_SOURCE,
      cloudEventSource: env.CLOUDEVENT_SOURCE ?? `/trust-callbacks/${env.ENVIRONMENT}`,
      maxPutEventsBytes: env.MAX_PUT_EVENTS_BYTES,
      publishAttempts: env.PUBLISH_ATTEMPTS,
    },
    deps: {
      logger,
      subscriptions,
      secrets,
      publisher: new EventBridgePublisher(clients.eventBridge ?? new EventBridgeClient(clientConfig)),
      states: new DynamoDbHoldStates({ client: dynamoDb, tableName: env.HOLDS_TABLE_NAME, logger }),
      store: new SqsHoldStore({ client: clients.sqs ?? new SQSClient(clientConfig), queueUrlBase: env.HOLD_QUEUE_URL_BASE, namePrefix: env.NAME_PREFIX }),
      notices: new DynamoDbNoticeLog({ client: dynamoDb, tableName: env.NOTICES_TABLE_NAME }),
    },
  };
}

/** One sweep per invocation; the answer is the report (identifiers and counts). A port's failure is in it, never thrown. */
export function createHoldDrainHandler(runtime: HoldDrainRuntime) {
  return (_event: unknown, context: Pick<Context, "awsRequestId" | "getRemainingTimeInMillis">): Promise<DrainReport> =>
    runHoldDrain(
      { ...runtime.deps, logger: runtime.logger.child({ requestId: context.awsRequestId }), remainingTimeMs: () => context.getRemainingTimeInMillis() },
      runtime.settings,
    );
}

let holdDrainHandler: ReturnType<typeof createHoldDrainHandler> | undefined;

/** Entry point named in Terraform (`index.handler` of the hold-drain bundle). */
export const handler = (event: unknown, context: Context): Promise<DrainReport> => {
  holdDrainHandler ??= createHoldDrainHandler(createHoldDrainRuntime(process.env));
  return holdDrainHandler(event, context);
};
