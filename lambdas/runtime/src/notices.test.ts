import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import dynalite from "dynalite";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Notice } from "@trust-callbacks/schemas";
import { DynamoDbNoticeLog, NOTICE_KEY_ATTRIBUTE, noticeFromItem, noticeToItem } from "./notices.ts";

const failing: Notice = {
  id: "deliveries-failing#RX1#main#2026-12-05T06:00:00.000Z",
  kind: "deliveries-failing",
  trustId: "RX1",
  endpointId: "main",
  at: "2026-12-05T06:00:00.000Z",
  cause: "dead-letters",
  counts: { deadLetters: 3 },
};
const rotation: Notice = {
  id: "signing-key-overlap-ended#RX1#main#2026-12-05T06:00:00.000Z",
  kind: "signing-key-overlap-ended",
  trustId: "RX1",
  endpointId: "main",
  at: "2026-12-05T06:00:00.000Z",
  due: "2026-12-06T06:00:00.000Z",
};
const holdStarted: Notice = {
  id: "hold-started#RX1#*#2026-12-05T05:00:00.000Z",
  kind: "hold-started",
  trustId: "RX1",
  at: "2026-12-05T05:00:00.000Z",
  reason: "EPR upgrade",
  until: "2026-12-05T09:00:00.000Z",
  counts: { held: 0 },
};

describe("DynamoDbNoticeLog through the real SDK against dynalite (promise 10.30)", () => {
  let server: Server;
  let client: DynamoDBClient;
  let table = 0;
  let tableName: string;

  beforeAll(async () => {
    server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: "eu-west-2",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
  });
  afterAll(async () => {
    client?.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(async () => {
    tableName = `notices-${++table}`;
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: NOTICE_KEY_ATTRIBUTE, AttributeType: "S" }],
        KeySchema: [{ AttributeName: NOTICE_KEY_ATTRIBUTE, KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
  });
  const item = async (id: string) =>
    (await client.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: id } }, ConsistentRead: true }))).Item;

  it("records each kind of notice and reads every field back as it was written", async () => {
    const log = new DynamoDbNoticeLog({ client, tableName });
    for (const notice of [failing, rotation, holdStarted]) {
      expect(await log.record(notice)).toEqual({ status: "found", value: notice });
      expect(noticeFromItem((await item(notice.id))!)).toEqual({ notice });
    }
    // The notifier's sweep reads `due`: written for every notice, the notice's own or (unset: at once) its `at`.
    expect((await item(rotation.id))!.due).toEqual({ S: rotation.due });
    expect((await item(failing.id))!.due).toEqual({ S: failing.at });
    expect((await item(failing.id))!.sentAt).toBeUndefined();
  });

  it("first write wins: a second producer's write of the same occurrence answers the first notice and changes nothing", async () => {
    await new DynamoDbNoticeLog({ client, tableName }).record(failing);
    const later = { ...failing, counts: { deadLetters: 40 }, cause: "connection-deauthorized" as const };
    expect(await new DynamoDbNoticeLog({ client, tableName }).record(later)).toEqual({ status: "found", value: failing });
    expect(noticeFromItem((await item(failing.id))!)).toEqual({ notice: failing });
  });

  it("a notice already sent stays sent: a repeated observation does not clear or replace sentAt", async () => {
    const log = new DynamoDbNoticeLog({ client, tableName });
    await log.record(failing);
    await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { id: { S: failing.id } },
        UpdateExpression: "SET sentAt = :t",
        ExpressionAttributeValues: { ":t": { S: "2026-12-05T06:01:00.000Z" } },
      }),
    );
    expect(await log.record(failing)).toEqual({ status: "found", value: failing });
    expect((await item(failing.id))!.sentAt).toEqual({ S: "2026-12-05T06:01:00.000Z" });
  });

  it("two producers racing on one occurrence leave one item, and both are answered with the same notice", async () => {
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => new DynamoDbNoticeLog({ client, tableName }).record({ ...failing, counts: { deadLetters: i } })),
    );
    const values = answers.map((answer) => (answer.status === "found" ? JSON.stringify(answer.value) : answer.status));
    expect(new Set(values).size).toBe(1);
    expect(values[0]).toBe(JSON.stringify(noticeFromItem((await item(failing.id))!)!.notice));
  });
});

