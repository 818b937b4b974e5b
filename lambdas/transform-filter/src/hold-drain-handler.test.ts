/**
 * docs/guarantees.md 10.10-10.12, the function as deployed: the hold drain's handler wired to the AWS SDK clients
 * (mocked at the SDK): it scans the holds table, receives from the endpoint's FIFO store, re-signs with the key from
 * Secrets Manager, publishes with EventBridge, deletes only what the bus accepted, writes the item conditionally and
 * records notices in the notices table; it stops with 10 s of the invocation left; it refuses to start without its
 * environment.
 */
import { ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, PutItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { KMSClient } from "@aws-sdk/client-kms";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { createHoldDrainHandler, createHoldDrainRuntime } from "./hold-drain-handler.ts";
import { captureLogs, newSigningSecret, trustConfig } from "./testing/fixtures.ts";
import { s3Object } from "./testing/sdk-faults.ts";

const env = {
  ENVIRONMENT: "test",
  EVENT_BUS_NAME: "trust-callbacks-test-callbacks-0",
  SUBSCRIPTIONS_BUCKET: "config-bucket",
  LOG_LEVEL: "info",
  HOLDS_TABLE_NAME: "trust-callbacks-test-holds",
  HOLD_QUEUE_URL_BASE: "https://sqs.eu-west-2.amazonaws.com/111122223333/",
  NAME_PREFIX: "trust-callbacks-test",
  NOTICES_TABLE_NAME: "trust-callbacks-test-notices",
};
const QUEUE_URL = "https://sqs.eu-west-2.amazonaws.com/111122223333/trust-callbacks-test-RX1-ep1-hold.fifo";

const item = { pk: { S: "RX1#ep1" }, trustId: { S: "RX1" }, endpointId: { S: "ep1" }, phase: { S: "draining" }, source: { S: "adhoc" }, reason: { S: "EPR upgrade" }, heldAt: { S: "2026-12-05T01:00:00.000Z" }, heldBy: { S: "alice" }, drained: { N: "0" }, version: { N: "4" } };
const cloudEvent = (n: number) => ({ specversion: "1.0", id: `ce-${n}`, type: "uk.nhs.trustcallbacks.message.created.v1", trustid: "RX1", endpointid: "ep1", data: { text: "Patient in bay 4" } });

function wire(remaining: () => number = () => 60_000) {
  const s3 = mockClient(S3Client);
  const sm = mockClient(SecretsManagerClient);
  const eb = mockClient(EventBridgeClient);
  const ddb = mockClient(DynamoDBClient);
  const sqs = mockClient(SQSClient);
  const config = trustConfig("RX1", [{ id: "ep1", rateLimitPerSecond: 20, signingSecret: "trust-callbacks/test/signing/RX1/ep1" }]);
  s3.on(GetObjectCommand, { Key: "subscriptions/RX1.json" }).resolves(s3Object(JSON.stringify(config), '"1"'));
  const secret = newSigningSecret();
  sm.on(GetSecretValueCommand).resolves({ SecretString: secret });
  eb.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({ Entries: input.Entries.map((_e, i) => ({ EventId: `bus-${i}` })) }));
  ddb.on(ScanCommand).resolves({ Items: [item] });
  ddb.on(PutItemCommand).resolves({});
  sqs.on(ReceiveMessageCommand)
    .resolvesOnce({ Messages: [1, 2].map((n) => ({ MessageId: `m${n}`, ReceiptHandle: `r${n}`, Body: JSON.stringify(cloudEvent(n)) })) })
    .resolves({ Messages: [] });
  sqs.on(DeleteMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({ Successful: input.Entries.map((e) => ({ Id: e.Id })), Failed: [] }));
  sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "0" } });
  const logs = captureLogs();
  const runtime = createHoldDrainRuntime(env, {
    s3: s3 as unknown as S3Client,
    secretsManager: sm as unknown as SecretsManagerClient,
    eventBridge: eb as unknown as EventBridgeClient,
    kms: mockClient(KMSClient) as unknown as KMSClient,
    dynamoDb: ddb as unknown as DynamoDBClient,
    sqs: sqs as unknown as SQSClient,
    logDestination: logs.destination,
  });
  const handler = createHoldDrainHandler(runtime);
  return { handler: () => handler({}, { awsRequestId: "req-1", getRemainingTimeInMillis: remaining }), s3, sm, eb, ddb, sqs, logs, secret };
}

