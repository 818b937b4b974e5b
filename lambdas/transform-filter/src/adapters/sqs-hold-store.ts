import { createHash } from "node:crypto";
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { CallbackCloudEvent, HOLD_MESSAGE_GROUP, holdKey, holdQueueName } from "@trust-callbacks/schemas";
import { describeError, failed, found, TransientError, type Failed, type Result, type Retry } from "@trust-callbacks/runtime";
import { classifyAwsError } from "@trust-callbacks/runtime/aws";
import type { EndpointRef, HeldDelivery, HoldStore, ReceivedDelivery } from "../core/hold-ports.ts";
import type { PublishResult } from "../core/ports.ts";

/**
 * SendMessageBatch takes at most 10 messages a call ("Message batch": Amazon SQS message quotas,
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html); ReceiveMessage
 * hands back at most 10 (MaxNumberOfMessages 1-10), DeleteMessageBatch deletes at most 10.
 */
export const MAX_MESSAGES_PER_SQS_BATCH = 10;

/**
 * The largest message, and the largest batch, this adapter sends: 256 KiB. SQS raised both to 1 MiB in 2025
 * (SendMessageBatch: "The maximum allowed individual message size and the maximum total payload size ... are both
 * 1 MiB", https://docs.aws.amazon.com/cli/latest/reference/sqs/send-message-batch.html; AWS Compute Blog, "More room
 * to build: serverless services now support payloads up to 1 MB",
 * https://aws.amazon.com/blogs/compute/more-room-to-build-serverless-services-now-support-payloads-up-to-1-mb), but
 * a queue's own `MaximumMessageSize` still caps it and provider 5.100 sets at most 262,144 (docs/aws-facts: "SQS
 * message size"). Held bodies are the CloudEvent of a bus entry, which the sign stage caps below
 * `MAX_DEAD_LETTER_ENTRY_BYTES` (240 KiB), so every held delivery fits; batches are packed to the old total too, so
 * this holds under either limit.
 */
export const MAX_HOLD_MESSAGE_BYTES = 256 * 1024;

/**
 * Valid as a MessageDeduplicationId: up to 128 alphanumeric characters and punctuation (!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~)
 * (SendMessageBatchRequestEntry, https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatchRequestEntry.html;
 * the same rule as MessageGroupId in the message quotas page above).
 */
const DEDUPLICATION_ID = /^[!-~]{1,128}$/; // printable ASCII without the space: exactly the letters, digits and that punctuation

/**
 * A delivery's deduplication id: its CloudEvent id (a UUID: 36 characters, always valid), or, for an id SQS would
 * refuse, the SHA-256 hex of it (64 characters): still one id per CloudEvent id, so a repeat is still deduplicated.
 */
export const holdDeduplicationId = (cloudEventId: string): string =>
  DEDUPLICATION_ID.test(cloudEventId) ? cloudEventId : createHash("sha256").update(cloudEventId).digest("hex");

/**
 * Entry error codes that say SQS or KMS is busy or had a fault: resend now. SQS documents the batch result's `Code`
 * only as "An error code representing why the action failed on this entry"
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_BatchResultErrorEntry.html); these are
 * its error names (SendMessage's Errors: RequestThrottled, KmsThrottled; the common InternalFailure,
 * ServiceUnavailable, ThrottlingException: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html).
 */
const RESEND_NOW = new Set(["RequestThrottled", "KmsThrottled", "KMS.ThrottlingException", "ThrottlingException", "InternalFailure", "InternalError", "ServiceUnavailable"]);
/** Entry codes that say the message itself can never be accepted (characters outside the allowed set, too long). */
const REJECTED = new Set(["InvalidMessageContents", "MessageTooLong"]);

/**
 * What to do about a message SendMessageBatch did not accept, from its code: resend now, never (quarantine the
 * delivery), or let the Pipe retry the record later. Every other code (a KMS key refused or disabled, a queue
 * missing, a code not known here) is "later": our own deployment, fixed by a deploy, never a reason to drop content.
 */
export const retryForHoldStoreError = (code: string): Retry => (RESEND_NOW.has(code) ? "now" : REJECTED.has(code) ? "never" : "later");