describe("DynamoDbNoticeLog under faults (aws-sdk-client-mock)", () => {
  const mocked = new DynamoDBClient({ region: "eu-west-2", credentials: { accessKeyId: "x", secretAccessKey: "y" } });
  const dynamo = mockClient(mocked);
  const log = () => new DynamoDbNoticeLog({ client: mocked, tableName: "t" });
  beforeEach(() => dynamo.reset());
  const sdkError = (name: string, status: number | undefined, fault?: "client" | "server") =>
    Object.assign(new Error(name), { name, $fault: fault, $metadata: { httpStatusCode: status } });

  it("writes with the condition that makes the first write win", async () => {
    dynamo.on(PutItemCommand).resolves({});
    await log().record(failing);
    const input = dynamo.commandCalls(PutItemCommand)[0]!.args[0].input;
    expect(input.ConditionExpression).toBe("attribute_not_exists(#id)");
    expect(input.ExpressionAttributeNames).toEqual({ "#id": "id" });
    expect(input.Item).toEqual(noticeToItem(failing));
  });

  // Each fault → the one answer it must end in.
  const table: [string, () => void, object][] = [
    ["refused, the refusal carries the first notice", () => dynamo.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ message: "exists", $metadata: {}, Item: noticeToItem({ ...failing, counts: { deadLetters: 1 } }) })), { status: "found", value: { ...failing, counts: { deadLetters: 1 } } }],
    ["refused without the item: one consistent read answers it", () => (dynamo.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ message: "exists", $metadata: {} })), dynamo.on(GetItemCommand).resolves({ Item: noticeToItem({ ...failing, counts: { deadLetters: 2 } }) })), { status: "found", value: { ...failing, counts: { deadLetters: 2 } } }],
    ["refused, and the item is gone by the read (TTL): the occurrence is recorded", () => (dynamo.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ message: "exists", $metadata: {} })), dynamo.on(GetItemCommand).resolves({})), { status: "found", value: failing }],
    ["refused, and the item read is not a notice: the one given", () => dynamo.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ message: "exists", $metadata: {}, Item: { id: { S: failing.id } } })), { status: "found", value: failing }],
    ["refused, and the read fails: retry", () => (dynamo.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ message: "exists", $metadata: {} })), dynamo.on(GetItemCommand).rejects(sdkError("InternalServerError", 500, "server"))), { status: "failed", retry: "now" }],
    ["throttled: retry", () => dynamo.on(PutItemCommand).rejects(sdkError("ProvisionedThroughputExceededException", 400, "client")), { status: "failed", retry: "now" }],
    ["no answer (timeout): retry", () => dynamo.on(PutItemCommand).rejects(sdkError("TimeoutError", undefined)), { status: "failed", retry: "now" }],
    ["refused by our own IAM: retry (a deploy fixes it)", () => dynamo.on(PutItemCommand).rejects(sdkError("AccessDeniedException", 400, "client")), { status: "failed", retry: "now" }],
    ["the table does not exist: never", () => dynamo.on(PutItemCommand).rejects(sdkError("ResourceNotFoundException", 400, "client")), { status: "failed", retry: "never" }],
  ];
  it.each(table)("%s", async (_case, arrange, expected) => {
    arrange();
    expect(await log().record(failing)).toMatchObject(expected);
  });

  it("refuses a malformed notice without a call", async () => {
    expect(await log().record({ ...failing, trustId: "not an ODS code" })).toMatchObject({ status: "failed", retry: "never" });
    expect(dynamo.calls()).toHaveLength(0);
  });
});
