import type { AttributeValue, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { KMSClient } from "@aws-sdk/client-kms";
import type { S3Client } from "@aws-sdk/client-s3";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { BINDING_KEY_ATTRIBUTE } from "../adapters/dynamodb-bindings.ts";

/** A command's output (without $metadata) for its input; throwing fails the call as the SDK would. */
export type SdkAnswer = (input: Record<string, unknown>) => unknown;

/**
 * Answers a real client's calls at the SDK's first step (initialize), by command name: each call runs the
 * real client.send() and middleware stack (logger middleware included) but is never serialized, signed or
 * sent. Unlike aws-sdk-client-mock, which replaces send(), this keeps the SDK's own per-call work, so the
 * benchmark measures it and tests can check client options. `onResolve` runs each time the SDK resolves
 * the middleware stack.
 */
export function answerAtSdkLevel<C extends KMSClient | S3Client | SecretsManagerClient | EventBridgeClient | DynamoDBClient | SQSClient>(
  client: C,
  answers: Record<string, SdkAnswer>,
  onResolve: () => void = () => {},
): C {
  // The clients' stacks differ only in their input and output types, which answers do not rely on.
  (client.middlewareStack as unknown as { add: (middleware: unknown, options: unknown) => void }).add(
    (_next: unknown, context: { commandName: string }) => {
      onResolve();
      return async (args: { input: Record<string, unknown> }) => {
        const answer = answers[context.commandName];
        if (!answer) throw new Error(`no answer for ${context.commandName}`);
        return { output: { $metadata: { httpStatusCode: 200 }, ...((await answer(args.input)) as object) }, response: {} };
      };
    },
    { step: "initialize", name: "answerAtSdkLevel" },
  );
  return client;
}

type Item = Record<string, AttributeValue>;

/**
 * SDK-level answers for the conversation bindings table (pass `answers` to `answerAtSdkLevel` on a DynamoDBClient):
 * BatchGetItem, PutItem and GetItem over an in-memory table, with the adapter's condition (the first binding wins
 * until it expires) and DynamoDB's refusal (ConditionalCheckFailedException carrying the item in force). It answers
 * every key at once (no UnprocessedKeys). `calls` counts each command, for the benchmark's DynamoDB figures.
 */
export function bindingTableAnswers(tableName: string) {
  const items = new Map<string, Item>();
  const calls = { BatchGetItemCommand: 0, PutItemCommand: 0, GetItemCommand: 0 };
  const idOf = (key: Item | undefined) => key?.[BINDING_KEY_ATTRIBUTE]?.S ?? "";
  const answers: Record<string, SdkAnswer> = {
    BatchGetItemCommand: (input) => {
      calls.BatchGetItemCommand += 1;
      const keys = (input.RequestItems as Record<string, { Keys: Item[] }>)[tableName]?.Keys ?? [];
      if (keys.length > 100) throw Object.assign(new Error("Too many items requested for the BatchGetItem call"), { name: "ValidationException", $fault: "client", $metadata: { httpStatusCode: 400 } });
      return { Responses: { [tableName]: keys.flatMap((key): Item[] => { const item = items.get(idOf(key)); return item ? [item] : []; }) }, UnprocessedKeys: {} };
    },
    PutItemCommand: (input) => {
      calls.PutItemCommand += 1;
      const item = input.Item as Item;
      const existing = items.get(idOf(item));
      const now = Number((input.ExpressionAttributeValues as Item | undefined)?.[":now"]?.N ?? 0);
      if (existing && Number(existing.expiresAt?.N) > now) {
        throw Object.assign(new Error("The conditional request failed"), {
          name: "ConditionalCheckFailedException",
          $fault: "client",
          $metadata: { httpStatusCode: 400 },
          ...(input.ReturnValuesOnConditionCheckFailure === "ALL_OLD" ? { Item: existing } : {}),
        });
      }
      items.set(idOf(item), item);
      return {};
    },
    GetItemCommand: (input) => {
      calls.GetItemCommand += 1;
      const item = items.get(idOf(input.Key as Item));
      return item ? { Item: item } : {};
    },
  };
  return { answers, calls, items };
}
