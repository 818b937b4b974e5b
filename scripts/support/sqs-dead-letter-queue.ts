import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { DeadLetterAttributes, DeadLetterMessage, DeadLetterQueue } from "../lib/dead-letter-queue.ts";

/** A trust's DLQ in SQS, as EventBridge fills it. */
export class SqsDeadLetterQueue implements DeadLetterQueue {
  constructor(
    private readonly sqs: SQSClient,
    readonly trustId: string,
    readonly location: string,
  ) {}

  async stats() {
    const { Attributes } = await this.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: this.location, AttributeNames: ["ApproximateNumberOfMessages"] }),
    );
    // SQS has no "oldest message" attribute; a zero-visibility peek at up to 10 messages gives an estimate.
    const peek = await this.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: this.location, MaxNumberOfMessages: 10, VisibilityTimeout: 0, MessageSystemAttributeNames: ["SentTimestamp"] }),
    );
    const sent = (peek.Messages ?? []).map((m) => Number(m.Attributes?.SentTimestamp)).filter(Number.isFinite);
    return { depth: Number(Attributes?.ApproximateNumberOfMessages ?? 0), ...(sent.length ? { oldestSentTimestamp: Math.min(...sent) } : {}) };
  }

  async receive(max: number, visibilitySeconds: number): Promise<DeadLetterMessage[]> {
    const { Messages } = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.location,
        MaxNumberOfMessages: Math.min(10, max),
        VisibilityTimeout: visibilitySeconds,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ["All"],
        MessageSystemAttributeNames: ["SentTimestamp"],
      }),
    );
    return (Messages ?? []).map((m) => ({
      messageId: m.MessageId!,
      receiptHandle: m.ReceiptHandle!,
      body: m.Body ?? "",
      attributes: Object.fromEntries(
        Object.entries(m.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue ?? ""]),
      ) as unknown as DeadLetterAttributes,
      sentTimestamp: Number(m.Attributes?.SentTimestamp ?? 0),
    }));
  }

  async delete(message: DeadLetterMessage): Promise<void> {
    await this.sqs.send(new DeleteMessageCommand({ QueueUrl: this.location, ReceiptHandle: message.receiptHandle }));
  }

  async release(message: DeadLetterMessage): Promise<void> {
    await this.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: this.location, ReceiptHandle: message.receiptHandle, VisibilityTimeout: 0 }));
  }

  async purge(): Promise<number> {
    const { depth } = await this.stats();
    await this.sqs.send(new PurgeQueueCommand({ QueueUrl: this.location }));
    return depth;
  }
}
