import { createHash } from "node:crypto";
import type { PipeKinesisRecord } from "@trust-callbacks/transform-filter";

export type PipeTarget = (records: PipeKinesisRecord[]) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

export interface LocalPipeOptions {
  shards: number;
  batchSize: number;
  /** Retries of one record before it goes to the Pipe's DLQ (the Pipe's maximum_retry_attempts). */
  maximumRetryAttempts: number;
  retryDelayMs?: number;
}

/**
 * A Kinesis stream read by an EventBridge Pipe: records are sharded by partition key, each shard is
 * read in order in batches, and a batch's failures are retried from the first failed record
 * (the Kinesis checkpoint), so later records of the shard wait. A record that keeps failing goes
 * to the Pipe's dead-letter list after `maximumRetryAttempts`.
 */
export class LocalPipe {
  readonly deadLettered: PipeKinesisRecord[] = [];
  invocations = 0;
  private readonly shards: PipeKinesisRecord[][];
  private readonly retries = new Map<string, number>();
  private sequence = 0n;
  private closed = false;
  private wake?: () => void;

  constructor(
    private readonly target: PipeTarget,
    private readonly options: LocalPipeOptions,
  ) {
    this.shards = Array.from({ length: options.shards }, () => []);
  }

  put(data: string | Buffer, partitionKey: string): PipeKinesisRecord {
    const shard = createHash("md5").update(partitionKey).digest().readUInt32BE(0) % this.options.shards;
    this.sequence += 1n;
    const sequenceNumber = (49_600_000_000_000_000_000_000_000_000n + this.sequence).toString();
    const shardId = `shardId-${String(shard).padStart(12, "0")}`;
    const record: PipeKinesisRecord = {
      kinesisSchemaVersion: "1.0",
      partitionKey,
      sequenceNumber,
      data: Buffer.from(data).toString("base64"),
      approximateArrivalTimestamp: Date.now() / 1000,
      eventSource: "aws:kinesis",
      eventVersion: "1.0",
      eventID: `${shardId}:${sequenceNumber}`,
      eventName: "aws:kinesis:record",
      invokeIdentityArn: "arn:aws:iam::000000000000:role/local-pipe",
      awsRegion: "local",
      eventSourceARN: "arn:aws:kinesis:local:000000000000:stream/conversation-events",
    };
    this.shards[shard]!.push(record);
    this.wake?.();
    return record;
  }

  /** No more records will be put; `run` returns once every shard is drained. */
  close(): void {
    this.closed = true;
    this.wake?.();
  }

  async run(): Promise<void> {
    await Promise.all(this.shards.map((_shard, index) => this.readShard(index)));
  }

  private async readShard(index: number): Promise<void> {
    const shard = this.shards[index]!;
    for (;;) {
      if (shard.length === 0) {
        if (this.closed) return;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, 50);
        });
        continue;
      }
      const batch = shard.slice(0, this.options.batchSize);
      this.invocations += 1;
      let failed: Set<string>;
      try {
        failed = new Set((await this.target(batch)).batchItemFailures.map((f) => f.itemIdentifier));
      } catch {
        failed = new Set(batch.map((r) => r.eventID)); // the whole invocation failed
      }
      const firstFailed = batch.findIndex((r) => failed.has(r.eventID));
      if (firstFailed === -1) {
        shard.splice(0, batch.length);
        continue;
      }
      shard.splice(0, firstFailed); // checkpoint before the first failure; the rest is read again
      const head = shard[0]!;
      const retries = (this.retries.get(head.eventID) ?? 0) + 1;
      this.retries.set(head.eventID, retries);
      if (retries > this.options.maximumRetryAttempts) {
        this.deadLettered.push(shard.shift()!);
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs ?? 100));
    }
  }
}
