import { setTimeout as sleep } from "node:timers/promises";
import { Readable } from "node:stream";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { KMSClient } from "@aws-sdk/client-kms";
import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { sdkStreamMixin } from "@smithy/util-stream";
import { inProcessHttpHandler, type InProcessRequest, type InProcessResponse } from "@trust-callbacks/runtime/testing";
import { answerAtSdkLevel, bindingTableAnswers } from "@trust-callbacks/transform-filter/testing";
import type { BenchFixture } from "./fixture.ts";

/** Where the SDK is answered: before serialization (`sdk`), or by an in-process HTTP handler after it (`http`). */
export type AnswerLevel = "sdk" | "http";

export interface AwsCalls {
  kms: number;
  s3: number;
  secrets: number;
  putEvents: number;
  entries: number;
  /** Conversation bindings: BatchGetItem calls and items read, PutItem calls. */
  bindingReads: number;
  bindingItemsRead: number;
  bindingWrites: number;
}

/** The bindings table the bench's Lambda is configured with. */
export const BINDINGS_TABLE = "trust-callbacks-bench-bindings";

export interface BenchClients {
  kms: KMSClient;
  s3: S3Client;
  secretsManager: SecretsManagerClient;
  eventBridge: EventBridgeClient;
  dynamoDb: DynamoDBClient;
}

/** What the AWS services answer, in the SDK's shapes, counting calls; `latencyMs` delays each answer. */
function backend(fixture: BenchFixture, calls: AwsCalls, latencyMs: number) {
  const wait = latencyMs > 0 ? () => sleep(latencyMs) : () => undefined;
  const table = bindingTableAnswers(BINDINGS_TABLE);
  return {
    async decrypt(ciphertext: Uint8Array, context: Record<string, string>): Promise<Buffer> {
      calls.kms += 1;
      await wait();
      return fixture.keyProvider.unwrap(Buffer.from(ciphertext).toString("base64"), context);
    },
    async getObject(key: string): Promise<string | undefined> {
      calls.s3 += 1;
      await wait();
      return key === fixture.indexKey ? fixture.index : fixture.documents.get(key);
    },
    async getSecret(id: string): Promise<string | undefined> {
      calls.secrets += 1;
      await wait();
      return fixture.signingSecrets.get(id);
    },
    async putEvents(entries: unknown[]): Promise<{ EventId: string }[]> {
      calls.putEvents += 1;
      calls.entries += entries.length;
      await wait();
      return entries.map((_e, i) => ({ EventId: `11111111-2222-3333-4444-${String(i).padStart(12, "0")}` }));
    },
    /** The bindings table's answers in the SDK's shapes (DynamoDB's JSON is the same on the wire). */
    async bindings(operation: string, input: Record<string, unknown>) {
      if (operation === "BatchGetItem") calls.bindingReads += 1;
      if (operation === "PutItem") calls.bindingWrites += 1;
      await wait();
      const output = (await table.answers[`${operation}Command`]!(input)) as { Responses?: Record<string, unknown[]> };
      if (operation === "BatchGetItem") calls.bindingItemsRead += output.Responses?.[BINDINGS_TABLE]?.length ?? 0;
      return output;
    },
  };
}

/**
 * Real SDK clients (the Lambda's options) answered at `level`: `sdk` runs send() and the middleware stack
 * but never serializes, signs or parses; `http` runs all of it and answers the signed HTTP request in-process.
 */
