import { PutRecordsCommand, type KinesisClient } from "@aws-sdk/client-kinesis";

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
