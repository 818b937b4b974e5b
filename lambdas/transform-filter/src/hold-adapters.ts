import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { Logger } from "pino";
import type { AwsClientConfig } from "@trust-callbacks/runtime/aws";
import { DynamoDbHoldStates } from "./adapters/dynamodb-hold-states.ts";
import { SqsHoldStore } from "./adapters/sqs-hold-store.ts";
import type { LambdaEnvironment } from "./config.ts";
import type { HoldDeps } from "./core/stages/hold.ts";

/**
 * The hold adapters both functions wire the same way (the transform function and the support signer: a redrive or
 * replay to a held endpoint is held too, docs/guarantees.md 10.8): the holds table and the hold stores, from
 * `HOLDS_TABLE_NAME`, `HOLD_QUEUE_URL_BASE` and `NAME_PREFIX`. All three set: `{ holds }`; none: `{}` (nothing is
 * held); some: a deployment fault, refused at start like any invalid environment.
 */
export function holdAdapters(
  env: Pick<LambdaEnvironment, "HOLDS_TABLE_NAME" | "HOLD_QUEUE_URL_BASE" | "NAME_PREFIX">,
  clientConfig: AwsClientConfig,
  logger: Logger,
  clients?: { dynamoDb?: DynamoDBClient | (() => DynamoDBClient); sqs?: SQSClient },
): { holds?: HoldDeps } {
  const settings = [env.HOLDS_TABLE_NAME, env.HOLD_QUEUE_URL_BASE, env.NAME_PREFIX];
  if (settings.every((value) => value === undefined)) return {};
  if (!env.HOLDS_TABLE_NAME || !env.HOLD_QUEUE_URL_BASE || !env.NAME_PREFIX) {
    throw new Error("invalid Lambda environment: HOLDS_TABLE_NAME, HOLD_QUEUE_URL_BASE and NAME_PREFIX are set together or not at all");
  }
  const dynamoDb = typeof clients?.dynamoDb === "function" ? clients.dynamoDb() : (clients?.dynamoDb ?? new DynamoDBClient(clientConfig));
  return {
    holds: {
      states: new DynamoDbHoldStates({ client: dynamoDb, tableName: env.HOLDS_TABLE_NAME, logger }),
      store: new SqsHoldStore({ client: clients?.sqs ?? new SQSClient(clientConfig), queueUrlBase: env.HOLD_QUEUE_URL_BASE, namePrefix: env.NAME_PREFIX }),
    },
  };
}
