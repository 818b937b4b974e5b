import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, ScanCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import dynalite from "dynalite";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Notice } from "@trust-callbacks/schemas";
import { DynamoDbNoticeLog, NOTICE_KEY_ATTRIBUTE } from "@trust-callbacks/runtime/notices";
import { recordObservation } from "../core/episodes.ts";
import { sweepNotices } from "../core/sweep.ts";
import { RecordingPublisher } from "../testing.ts";
import { DynamoDbNotices } from "./dynamodb-notices.ts";

const NOW = new Date("2026-12-05T06:00:00.000Z");
const notice = (id: string, extra: Partial<Notice> = {}): Notice => ({
  id, kind: "hold-ended", trustId: "RX1", endpointId: "main", at: "2026-12-05T05:00:00.000Z", counts: { held: 12 }, ...extra,
});

describe("the notices table through the real SDK against dynalite (promises 10.30, 10.33)", () => {
  let server: Server;
  let client: DynamoDBClient;
  let n = 0;
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
    tableName = `notices-${++n}`;
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: NOTICE_KEY_ATTRIBUTE, AttributeType: "S" }],
        KeySchema: [{ AttributeName: NOTICE_KEY_ATTRIBUTE, KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
  });

  it("lists due unsent notices oldest first, claims once, marks sent once, and never lists a sent one again", async () => {
    const log = new DynamoDbNoticeLog({ client, tableName });
    await log.record(notice("b", { at: "2026-12-05T05:30:00.000Z" }));
    await log.record(notice("a", { at: "2026-12-05T06:00:00+01:00" })); // 05:00Z: an offset is compared as UTC
    await log.record(notice("later", { kind: "signing-key-overlap-ended", due: "2026-12-06T06:00:00.000Z", counts: undefined }));
    const table = new DynamoDbNotices({ client, tableName });

    const due = await table.due(NOW, 10);
    expect(due.status === "found" && due.value.map((d) => d.notice.id)).toEqual(["a", "b"]);

    expect(await table.claim("a", NOW, new Date(NOW.getTime() + 60_000))).toEqual({ status: "found", value: "a" });
    expect((await table.claim("a", NOW, new Date(NOW.getTime() + 60_000))).status).toBe("not-found"); // a second sweep
    const listed = await table.due(NOW, 10);
    expect(listed.status === "found" && listed.value.map((d) => d.notice.id)).toEqual(["b"]);

    expect(await table.markSent("a", NOW)).toEqual({ status: "found", value: "a" });
    expect((await table.markSent("a", NOW)).status).toBe("not-found");
    const lapsed = await table.due(new Date(NOW.getTime() + 3_600_000), 10);
    expect(lapsed.status === "found" && lapsed.value.map((d) => d.notice.id)).toEqual(["b"]);
    expect((await table.claim("a", new Date(NOW.getTime() + 3_600_000), new Date(NOW.getTime() + 3_700_000))).status).toBe("not-found");

    // A producer recording the sent notice again changes nothing.
    await log.record(notice("a", { at: "2026-12-05T06:00:00+01:00" }));
    const item = (await client.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: "a" } } }))).Item!;
    expect(item.sentAt).toEqual({ S: NOW.toISOString() });
    expect(item.claimedUntil).toBeUndefined();

    const tomorrow = await table.due(new Date("2026-12-06T06:00:00.000Z"), 10);
    expect(tomorrow.status === "found" && tomorrow.value.map((d) => d.notice.id)).toEqual(["b", "later"]);
  });

  it("a released claim is listed again at once; an unreleased one when it lapses", async () => {
    await new DynamoDbNoticeLog({ client, tableName }).record(notice("a"));
    const table = new DynamoDbNotices({ client, tableName });
    await table.claim("a", NOW, new Date(NOW.getTime() + 300_000));
    expect((await table.due(NOW, 10)).status === "found" && ((await table.due(NOW, 10)) as { value: unknown[] }).value).toEqual([]);
    await table.release("a");
    expect(((await table.due(NOW, 10)) as { value: unknown[] }).value).toHaveLength(1);
    await table.claim("a", NOW, new Date(NOW.getTime() + 300_000));
    expect(((await table.due(new Date(NOW.getTime() + 300_001), 10)) as { value: unknown[] }).value).toHaveLength(1);
  });

  it("keeps episodes beside the notices, written conditionally, never listed as notices", async () => {
    const table = new DynamoDbNotices({ client, tableName });
    const log = new DynamoDbNoticeLog({ client, tableName });
    const failing = { trustId: "RX1", endpointId: "main", cause: "dead-letters" as const, health: "failing" as const, at: "2026-12-05T05:59:00.000Z", deadLetters: 2 };
    expect(await recordObservation(failing, { episodes: table, notices: log })).toMatchObject({ status: "found", value: { notice: { kind: "deliveries-failing" } } });
    expect(await recordObservation({ ...failing, at: "2026-12-05T05:59:30.000Z" }, { episodes: table, notices: log })).toMatchObject({ status: "found", value: { why: expect.any(String) } });
    const episode = await table.get(failing);
    expect(episode).toMatchObject({ status: "found", value: { phase: "failing", since: failing.at, version: 0 } });
    if (episode.status !== "found") throw new Error("no episode");
    expect((await table.put({ ...episode.value, phase: "healthy" }, 7)).status).toBe("not-found");
    const due = await table.due(NOW, 10);
    expect(due.status === "found" && due.value.map((d) => d.notice.kind)).toEqual(["deliveries-failing"]);
    // and the whole path: the sweep publishes the one notice
    const publisher = new RecordingPublisher();
    const report = await sweepNotices({ table, publisher, topicArnPrefix: "arn:aws:sns:eu-west-2:123456789012:tc-prod-", now: () => NOW });
    expect(report.sent).toHaveLength(1);
    expect(publisher.published[0]!.topicArn).toBe("arn:aws:sns:eu-west-2:123456789012:tc-prod-RX1-notices");
  });

  it("reads every page of a large table", async () => {
    const log = new DynamoDbNoticeLog({ client, tableName });
    const reason = "r".repeat(200);
    await Promise.all(Array.from({ length: 60 }, (_, i) => log.record(notice(`n${String(i).padStart(3, "0")}`, { kind: "hold-started", reason }))));
    const table = new DynamoDbNotices({ client, tableName, pageSize: 7 });
    const calls: string[] = [];
    client.middlewareStack.add((next, context) => (args) => (calls.push(context.commandName!), next(args)), { step: "initialize", name: `count-${n}` });
    const due = await table.due(NOW, 1000);
    client.middlewareStack.remove(`count-${n}`);
    expect(due.status === "found" && due.value).toHaveLength(60);
    expect(calls).toEqual(Array.from({ length: 9 }, () => "ScanCommand")); // 60 items, 7 a page
    expect(due.status === "found" && due.value.map((d) => d.notice.id)).toEqual(Array.from({ length: 60 }, (_, i) => `n${String(i).padStart(3, "0")}`));
  });
});