export interface SqsHoldStoreOptions {
  client: SQSClient;
  /** `https://sqs.<region>.amazonaws.com/<account>/` (env `HOLD_QUEUE_URL_BASE`); a store's URL adds `holdQueueName`. */
  queueUrlBase: string;
  /** The deployment's name prefix (env `NAME_PREFIX`), e.g. `trust-callbacks-prod`. */
  namePrefix: string;
  /**
   * How long a received delivery stays hidden before it is handed out again (ReceiveMessage VisibilityTimeout),
   * default 60 s: the drain function's whole timeout, so a delivery is never handed to a second drain while the one
   * that received it may still be sending it, and an interrupted drain's deliveries come back a minute later. It
   * covers a paced send of 10 at the slowest drain rate (1/s: `drainRatePerSecond` min 1) with 50 s to spare
   * (visibility timeout: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html).
   */
  visibilityTimeoutSeconds?: number;
  /**
   * Long-poll wait of `receive` (ReceiveMessage WaitTimeSeconds), default 1 s: a short poll samples a subset of
   * servers and may answer empty while messages wait ("false empty responses"), which would make the drain close
   * a store that still holds deliveries; any wait above 0 queries all of them
   * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/best-practices-setting-up-long-polling.html).
   * The client's request timeout must be longer than this.
   */
  receiveWaitSeconds?: number;
}

interface Message {
  delivery: HeldDelivery;
  index: number;
  body: string;
  bytes: number;
}

/**
 * Hold stores in SQS FIFO queues, one per endpoint (port `HoldStore`; docs/adr/0002-holds.md).
 *
 * `append`: the deliveries grouped by endpoint, in order; per endpoint, SendMessageBatch calls of at most 10 messages
 * and 256 KiB, one after another ("For a FIFO queue, multiple messages within a single batch are enqueued in the order
 * they are sent": SendMessageBatch), all in message group `HOLD_MESSAGE_GROUP`, deduplicated by CloudEvent id (SQS
 * keeps an id 5 minutes: a repeat within them is accepted and not stored twice; exactly-once processing,
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-exactly-once-processing.html).
 * Endpoints are sent in parallel. After a call that did not store every message, the endpoint's later messages are
 * not sent (answered "resend now"), so a retried delivery does not land behind ones that came after it more than it
 * must. Per-entry failures are classified by `retryForHoldStoreError`; a call that failed as a whole answers "now"
 * when transient, else "later" (never "never": a failed call says nothing against its messages), like PutEvents.
 *
 * FIFO throughput: 300 API calls a second per action per queue without batching, 3,000 messages with batches of 10
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/troubleshooting-fifo-throttling-issues.html):
 * far above one endpoint's deliveries; a throttled call is resent like a throttled PutEvents.
 */
export class SqsHoldStore implements HoldStore {
  private readonly client: SQSClient;
  private readonly queueUrlBase: string;
  private readonly namePrefix: string;
  private readonly visibilityTimeoutSeconds: number;
  private readonly receiveWaitSeconds: number;

  constructor(options: SqsHoldStoreOptions) {
    this.client = options.client;
    this.queueUrlBase = options.queueUrlBase.endsWith("/") ? options.queueUrlBase : `${options.queueUrlBase}/`;
    this.namePrefix = options.namePrefix;
    this.visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? 60;
    this.receiveWaitSeconds = options.receiveWaitSeconds ?? 1;
  }

  /** The URL of an endpoint's hold store. */
  queueUrl(endpoint: EndpointRef): string {
    return this.queueUrlBase + holdQueueName(this.namePrefix, endpoint.trustId, endpoint.endpointId);
  }

  async append(deliveries: readonly HeldDelivery[]): Promise<PublishResult[]> {
    const answers: PublishResult[] = new Array(deliveries.length);
    const byEndpoint = new Map<string, Message[]>();
    deliveries.forEach((delivery, index) => {
      const body = JSON.stringify(delivery.cloudEvent);
      const bytes = Buffer.byteLength(body, "utf8");
      if (bytes > MAX_HOLD_MESSAGE_BYTES) {
        answers[index] = failed("never", `held delivery of ${bytes} bytes exceeds the hold store's message limit of ${MAX_HOLD_MESSAGE_BYTES} bytes`);
        return;
      }
      const key = holdKey(delivery.endpoint.trustId, delivery.endpoint.endpointId);
      const messages = byEndpoint.get(key) ?? [];
      byEndpoint.set(key, messages);
      messages.push({ delivery, index, body, bytes });
    });
    await Promise.all([...byEndpoint.values()].map((messages) => this.appendToOne(messages, answers)));
    return answers;
  }

