import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import {
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import dynalite from "dynalite";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TransientError } from "@trust-callbacks/runtime";
import type { ConversationBinding } from "../core/ports.ts";
import { sdkError } from "../testing/sdk-faults.ts";
import { BINDING_KEY_ATTRIBUTE, DynamoDbConversationBindings } from "./dynamodb-bindings.ts";

const DAY = 86_400_000;
const T0 = Date.parse("2026-11-22T10:00:00Z");
const binding = (conversationId: string, version = "v1", createdAt = T0): ConversationBinding => ({
  trustId: "RX1",
  conversationId,
  documentVersion: version,
  documentDigest: "d".repeat(64),
  createdAt,
  expiresAt: createdAt + 30 * DAY,
});

describe("DynamoDbConversationBindings through the real SDK against dynalite", () => {
  let server: Server;
  let client: DynamoDBClient;
  let table = 0;
  let tableName: string;
  let clock: number;
  const calls: string[] = [];

  beforeAll(async () => {
    server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: "eu-west-2",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    client.middlewareStack.add((next, context) => (args) => (calls.push(context.commandName!), next(args)), { step: "initialize", name: "countCalls" });
  });
  afterAll(async () => {
    client?.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(async () => {
    tableName = `bindings-${++table}`;
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: BINDING_KEY_ATTRIBUTE, AttributeType: "S" }],
        KeySchema: [{ AttributeName: BINDING_KEY_ATTRIBUTE, KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    calls.length = 0;
    clock = T0;
  });
  const store = (options = {}) => new DynamoDbConversationBindings(client, { tableName, now: () => clock, ...options });

  it("writes a binding, reads it back in one call, and keeps the first binding when the conversation is bound again", async () => {
    const bindings = store();
    expect(await bindings.bind(binding("c1", "v1"))).toEqual({ status: "found", value: binding("c1", "v1") });

    const again = await store().bind(binding("c1", "v2", T0 + 1000)); // another container, a later document
    expect(again.status === "found" && again.value.documentVersion).toBe("v1");

    const fresh = store();
    calls.length = 0;
    const answers = await fresh.getMany([{ trustId: "RX1", conversationId: "c1" }, { trustId: "RX1", conversationId: "none" }]);
    expect(answers.get("RX1#c1")).toEqual({ status: "found", value: binding("c1", "v1") });
    expect(answers.get("RX1#none")?.status).toBe("not-found");
    expect(calls).toEqual(["BatchGetItemCommand"]);
  });

  it("replaces a binding only once it has expired (TTL deletes late; the item may still be there)", async () => {
    await store().bind(binding("c1", "v1"));
    clock = T0 + 30 * DAY + 1000;
    const rebound = await store().bind(binding("c1", "v2", clock));
    expect(rebound.status === "found" && rebound.value.documentVersion).toBe("v2");
  });

  it("reads 250 conversations in three calls of at most 100 keys, then serves a warm batch from the container", async () => {
    const bindings = store();
    const keys = Array.from({ length: 250 }, (_, i) => ({ trustId: "RX1", conversationId: `c${i}` }));
    await Promise.all(keys.slice(0, 20).map((key) => bindings.bind(binding(key.conversationId))));
    calls.length = 0;

    const reader = store();
    const answers = await reader.getMany(keys);
    expect(calls).toEqual(["BatchGetItemCommand", "BatchGetItemCommand", "BatchGetItemCommand"]);
    expect([...answers.values()].filter((a) => a.status === "found")).toHaveLength(20);

    calls.length = 0;
    const warm = await reader.getMany(Array.from({ length: 100 }, (_, i) => keys[i % 20]!)); // 100 records over 20 conversations
    expect(calls).toEqual([]);
    expect([...warm.values()].every((a) => a.status === "found")).toBe(true);
    clock += 61_000; // absences are remembered for a minute, bindings until they expire
    await reader.getMany(keys.slice(0, 30));
    expect(calls).toEqual(["BatchGetItemCommand"]);
  });
});

describe("DynamoDbConversationBindings under faults (aws-sdk-client-mock)", () => {
  // An instance, not the class: mocking the class would also answer the dynalite suite's client.
  const mocked = new DynamoDBClient({ region: "eu-west-2", credentials: { accessKeyId: "x", secretAccessKey: "y" } });
  const dynamo = mockClient(mocked);
  const item = (b: ConversationBinding) => ({
    [BINDING_KEY_ATTRIBUTE]: { S: `${b.trustId}#${b.conversationId}` },
    trustId: { S: b.trustId },
    conversationId: { S: b.conversationId },
    documentVersion: { S: b.documentVersion },
    documentDigest: { S: b.documentDigest },
    createdAt: { S: new Date(b.createdAt).toISOString() },
    expiresAt: { N: String(b.expiresAt / 1000) },
  });
  const store = () =>
    new DynamoDbConversationBindings(mocked, { tableName: "t", now: () => T0, sleep: async () => {} });
  beforeEach(() => dynamo.reset());

  it("retries the keys DynamoDB leaves unprocessed, and hands back those it never reads", async () => {
    const c1 = { [BINDING_KEY_ATTRIBUTE]: { S: "RX1#c1" } };
    dynamo
      .on(BatchGetItemCommand)
      .resolvesOnce({ Responses: { t: [] }, UnprocessedKeys: { t: { Keys: [c1] } } })
      .resolvesOnce({ Responses: { t: [item(binding("c1"))] } });
    const answers = await store().getMany([{ trustId: "RX1", conversationId: "c1" }, { trustId: "RX1", conversationId: "c2" }]);
    expect(answers.get("RX1#c1")?.status).toBe("found");
    expect(answers.get("RX1#c2")?.status).toBe("not-found");
    expect(dynamo.commandCalls(BatchGetItemCommand)[1]!.args[0].input.RequestItems!.t!.Keys).toEqual([c1]);

    dynamo.reset();
    dynamo.on(BatchGetItemCommand).resolves({ Responses: { t: [] }, UnprocessedKeys: { t: { Keys: [c1] } } });
    const never = await store().getMany([{ trustId: "RX1", conversationId: "c1" }]);
    expect(never.get("RX1#c1")).toMatchObject({ status: "failed", retry: "later" });
    expect(dynamo.commandCalls(BatchGetItemCommand)).toHaveLength(3);
  });

  it("classifies SDK errors at the edge: throttling, timeouts and an access refusal (our configuration, promise 1.2) are transient", async () => {
    for (const [fault, kind] of [["throttled", TransientError], ["timeout", TransientError], ["server", TransientError], ["denied", TransientError]] as const) {
      dynamo.reset();
      dynamo.on(BatchGetItemCommand).rejects(sdkError(fault));
      dynamo.on(PutItemCommand).rejects(sdkError(fault));
      await expect(store().getMany([{ trustId: "RX1", conversationId: "c1" }])).rejects.toBeInstanceOf(kind);
      await expect(store().bind(binding("c1"))).rejects.toBeInstanceOf(kind);
    }
    dynamo.reset();
    dynamo.on(BatchGetItemCommand).rejects(Object.assign(new Error("slow down"), { name: "ProvisionedThroughputExceededException", $metadata: { httpStatusCode: 400 } }));
    await expect(store().getMany([{ trustId: "RX1", conversationId: "c1" }])).rejects.toBeInstanceOf(TransientError);
  });

  it("takes the binding in force from a refused conditional put without another read, and reads it when the refusal lacks it", async () => {
    const first = binding("c1", "v1");
    dynamo.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ message: "exists", $metadata: {}, Item: item(first) }));
    expect(await store().bind(binding("c1", "v2"))).toEqual({ status: "found", value: first });
    expect(dynamo.commandCalls(GetItemCommand)).toHaveLength(0);
    expect(dynamo.commandCalls(PutItemCommand)[0]!.args[0].input.ConditionExpression).toBe("attribute_not_exists(#key) OR #expiresAt <= :now");

    dynamo.reset();
    dynamo.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ message: "exists", $metadata: {} }));
    dynamo.on(GetItemCommand).resolves({ Item: item(first) });
    expect(await store().bind(binding("c1", "v2"))).toEqual({ status: "found", value: first });
    expect(dynamo.commandCalls(GetItemCommand)[0]!.args[0].input.ConsistentRead).toBe(true);

    dynamo.on(GetItemCommand).resolves({}); // deleted by TTL between the two calls
    expect(await store().bind(binding("c1", "v2"))).toMatchObject({ status: "failed", retry: "now" });
  });

  it("treats a malformed item as no binding", async () => {
    dynamo.on(BatchGetItemCommand).resolves({ Responses: { t: [{ [BINDING_KEY_ATTRIBUTE]: { S: "RX1#c1" }, trustId: { S: "RX1" } }] } });
    expect((await store().getMany([{ trustId: "RX1", conversationId: "c1" }])).get("RX1#c1")?.status).toBe("not-found");
  });
});