describe("the notices table under faults (aws-sdk-client-mock)", () => {
  const mocked = new DynamoDBClient({ region: "eu-west-2", credentials: { accessKeyId: "x", secretAccessKey: "y" } });
  const dynamo = mockClient(mocked);
  const table = () => new DynamoDbNotices({ client: mocked, tableName: "t" });
  beforeEach(() => dynamo.reset());
  const error = (name: string, status?: number, fault?: "client" | "server") => Object.assign(new Error(name), { name, $fault: fault, $metadata: { httpStatusCode: status } });

  // fault → the one answer
  const faults: [string, () => void, () => Promise<unknown>, object][] = [
    ["Scan throttled: retry", () => dynamo.on(ScanCommand).rejects(error("ProvisionedThroughputExceededException", 400, "client")), () => table().due(NOW, 10), { status: "failed", retry: "now" }],
    ["Scan refused by our IAM: retry", () => dynamo.on(ScanCommand).rejects(error("AccessDeniedException", 400, "client")), () => table().due(NOW, 10), { status: "failed", retry: "now" }],
    ["Scan of a missing table: never", () => dynamo.on(ScanCommand).rejects(error("ResourceNotFoundException", 400, "client")), () => table().due(NOW, 10), { status: "failed", retry: "never" }],
    ["claim lost to another sweep: not-found", () => dynamo.on(UpdateItemCommand).rejects(error("ConditionalCheckFailedException", 400, "client")), () => table().claim("a", NOW, NOW), { status: "not-found" }],
    ["claim timed out: retry", () => dynamo.on(UpdateItemCommand).rejects(error("TimeoutError")), () => table().claim("a", NOW, NOW), { status: "failed", retry: "now" }],
    ["mark of a sent notice: not-found", () => dynamo.on(UpdateItemCommand).rejects(error("ConditionalCheckFailedException", 400, "client")), () => table().markSent("a", NOW), { status: "not-found" }],
    ["episode write lost the race: not-found", () => dynamo.on(PutItemCommand).rejects(error("ConditionalCheckFailedException", 400, "client")), () => table().put({ trustId: "RX1", endpointId: "m", cause: "dead-letters", phase: "failing", since: "x", changedAt: "x", told: true, version: 0 }, undefined), { status: "not-found" }],
    ["episode read fails: retry", () => dynamo.on(GetItemCommand).rejects(error("InternalServerError", 500, "server")), () => table().get({ trustId: "RX1", endpointId: "m", cause: "dead-letters" }), { status: "failed", retry: "now" }],
    ["a malformed episode: failed, never overwritten blindly", () => dynamo.on(GetItemCommand).resolves({ Item: { id: { S: "episode#RX1#m#dead-letters" }, phase: { S: "odd" } } }), () => table().get({ trustId: "RX1", endpointId: "m", cause: "dead-letters" }), { status: "failed" }],
  ];
  it.each(faults)("%s", async (_case, arrange, act, expected) => {
    arrange();
    expect(await act()).toMatchObject(expected);
  });

  it("claims and marks with the conditions that keep one publish per notice", async () => {
    dynamo.on(UpdateItemCommand).resolves({});
    await table().claim("a", NOW, new Date(NOW.getTime() + 1));
    await table().markSent("a", NOW);
    const [claim, mark] = dynamo.commandCalls(UpdateItemCommand).map((call) => call.args[0].input);
    expect(claim!.ConditionExpression).toBe("attribute_exists(#id) AND attribute_not_exists(#sentAt) AND (attribute_not_exists(#claimedUntil) OR #claimedUntil < :nowMs)");
    expect(mark!.ConditionExpression).toBe("attribute_exists(#id) AND attribute_not_exists(#sentAt)");
  });
});