  private async appendToOne(messages: Message[], answers: PublishResult[]): Promise<void> {
    const queueUrl = this.queueUrl(messages[0]!.delivery.endpoint);
    let stopped: string | undefined;
    for (const call of packMessages(messages)) {
      if (stopped) {
        for (const message of call) answers[message.index] = failed("now", `not sent: an earlier delivery to this store failed (${stopped})`);
        continue;
      }
      let response;
      try {
        response = await this.client.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: call.map((message, i) => ({
              Id: `m${i}`,
              MessageBody: message.body,
              MessageGroupId: HOLD_MESSAGE_GROUP,
              MessageDeduplicationId: holdDeduplicationId(message.delivery.cloudEvent.id),
            })),
          }),
        );
      } catch (error) {
        const classified = classifyAwsError(error, `SQS SendMessageBatch ${queueUrl}`, { ownConfiguration: true });
        const answer = failed(classified instanceof TransientError ? "now" : "later", `hold store append failed: ${describeError(classified)}`);
        for (const message of call) answers[message.index] = answer;
        stopped = answer.reason;
        continue;
      }
      const accepted = new Map((response.Successful ?? []).map((entry) => [entry.Id, entry.MessageId ?? entry.Id ?? ""]));
      const refused = new Map((response.Failed ?? []).map((entry) => [entry.Id, entry]));
      call.forEach((message, i) => {
        const id = `m${i}`;
        const messageId = accepted.get(id);
        if (messageId !== undefined) {
          answers[message.index] = found({ eventId: messageId });
          return;
        }
        const refusal = refused.get(id);
        const code = refusal?.Code ?? "MissingResult";
        answers[message.index] = failed(retryForHoldStoreError(code), `hold store entry failed: ${code}${refusal?.Message ? `: ${refusal.Message}` : ""}`);
        stopped ??= code;
      });
    }
  }

  async receive(endpoint: EndpointRef, max: number): Promise<Result<ReceivedDelivery[]>> {
    const queueUrl = this.queueUrl(endpoint);
    let response;
    try {
      response = await this.client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.max(1, Math.min(MAX_MESSAGES_PER_SQS_BATCH, Math.floor(max))),
          VisibilityTimeout: this.visibilityTimeoutSeconds,
          WaitTimeSeconds: this.receiveWaitSeconds,
        }),
      );
    } catch (error) {
      return this.failure(error, `SQS ReceiveMessage ${queueUrl}`);
    }
    const received: ReceivedDelivery[] = [];
    for (const message of response.Messages ?? []) {
      let cloudEvent;
      try {
        cloudEvent = CallbackCloudEvent.parse(JSON.parse(message.Body ?? ""));
      } catch {
        // Only this adapter writes the store; a body that is not a CloudEvent is a fault to look at, not to skip:
        // skipping would hide the deliveries behind it (one message group) or lose this one.
        return failed("later", `hold store ${queueUrl} message ${message.MessageId ?? "?"} is not a CloudEvent`);
      }
      received.push({ endpoint, cloudEvent, receipt: message.ReceiptHandle ?? "" });
    }
    return found(received);
  }

  async delete(endpoint: EndpointRef, receipts: readonly string[]): Promise<Result<number>> {
    const queueUrl = this.queueUrl(endpoint);
    let deleted = 0;
    const refusals: string[] = [];
    for (let start = 0; start < receipts.length; start += MAX_MESSAGES_PER_SQS_BATCH) {
      const chunk = receipts.slice(start, start + MAX_MESSAGES_PER_SQS_BATCH);
      let response;
      try {
        response = await this.client.send(
          new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: chunk.map((receipt, i) => ({ Id: `d${i}`, ReceiptHandle: receipt })) }),
        );
      } catch (error) {
        return this.failure(error, `SQS DeleteMessageBatch ${queueUrl}`);
      }
      deleted += response.Successful?.length ?? 0;
      for (const entry of response.Failed ?? []) refusals.push(entry.Code ?? "unknown");
    }
    if (refusals.length > 0) {
      // Not deleted: the deliveries come back after the visibility timeout and are sent again (same id).
      return failed("later", `${refusals.length} of ${receipts.length} held deliveries not deleted from ${queueUrl}: ${[...new Set(refusals)].join(", ")}`);
    }
    return found(deleted);
  }

  async depth(endpoint: EndpointRef): Promise<Result<number>> {
    const queueUrl = this.queueUrl(endpoint);
    try {
      const response = await this.client.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }),
      );
      const attributes = response.Attributes ?? {};
      return found(Number(attributes.ApproximateNumberOfMessages ?? 0) + Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0));
    } catch (error) {
      return this.failure(error, `SQS GetQueueAttributes ${queueUrl}`);
    }
  }

  private failure(error: unknown, what: string): Failed {
    const classified = classifyAwsError(error, what, { ownConfiguration: true });
    return failed(classified instanceof TransientError ? "now" : "later", describeError(classified));
  }
}

/** Messages in order, cut into calls of at most 10 messages and 256 KiB of bodies. */
function packMessages(messages: Message[]): Message[][] {
  const calls: Message[][] = [];
  let call: Message[] = [];
  let bytes = 0;
  for (const message of messages) {
    if (call.length === MAX_MESSAGES_PER_SQS_BATCH || (call.length > 0 && bytes + message.bytes > MAX_HOLD_MESSAGE_BYTES)) {
      calls.push(call);
      call = [];
      bytes = 0;
    }
    call.push(message);
    bytes += message.bytes;
  }
  if (call.length > 0) calls.push(call);
  return calls;
}