describe("hold drain handler", () => {
  it("drains a draining endpoint's store through the real adapters: sends in order, deletes what the bus accepted, writes closing, records notices", async () => {
    const { handler, eb, ddb, sqs, logs, secret } = wire();
    const report = await handler();
    expect(report.endpoints).toEqual([expect.objectContaining({ trustId: "RX1", endpointId: "ep1", from: "draining", to: "closing", sent: 2, drained: 2 })]);
    const entries = eb.commandCalls(PutEventsCommand).flatMap((call) => call.args[0].input.Entries ?? []);
    expect(entries.map((entry) => JSON.parse(entry.Detail!).event.id)).toEqual(["ce-1", "ce-2"]);
    expect(sqs.commandCalls(ReceiveMessageCommand)[0]!.args[0].input).toMatchObject({ QueueUrl: QUEUE_URL, MaxNumberOfMessages: 10 });
    expect(sqs.commandCalls(DeleteMessageBatchCommand)[0]!.args[0].input.Entries!.map((e) => e.ReceiptHandle)).toEqual(["r1", "r2"]);
    const puts = ddb.commandCalls(PutItemCommand).map((call) => call.args[0].input);
    const statePut = puts.find((input) => input.TableName === env.HOLDS_TABLE_NAME)!;
    expect(statePut.Item).toMatchObject({ phase: { S: "closing" }, drained: { N: "2" }, version: { N: "5" } });
    expect(statePut.ExpressionAttributeValues).toMatchObject({ ":expected": { N: "4" } });
    const noticeIds = puts.filter((input) => input.TableName === env.NOTICES_TABLE_NAME).map((input) => input.Item!.id!.S);
    expect(noticeIds).toEqual(expect.arrayContaining(["hold-started#RX1#ep1#2026-12-05T01:00:00.000Z", "hold-ended#RX1#ep1#2026-12-05T01:00:00.000Z"]));
    const text = logs.lines.join("\n");
    expect(logs.lines.map((line) => JSON.parse(line))).toContainEqual(expect.objectContaining({ service: "hold-drain", requestId: "req-1", message: "hold drain swept" }));
    expect(text).not.toContain("Patient in bay 4");
    expect(text).not.toContain(secret.slice("whsec_".length));
  });

  it("with less than 10 s left it receives nothing and deletes nothing", async () => {
    const { handler, sqs, eb } = wire(() => 9_000);
    const report = await handler();
    expect(report.endpoints[0]).toMatchObject({ stopped: "time", sent: 0 });
    expect(sqs.commandCalls(ReceiveMessageCommand)).toHaveLength(0);
    expect(eb.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it("a lost race on the item is reported, not thrown; nothing is deleted from the table", async () => {
    const { handler, ddb } = wire();
    ddb.on(PutItemCommand, { TableName: env.HOLDS_TABLE_NAME }).rejects(new ConditionalCheckFailedException({ message: "no", $metadata: {} }));
    const report = await handler();
    expect(report.endpoints[0]).toMatchObject({ to: "draining", note: expect.stringMatching(/lost the race/) });
    expect(ddb.commandCalls(DeleteItemCommand)).toHaveLength(0);
  });

  it("refuses to start without the holds environment, naming the variable", () => {
    const { HOLDS_TABLE_NAME: _h, ...rest } = env;
    expect(() => createHoldDrainRuntime(rest)).toThrow(/HOLDS_TABLE_NAME/);
  });
});
