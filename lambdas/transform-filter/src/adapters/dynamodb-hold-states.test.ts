import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { BatchGetItemCommand, CreateTableCommand, DynamoDBClient, PutItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import dynalite from "dynalite";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { HOLD_STATE_MAX_AGE_SECONDS, type HoldState } from "@trust-callbacks/schemas";
import { sdkError } from "../testing/sdk-faults.ts";
import { DynamoDbHoldStates, HOLD_KEY_ATTRIBUTE } from "./dynamodb-hold-states.ts";

const T0 = Date.parse("2026-12-05T10:00:00Z");
const held = (endpointId: string, overrides: Partial<HoldState> = {}): HoldState => ({
  trustId: "RX1",
  endpointId,
  phase: "held",
  source: "adhoc",
  reason: "EPR upgrade",
  heldAt: "2026-12-05T09:00:00Z",
  heldBy: "arn:aws:sts::123456789012:assumed-role/support/alice",
  drained: 0,
  version: 0,
  ...overrides,
});
const ref = (endpointId: string) => ({ trustId: "RX1", endpointId });

describe("DynamoDbHoldStates through the real SDK against dynalite", () => {
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
    tableName = `holds-${++table}`;
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: HOLD_KEY_ATTRIBUTE, AttributeType: "S" }],
        KeySchema: [{ AttributeName: HOLD_KEY_ATTRIBUTE, KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    calls.length = 0;
    clock = T0;
  });
  const store = (options = {}) => new DynamoDbHoldStates({ client, tableName, now: () => clock, random: () => 1, ...options });

  it("writes a new hold only where none is (version 1), then only over the version it read; a lost race answers not-found", async () => {
    const states = store();
    expect(await states.put(held("ep1"), undefined)).toEqual({ status: "found", value: held("ep1", { version: 1 }) });
    // A second operator's `hold` on the same endpoint: refused, not overwritten.
    expect((await store().put(held("ep1", { reason: "other" }), undefined)).status).toBe("not-found");
    // The drain moves it on from the version it read; a writer still holding version 0 loses.
    const draining = await states.put(held("ep1", { phase: "draining", drainStartedAt: "2026-12-05T10:00:00Z", version: 1 }), 1);
    expect(draining).toEqual({ status: "found", value: held("ep1", { phase: "draining", drainStartedAt: "2026-12-05T10:00:00Z", version: 2 }) });
    expect((await store().put(held("ep1", { phase: "closing", version: 0 }), 0)).status).toBe("not-found");

    const fresh = store();
    calls.length = 0;
    const answers = await fresh.getMany([ref("ep1"), ref("ep2"), ref("ep1")]);
    expect(answers.get("RX1#ep1")).toEqual({ status: "found", value: held("ep1", { phase: "draining", drainStartedAt: "2026-12-05T10:00:00Z", version: 2 }) });
    expect(answers.get("RX1#ep2")?.status).toBe("not-found");
    expect(answers.size).toBe(2);
    expect(calls).toEqual(["BatchGetItemCommand"]);
  });

  it("deletes only at the version read", async () => {
    const states = store();
    await states.put(held("ep1"), undefined);
    expect((await states.delete(ref("ep1"), 0)).status).toBe("not-found");
    expect(await states.delete(ref("ep1"), 1)).toEqual({ status: "found", value: ref("ep1") });
    expect((await store().getMany([ref("ep1")])).get("RX1#ep1")?.status).toBe("not-found");
  });

  it("answers a warm read from its cache, absences too, and asks DynamoDB again once the age bound has passed", async () => {
    const states = store({ random: () => 1 }); // the longest jittered age: exactly the bound
    await store().put(held("ep1"), undefined);
    await states.getMany([ref("ep1"), ref("ep2")]);
    calls.length = 0;

    clock = T0 + HOLD_STATE_MAX_AGE_SECONDS * 1000 - 1;
    expect(states.cached(ref("ep1"))?.status).toBe("found");
    expect(states.cached(ref("ep2"))?.status).toBe("not-found");
    await states.getMany([ref("ep1"), ref("ep2")]);
    expect(calls).toEqual([]); // a warm batch reads nothing

    // Another container resumes ep1 meanwhile; at the bound this one sees it (no stale answer past it).
    await store().put(held("ep1", { phase: "draining", version: 1 }), 1);
    calls.length = 0;
    clock = T0 + HOLD_STATE_MAX_AGE_SECONDS * 1000;
    expect(states.cached(ref("ep1"))).toBeUndefined();
    const answers = await states.getMany([ref("ep1"), ref("ep2")]);
    expect(answers.get("RX1#ep1")?.status === "found" && answers.get("RX1#ep1")).toMatchObject({ value: { phase: "draining" } });
    expect(calls).toEqual(["BatchGetItemCommand"]);
  });

  it("spreads cache ages below the bound, never above it", async () => {
    for (const random of [0, 0.5, 1]) {
      const states = store({ random: () => random });
      await states.getMany([ref("none")]);
      clock += HOLD_STATE_MAX_AGE_SECONDS * 1000;
      expect(states.cached(ref("none"))).toBeUndefined();
      clock = T0;
    }
    const early = store({ random: () => 0 });
    await early.getMany([ref("none")]);
    clock = T0 + Math.ceil((HOLD_STATE_MAX_AGE_SECONDS * 1000 * 2) / 3) + 1;
    expect(early.cached(ref("none"))).toBeUndefined();
  });

  it("reads more than 100 endpoints in calls of at most 100 keys", async () => {
    const endpoints = Array.from({ length: 230 }, (_, i) => ref(`ep${i}`));
    await store().put(held("ep150"), undefined);
    calls.length = 0;
    const answers = await store().getMany(endpoints);
    expect(answers.size).toBe(230);
    expect(answers.get("RX1#ep150")?.status).toBe("found");
    expect(calls).toEqual(["BatchGetItemCommand", "BatchGetItemCommand", "BatchGetItemCommand"]);
  });

  it("lists every item across Scan pages, leaving out a malformed one", async () => {
    const states = store();
    for (let i = 0; i < 5; i++) await states.put(held(`ep${i}`, { reason: "x".repeat(190) }), undefined);
    await client.send(new PutItemCommand({ TableName: tableName, Item: { [HOLD_KEY_ATTRIBUTE]: { S: "RX1#bad" }, phase: { S: "sleeping" } } }));
    const paged = mockScanPages(client, tableName);
    const listed = await states.list();
    paged.restore();
    expect(listed.status === "found" && listed.value.map((state) => state.endpointId).sort()).toEqual(["ep0", "ep1", "ep2", "ep3", "ep4"]);
    expect(paged.pages).toBeGreaterThan(1);
  });

  it("answers a malformed item as failed, never as 'no hold'", async () => {
    await client.send(new PutItemCommand({ TableName: tableName, Item: { [HOLD_KEY_ATTRIBUTE]: { S: "RX1#ep1" }, trustId: { S: "RX1" }, phase: { S: "held" } } }));
    const answer = (await store().getMany([ref("ep1")])).get("RX1#ep1");
    expect(answer).toMatchObject({ status: "failed", retry: "later" });
  });
});