export function benchClients(
  fixture: BenchFixture,
  level: AnswerLevel,
  clientConfig: Record<string, unknown>,
  options: { latencyMs?: number } = {},
): { clients: BenchClients; calls: AwsCalls } {
  const calls: AwsCalls = { kms: 0, s3: 0, secrets: 0, putEvents: 0, entries: 0, bindingReads: 0, bindingItemsRead: 0, bindingWrites: 0 };
  const aws = backend(fixture, calls, options.latencyMs ?? 0);
  const config = { ...clientConfig, region: "eu-west-2", credentials: { accessKeyId: "AKIABENCHMARK0000000", secretAccessKey: "bench" } };
  if (level === "sdk") {
    const notFound = () => Object.assign(new Error("NoSuchKey"), { name: "NoSuchKey", $metadata: { httpStatusCode: 404 } });
    return {
      calls,
      clients: {
        kms: answerAtSdkLevel(new KMSClient(config), {
          DecryptCommand: async (input) => ({ Plaintext: await aws.decrypt(input.CiphertextBlob as Uint8Array, input.EncryptionContext as Record<string, string>) }),
        }),
        s3: answerAtSdkLevel(new S3Client(config), {
          GetObjectCommand: async (input) => {
            const text = await aws.getObject(input.Key as string);
            if (text === undefined) throw notFound();
            return { Body: sdkStreamMixin(Readable.from([Buffer.from(text)])), ETag: '"v1"', VersionId: "v1" };
          },
        }),
        secretsManager: answerAtSdkLevel(new SecretsManagerClient(config), {
          GetSecretValueCommand: async (input) => ({ SecretString: await aws.getSecret(input.SecretId as string) }),
        }),
        eventBridge: answerAtSdkLevel(new EventBridgeClient(config), {
          PutEventsCommand: async (input) => ({ FailedEntryCount: 0, Entries: await aws.putEvents(input.Entries as unknown[]) }),
        }),
        dynamoDb: answerAtSdkLevel(new DynamoDBClient(config), {
          BatchGetItemCommand: (input) => aws.bindings("BatchGetItem", input),
          PutItemCommand: (input) => aws.bindings("PutItem", input),
          GetItemCommand: (input) => aws.bindings("GetItem", input),
        }),
      },
    };
  }

  // The services' wire protocols: JSON 1.1 for KMS, Secrets Manager and EventBridge; REST for S3 GetObject.
  const json = (body: unknown): InProcessResponse => ({ statusCode: 200, headers: { "content-type": "application/x-amz-json-1.1" }, body: JSON.stringify(body) });
  const jsonError = (type: string, fields: Record<string, unknown> = {}): InProcessResponse => ({
    statusCode: 400,
    headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": type },
    body: JSON.stringify({ __type: type, message: type, ...fields }),
  });
  const awsJson = (handlers: Record<string, (input: Record<string, unknown>) => Promise<InProcessResponse>>) => (request: InProcessRequest) => {
    const operation = (request.headers["x-amz-target"] ?? "").split(".").pop()!;
    const handler = handlers[operation];
    if (!handler) return jsonError("UnknownOperationException");
    return handler(JSON.parse(request.body || "{}") as Record<string, unknown>);
  };
  const handler = (respond: Parameters<typeof inProcessHttpHandler>[0]) => ({ ...config, requestHandler: inProcessHttpHandler(respond) });
  return {
    calls,
    clients: {
      kms: new KMSClient(
        handler(
          awsJson({
            Decrypt: async (input) => {
              const plaintext = await aws.decrypt(Buffer.from(input.CiphertextBlob as string, "base64"), input.EncryptionContext as Record<string, string>);
              return json({ KeyId: "arn:aws:kms:eu-west-2:123456789012:key/bench", Plaintext: plaintext.toString("base64"), EncryptionAlgorithm: "SYMMETRIC_DEFAULT" });
            },
          }),
        ),
      ),
      s3: new S3Client(
        handler(async (request): Promise<InProcessResponse> => {
          // Virtual-hosted style: the key is the whole path.
          const key = decodeURIComponent(request.path.replace(/^\//, ""));
          const text = request.method === "GET" ? await aws.getObject(key) : undefined;
          if (text === undefined) {
            return { statusCode: 404, headers: { "content-type": "application/xml" }, body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>` };
          }
          return { statusCode: 200, headers: { "content-type": "application/json", etag: '"v1"', "x-amz-version-id": "v1" }, body: text };
        }),
      ),
      secretsManager: new SecretsManagerClient(
        handler(
          awsJson({
            GetSecretValue: async (input) => {
              const value = await aws.getSecret(input.SecretId as string);
              if (value === undefined) return jsonError("ResourceNotFoundException");
              return json({ ARN: `arn:aws:secretsmanager:eu-west-2:123456789012:secret:${input.SecretId as string}-AbCdEf`, Name: input.SecretId, SecretString: value, VersionId: "v1", VersionStages: ["AWSCURRENT"] });
            },
          }),
        ),
      ),
      eventBridge: new EventBridgeClient(
        handler(
          awsJson({
            PutEvents: async (input) => json({ FailedEntryCount: 0, Entries: await aws.putEvents(input.Entries as unknown[]) }),
          }),
        ),
      ),
      dynamoDb: new DynamoDBClient(
        handler(async (request) => {
          const operation = (request.headers["x-amz-target"] ?? "").split(".").pop()!;
          try {
            return json(await aws.bindings(operation, JSON.parse(request.body || "{}") as Record<string, unknown>));
          } catch (error) {
            const { name, Item } = error as { name: string; Item?: unknown };
            return jsonError(`com.amazonaws.dynamodb.v20120810#${name}`, Item ? { Item } : {});
          }
        }),
      ),
    },
  };
}
