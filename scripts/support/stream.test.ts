import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand } from "@aws-sdk/client-kinesis";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { KinesisStreamReader } from "./stream.ts";

const arn = "arn:aws:kinesis:eu-west-2:123456789012:stream/conversation-events";
const shard = (ShardId: string) => ({ ShardId, HashKeyRange: { StartingHashKey: "0", EndingHashKey: "1" }, SequenceNumberRange: { StartingSequenceNumber: "0" } });
const record = (seq: string, at: string) => ({ SequenceNumber: seq, PartitionKey: `conv-${seq}`, Data: Buffer.from(`{"n":${seq}}`), ApproximateArrivalTimestamp: new Date(at) });

describe("KinesisStreamReader", () => {
  it("reads every shard from AT_TIMESTAMP --since and stops at the first record after --until or at a closed shard", async () => {
    const kinesis = mockClient(KinesisClient);
    kinesis.on(ListShardsCommand).resolves({ Shards: [shard("shardId-0"), shard("shardId-1")] });
    kinesis.on(GetShardIteratorCommand, { ShardId: "shardId-0" }).resolves({ ShardIterator: "it-0" });
    kinesis.on(GetShardIteratorCommand, { ShardId: "shardId-1" }).resolves({ ShardIterator: "it-1" });
    kinesis.on(GetRecordsCommand, { ShardIterator: "it-0" }).resolves({ Records: [record("1", "2026-11-21T10:00:01Z")], NextShardIterator: "it-0b", MillisBehindLatest: 1000 });
    kinesis.on(GetRecordsCommand, { ShardIterator: "it-0b" }).resolves({ Records: [record("2", "2026-11-21T10:59:59Z"), record("3", "2026-11-21T11:00:01Z")], NextShardIterator: "it-0c" });
    kinesis.on(GetRecordsCommand, { ShardIterator: "it-1" }).resolves({ Records: [record("4", "2026-11-21T10:30:00Z")] }); // closed: no next iterator
    const reader = new KinesisStreamReader(kinesis as unknown as KinesisClient, arn, { sleep: async () => {} });

    const batches = [];
    for await (const batch of reader.read({ since: new Date("2026-11-21T10:00:00Z"), until: new Date("2026-11-21T11:00:00Z") })) batches.push(batch);

    expect(kinesis.commandCalls(GetShardIteratorCommand).map((c) => c.args[0].input)).toEqual([
      { StreamARN: arn, ShardId: "shardId-0", ShardIteratorType: "AT_TIMESTAMP", Timestamp: new Date("2026-11-21T10:00:00Z") },
      { StreamARN: arn, ShardId: "shardId-1", ShardIteratorType: "AT_TIMESTAMP", Timestamp: new Date("2026-11-21T10:00:00Z") },
    ]);
    expect(kinesis.commandCalls(GetRecordsCommand).map((c) => c.args[0].input.ShardIterator)).toEqual(["it-0", "it-0b", "it-1"]);
    expect(batches.flat().map((r) => [r.eventID, r.partitionKey, Buffer.from(r.data, "base64").toString()])).toEqual([
      ["shardId-0:1", "conv-1", '{"n":1}'],
      ["shardId-0:2", "conv-2", '{"n":2}'],
      ["shardId-1:4", "conv-4", '{"n":4}'],
    ]);
  });
});
