import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { KMSClient } from "@aws-sdk/client-kms";
import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { sdkStreamMixin } from "@smithy/util-stream";
import { describe, expect, it } from "vitest";
import type { EventType, TrustConfig } from "@trust-callbacks/schemas";
import { createHandler, createRuntime } from "./handler.ts";
import { plainConversationEvent } from "./testing/conversations.ts";
import { EventSealer, captureLogs, kinesisRecord, newSigningSecret, trustConfig } from "./testing/fixtures.ts";
import { answerAtSdkLevel, bindingTableAnswers } from "./testing/sdk-answers.ts";

const sha = (text: string) => createHash("sha256").update(text).digest("hex");
const env = {
  ENVIRONMENT: "test",
  EVENT_BUS_NAME: "trust-callbacks-test-callbacks-0",
  SUBSCRIPTIONS_BUCKET: "config-bucket",
  SUBSCRIPTION_INDEX_KEYS: "subscriptions/index.json",
  QUARANTINE_BUCKET: "quarantine-bucket",
  BINDINGS_TABLE: "trust-callbacks-test-bindings",
  BINDING_TTL_DAYS: "30",
  LOG_LEVEL: "info",
};
const context = { awsRequestId: "req-1", getRemainingTimeInMillis: () => 60_000 };
const sdk = { region: "eu-west-2", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
const ALL: EventType[] = ["conversation.created", "message.created", "message.read", "response.sent", "conversation.closed"];
const config = (ep2: EventType[]): TrustConfig =>
  trustConfig("RX1", [
    { eventTypes: ALL, payloadProfile: "minimal" },
    { eventTypes: ep2, payloadProfile: "minimal" },
  ]);

/** The deployed bucket: versioned documents, the index Terraform writes, each GetObject answered at the SDK level. */
function versionedBucket() {
  const versions: { id: string; text: string }[] = [];
  const calls: { key: string; versionId?: string }[] = [];
  const upload = (document: TrustConfig) => versions.push({ id: `ver-${versions.length + 1}`, text: JSON.stringify(document) });
  const answers = {
    GetObjectCommand: (input: Record<string, unknown>) => {
      calls.push({ key: String(input.Key), ...(input.VersionId ? { versionId: String(input.VersionId) } : {}) });
      const current = versions.at(-1)!;
      if (input.Key === "subscriptions/index.json") {
        const index = { version: 1, trusts: { RX1: { key: "subscriptions/RX1.json", sha256: sha(current.text), eventBus: env.EVENT_BUS_NAME } } };
        return { Body: sdkStreamMixin(Readable.from([Buffer.from(JSON.stringify(index))])), ETag: `"index-${versions.length}"` };
      }
      const version = input.VersionId ? versions.find((v) => v.id === input.VersionId) : current;
      if (!version) throw Object.assign(new Error("NoSuchVersion"), { name: "NoSuchVersion", $metadata: { httpStatusCode: 404 } });
      return { Body: sdkStreamMixin(Readable.from([Buffer.from(version.text)])), ETag: `"${version.id}"`, VersionId: version.id };
    },
  };
  return { upload, answers, calls };
}

describe("Lambda handler with conversation bindings (real SDK clients answered at the SDK level)", () => {
  it("binds on conversation.created, filters later events with the bound version, and reads bindings once per cold batch", async () => {
    const bucket = versionedBucket();
    bucket.upload(config(["message.created"]));
    const table = bindingTableAnswers(env.BINDINGS_TABLE);
    const published: { endpointid: string; conversation: string }[] = [];
    const container = () => {
      const logs = captureLogs();
      const metrics = captureLogs(); // the EMF lines: written beside the logs, not through the logger
      const handler = createHandler(
        createRuntime(env, {
          kms: answerAtSdkLevel(new KMSClient(sdk), {}),
          s3: answerAtSdkLevel(new S3Client(sdk), { ...bucket.answers, PutObjectCommand: () => ({}) }),
          secretsManager: answerAtSdkLevel(new SecretsManagerClient(sdk), { GetSecretValueCommand: () => ({ SecretString: newSigningSecret() }) }),
          eventBridge: answerAtSdkLevel(new EventBridgeClient(sdk), {
            PutEventsCommand: (input) => {
              const entries = input.Entries as { Detail: string }[];
              for (const entry of entries) {
                const { event } = JSON.parse(entry.Detail);
                published.push({ endpointid: event.endpointid, conversation: event.data.conversationId });
              }
              return { FailedEntryCount: 0, Entries: entries.map((_e, i) => ({ EventId: `e${i}` })) };
            },
          }),
          dynamoDb: answerAtSdkLevel(new DynamoDBClient(sdk), table.answers),
          logDestination: logs.destination,
          metricsOutput: metrics.destination,
        }),
      );
      return { handler, logs, metrics };
    };
    const sealer = new EventSealer();
    const batch = (events: [string, EventType][]) => events.map(([c, type]) => kinesisRecord(sealer.seal(plainConversationEvent("RX1", c, type))));
    const conversations = Array.from({ length: 20 }, (_, i) => `conv-${i}`);

    const first = container();
    await first.handler(batch(conversations.map((c) => [c, "conversation.created"])), context);
    expect(table.calls.PutItemCommand).toBe(20);
    expect([...table.items.values()][0]!.documentVersion!.S).toBe("ver-1");

    bucket.upload(config(["conversation.closed"])); // the trust changes its document; a new container sees it at once
    const second = container();
    published.length = 0;
    const messages = batch(Array.from({ length: 100 }, (_, i) => [conversations[i % 20]!, "message.created"]));
    const result = await second.handler(messages, context);
    expect(result.batchItemFailures).toEqual([]);
    expect(published.filter((p) => p.endpointid === "ep2")).toHaveLength(100); // bound: ep2 still takes message.created
    expect(table.calls.BatchGetItemCommand).toBe(1); // 100 records over 20 conversations: one read
    expect(bucket.calls.filter((call) => call.versionId === "ver-1")).toHaveLength(1); // the bound version, read once

    await second.handler(batch(Array.from({ length: 100 }, (_, i) => [conversations[i % 20]!, "message.read"])), context);
    expect(table.calls.BatchGetItemCommand).toBe(1); // warm: bindings never change, so the container keeps them

    published.length = 0;
    await second.handler(batch([["conv-new", "conversation.created"], ["conv-new", "message.created"], ["conv-legacy", "message.created"]]), context);
    expect(published.filter((p) => p.conversation === "conv-new").map((p) => p.endpointid)).toEqual(["ep1", "ep1"]); // new document
    const metrics = second.metrics.lines.map((line) => JSON.parse(line)).filter((line) => line._aws).at(-1);
    expect(metrics.unboundEvents).toBe(1); // conv-legacy: created before bindings, filtered with the current document
  });
});
