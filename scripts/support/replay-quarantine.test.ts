import { PutRecordsCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { sdkStreamMixin } from "@smithy/util-stream";
import { mockClient } from "aws-sdk-client-mock";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { QuarantinedRecord } from "@trust-callbacks/transform-filter";
import { S3QuarantineStore, dayPrefixes, type QuarantineStore } from "../lib/quarantine-store.ts";
import type { AuditLine } from "./redrive.ts";
import { replayQuarantine } from "./replay-quarantine.ts";
import { KinesisStreamWriter, type PutAnswer, type StreamRecord } from "./stream.ts";

const entry = (eventId: string, record: unknown = { data: Buffer.from(`{"eventId":"${eventId}"}`).toString("base64"), partitionKey: `conv-${eventId}` }): QuarantinedRecord => ({
  reason: "unknown trust RX1",
  eventID: `shardId-0:${eventId}`,
  trustId: "RX1",
  eventId,
  publishedEndpoints: [],
  endpointFailures: [],
  quarantinedAt: "2026-11-21T10:00:00.000Z",
  record,
});

function memoryStore(entries: Record<string, QuarantinedRecord>): QuarantineStore & { removed: string[] } {
  const removed: string[] = [];
  return {
    location: "memory",
    removed,
    async *list() {
      for (const [key, value] of Object.entries(entries)) yield { key, entry: value };
    },
    remove: async (key) => void removed.push(key),
  };
}

const selection = { trustId: "RX1", since: new Date("2026-11-21T00:00:00Z"), until: new Date("2026-11-22T00:00:00Z") };

describe("replayQuarantine", () => {
  it("removes an object only after the stream accepted its record; a refused one stays and is audited", async () => {
    const store = memoryStore({ a: entry("a"), b: entry("b"), c: entry("c", { not: "a record" }) });
    const put: StreamRecord[] = [];
    const stream = {
      put: async (records: StreamRecord[]): Promise<PutAnswer[]> => {
        put.push(...records);
        return records.map((r) => (r.partitionKey === "conv-b" ? { accepted: false, reason: "ProvisionedThroughputExceededException: slow down" } : { accepted: true }));
      },
    };
    const audit: AuditLine[] = [];

    const summary = await replayQuarantine(store, stream, { selection, dryRun: false, ratePerSecond: 1000, operator: "me", audit: (l) => void audit.push(l) });

    expect(summary).toEqual({ selected: 3, replayed: 1, failed: 1, skipped: 1, stoppedEarly: false });
    expect(store.removed).toEqual(["a"]);
    expect(put.map((r) => [r.partitionKey, r.data.toString()])).toEqual([
      ["conv-a", '{"eventId":"a"}'],
      ["conv-b", '{"eventId":"b"}'],
    ]);
    expect(audit.map((l) => [l.quarantineKey, l.outcome])).toEqual([
      ["a", "replayed"],
      ["b", "failed"],
      ["c", "skipped"],
    ]);
  });

  it("puts and removes nothing on a dry run, and stops before the next object when aborted", async () => {
    const store = memoryStore({ a: entry("a"), b: entry("b") });
    const stream = { put: async (): Promise<PutAnswer[]> => Promise.reject(new Error("must not be called")) };
    const dry = await replayQuarantine(store, stream, { selection, dryRun: true, ratePerSecond: 1, operator: "me", audit: () => {} });
    expect(dry).toMatchObject({ selected: 2, replayed: 0 });

    const controller = new AbortController();
    const accepting = { put: async (records: StreamRecord[]): Promise<PutAnswer[]> => (controller.abort(), records.map(() => ({ accepted: true as const }))) };
    const stopped = await replayQuarantine(store, accepting, { selection, dryRun: false, ratePerSecond: 1000, operator: "me", audit: () => {}, signal: controller.signal });
    expect(stopped).toMatchObject({ selected: 1, replayed: 1, stoppedEarly: true });
    expect(store.removed).toEqual(["a"]);
  });
});

describe("S3QuarantineStore and KinesisStreamWriter", () => {
  it("lists the trust's folder of each day of the window and deletes by key", async () => {
    const s3 = mockClient(S3Client);
    s3.on(ListObjectsV2Command).resolves({ Contents: [] });
    s3.on(ListObjectsV2Command, { Prefix: "quarantine/2026/11/21/RX1/" }).resolves({ Contents: [{ Key: "quarantine/2026/11/21/RX1/a.json" }] });
    s3.on(GetObjectCommand).resolves({ Body: sdkStreamMixin(Readable.from([Buffer.from(JSON.stringify(entry("a")))])) });
    s3.on(DeleteObjectCommand).resolves({});
    const store = new S3QuarantineStore(s3 as unknown as S3Client, "qb");

    const found = [];
    for await (const object of store.list({ ...selection, until: new Date("2026-11-22T23:00:00Z") })) found.push(object);
    await store.remove(found[0]!.key);

    expect(s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input.Prefix)).toEqual(["quarantine/2026/11/21/RX1/", "quarantine/2026/11/22/RX1/"]);
    expect(found.map((f) => f.entry.eventId)).toEqual(["a"]);
    expect(s3.commandCalls(DeleteObjectCommand)[0]!.args[0].input).toEqual({ Bucket: "qb", Key: "quarantine/2026/11/21/RX1/a.json" });
    expect(dayPrefixes(new Date("2026-12-31T23:00:00Z"), new Date("2027-01-01T01:00:00Z"))).toEqual(["2026/12/31/", "2027/01/01/"]);
  });

  it("reads PutRecords' per-record results in request order", async () => {
    const kinesis = mockClient(KinesisClient);
    kinesis.on(PutRecordsCommand).resolves({ FailedRecordCount: 1, Records: [{ SequenceNumber: "1", ShardId: "s" }, { ErrorCode: "InternalFailure", ErrorMessage: "Internal Service Failure" }] });
    const writer = new KinesisStreamWriter(kinesis as unknown as KinesisClient, "arn:aws:kinesis:eu-west-2:123456789012:stream/s");

    const answers = await writer.put([{ data: Buffer.from("x"), partitionKey: "p1" }, { data: Buffer.from("y"), partitionKey: "p2" }]);

    expect(answers).toEqual([{ accepted: true }, { accepted: false, reason: "InternalFailure: Internal Service Failure" }]);
    expect(kinesis.commandCalls(PutRecordsCommand)[0]!.args[0].input.StreamARN).toBe("arn:aws:kinesis:eu-west-2:123456789012:stream/s");
  });
});