/** Scan with Limit 2 through the real table, so `list` must follow LastEvaluatedKey. */
function mockScanPages(client: DynamoDBClient, tableName: string) {
  const state = { pages: 0, restore: () => {} };
  const id = "limitScan";
  client.middlewareStack.add(
    (next, context) => (args) => {
      if (context.commandName === "ScanCommand") {
        state.pages += 1;
        (args.input as { Limit?: number; TableName?: string }).Limit = 2;
        expect((args.input as { TableName?: string }).TableName).toBe(tableName);
      }
      return next(args);
    },
    { step: "initialize", name: id },
  );
  state.restore = () => void client.middlewareStack.remove(id);
  return state;
}

describe("DynamoDbHoldStates classifies DynamoDB's faults (aws-sdk-client-mock)", () => {
  // Each fault of the table, the one answer the port gives: nothing DynamoDB says about our own table drops a delivery.
  const cases: [string, Error, "now" | "later"][] = [
    ["throttled", sdkError("throttled"), "now"],
    ["server error", sdkError("server"), "now"],
    ["timeout", sdkError("timeout"), "now"],
    ["denied by our own IAM", sdkError("denied"), "now"],
    ["validation (our own bug)", Object.assign(new Error("bad"), { name: "ValidationException", $fault: "client", $metadata: { httpStatusCode: 400 } }), "later"],
    ["table missing", Object.assign(new Error("no table"), { name: "ResourceNotFoundException", $fault: "client", $metadata: { httpStatusCode: 400 } }), "later"],
  ];

  it.each(cases)("%s: getMany, put, delete and list answer failed(%s), and nothing is cached", async (_name, error, retry) => {
    const client = new DynamoDBClient({ region: "eu-west-2", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    const mock = mockClient(client);
    mock.onAnyCommand().rejects(error);
    const states = new DynamoDbHoldStates({ client, tableName: "holds" });
    expect((await states.getMany([ref("ep1")])).get("RX1#ep1")).toMatchObject({ status: "failed", retry });
    expect(states.cached(ref("ep1"))).toBeUndefined();
    expect(await states.put(held("ep1"), undefined)).toMatchObject({ status: "failed", retry });
    expect(await states.delete(ref("ep1"), 1)).toMatchObject({ status: "failed", retry });
    expect(await states.list()).toMatchObject({ status: "failed", retry });
    mock.restore();
  });

  it("asks again for keys left unprocessed, then answers them failed(now) without caching", async () => {
    const client = new DynamoDBClient({ region: "eu-west-2", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    const mock = mockClient(client);
    mock.on(BatchGetItemCommand).resolves({ Responses: { holds: [] }, UnprocessedKeys: { holds: { Keys: [{ [HOLD_KEY_ATTRIBUTE]: { S: "RX1#ep1" } }] } } });
    const states = new DynamoDbHoldStates({ client, tableName: "holds", sleep: async () => {} });
    const answers = await states.getMany([ref("ep1"), ref("ep2")]);
    expect(answers.get("RX1#ep1")).toMatchObject({ status: "failed", retry: "now" });
    expect(answers.get("RX1#ep2")?.status).toBe("not-found");
    expect(mock.commandCalls(BatchGetItemCommand)).toHaveLength(3);
    expect(states.cached(ref("ep1"))).toBeUndefined();
    expect(mock.commandCalls(ScanCommand)).toHaveLength(0);
    mock.restore();
  });
});
