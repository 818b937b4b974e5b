import { existsSync, readFileSync } from "node:fs";
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, PutRecordsCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import type { PipeKinesisRecord } from "@trust-callbacks/transform-filter";

/** One record to put on the source stream: its data (the platform event, as the platform wrote it) and partition key. */
export interface StreamRecord {
  data: Buffer;
  partitionKey: string;
}

/** Per record, in request order: accepted, or why not. */
export type PutAnswer = { accepted: true } | { accepted: false; reason: string };

/** Where replayed records go: the source stream (Kinesis), or the local pipeline's stream stand-in. */
export interface StreamWriter {
  put(records: StreamRecord[]): Promise<PutAnswer[]>;
}

/**
 * Kinesis PutRecords (at most 500 records per call; results "correlated with the request by natural ordering";
 * a failed record carries ErrorCode `ProvisionedThroughputExceededException` or `InternalFailure`):
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html and API_PutRecordsResultEntry.html.
 * A call that fails as a whole answers every record as not accepted.
 */
export class KinesisStreamWriter implements StreamWriter {
  constructor(
    private readonly kinesis: KinesisClient,
    private readonly streamArn: string,
  ) {}

  async put(records: StreamRecord[]): Promise<PutAnswer[]> {
    const answers: PutAnswer[] = [];
    for (let i = 0; i < records.length; i += 500) {
      const chunk = records.slice(i, i + 500);
      try {
        const response = await this.kinesis.send(
          new PutRecordsCommand({ StreamARN: this.streamArn, Records: chunk.map((r) => ({ Data: r.data, PartitionKey: r.partitionKey })) }),
        );
        answers.push(
          ...chunk.map((_r, index): PutAnswer => {
            const result = response.Records?.[index];
            return result?.SequenceNumber && !result.ErrorCode ? { accepted: true } : { accepted: false, reason: `${result?.ErrorCode ?? "MissingResult"}: ${result?.ErrorMessage ?? "no result"}` };
          }),
        );
      } catch (error) {
        answers.push(...chunk.map((): PutAnswer => ({ accepted: false, reason: `PutRecords failed: ${(error as Error).name}: ${(error as Error).message}` })));
      }
    }
    return answers;
  }
}

/** A window of the source stream. */
export interface StreamWindow {
  since: Date;
  until: Date;
}

/** Reads the records that arrived in a window, shard by shard, in batches (the Pipe's record shape). */
export interface StreamReader {
  read(window: StreamWindow, signal?: AbortSignal): AsyncIterable<PipeKinesisRecord[]>;
}

/**
 * The source stream, read for a window: ListShards, then per shard GetShardIterator `AT_TIMESTAMP` at --since and
 * GetRecords until a record arrived after --until, the shard is closed (no NextShardIterator) or the reader is
 * at the tip (MillisBehindLatest 0 and no records). Kinesis API Reference, "GetShardIterator" (AT_TIMESTAMP reads
 * "from the position denoted by a specific time stamp"; an iterator expires after 5 minutes) and "GetRecords"
 * (NextShardIterator null: "the shard has been closed"; MillisBehindLatest 0: caught up):
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetShardIterator.html,
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetRecords.html. Only within the stream's retention.
 */
export class KinesisStreamReader implements StreamReader {
  constructor(
    private readonly kinesis: KinesisClient,
    private readonly streamArn: string,
    private readonly options: { limit?: number; pauseMs?: number; sleep?: (ms: number) => Promise<void> } = {},
  ) {}

  async *read(window: StreamWindow, signal?: AbortSignal): AsyncIterable<PipeKinesisRecord[]> {
    const sleep = this.options.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
    const shards: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.kinesis.send(new ListShardsCommand(NextToken ? { NextToken } : { StreamARN: this.streamArn }));
      shards.push(...(page.Shards ?? []).map((s) => s.ShardId!));
      NextToken = page.NextToken;
    } while (NextToken);
    const region = this.streamArn.split(":")[3] ?? "";
    for (const shardId of shards) {
      let { ShardIterator: iterator } = await this.kinesis.send(
        new GetShardIteratorCommand({ StreamARN: this.streamArn, ShardId: shardId, ShardIteratorType: "AT_TIMESTAMP", Timestamp: window.since }),
      );
      while (iterator && !signal?.aborted) {
        const page = await this.kinesis.send(new GetRecordsCommand({ StreamARN: this.streamArn, ShardIterator: iterator, Limit: this.options.limit ?? 1000 }));
        const records = (page.Records ?? []).map(
          (r): PipeKinesisRecord => ({
            kinesisSchemaVersion: "1.0",
            partitionKey: r.PartitionKey ?? "",
            sequenceNumber: r.SequenceNumber ?? "",
            data: Buffer.from(r.Data ?? new Uint8Array()).toString("base64"),
            approximateArrivalTimestamp: (r.ApproximateArrivalTimestamp?.getTime() ?? 0) / 1000,
            eventSource: "aws:kinesis",
            eventVersion: "1.0",
            eventID: `${shardId}:${r.SequenceNumber}`,
            eventName: "aws:kinesis:record",
            awsRegion: region,
            eventSourceARN: this.streamArn,
          }),
        );
        const inWindow = records.filter((r) => (r.approximateArrivalTimestamp ?? 0) * 1000 <= window.until.getTime());
        if (inWindow.length > 0) yield inWindow;
        const pastWindow = inWindow.length < records.length;
        const atTip = records.length === 0 && page.MillisBehindLatest === 0;
        if (pastWindow || atTip) break;
        iterator = page.NextShardIterator;
        // GetRecords is limited to 5 calls per second per shard.
        if (records.length === 0) await sleep(this.options.pauseMs ?? 200);
      }
    }
  }
}

/** The local pipeline's stream stand-in (`.local/stream.jsonl`, every record the local pipe was given). */
export class FileStreamReader implements StreamReader {
  constructor(private readonly file: string) {}

  async *read(window: StreamWindow): AsyncIterable<PipeKinesisRecord[]> {
    if (!existsSync(this.file)) return;
    const records = readFileSync(this.file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as PipeKinesisRecord)
      .filter((r) => {
        const at = (r.approximateArrivalTimestamp ?? 0) * 1000;
        return at >= window.since.getTime() && at <= window.until.getTime();
      });
    for (let i = 0; i < records.length; i += 100) yield records.slice(i, i + 100);
  }
}
