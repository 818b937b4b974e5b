import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
  type SendMessageBatchCommandInput,
} from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { HOLD_MESSAGE_GROUP, type CallbackCloudEvent } from "@trust-callbacks/schemas";
import type { HeldDelivery } from "../core/hold-ports.ts";
import { sdkError } from "../testing/sdk-faults.ts";
import { MAX_HOLD_MESSAGE_BYTES, SqsHoldStore, holdDeduplicationId } from "./sqs-hold-store.ts";

const BASE = "https://sqs.eu-west-2.amazonaws.com/123456789012/";
const PREFIX = "trust-callbacks-prod";
const client = new SQSClient({ region: "eu-west-2", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
const sqs = mockClient(client);
afterEach(() => sqs.reset());

const cloudEvent = (id: string, endpointId = "ep1", data: Record<string, unknown> = { n: id }): CallbackCloudEvent => ({
  specversion: "1.0",
  id,
  type: "uk.nhs.message.created",
  trustid: "RX1",
  endpointid: endpointId,
  data,
});
const delivery = (id: string, endpointId = "ep1", data?: Record<string, unknown>): HeldDelivery => ({
  endpoint: { trustId: "RX1", endpointId },
  cloudEvent: cloudEvent(id, endpointId, data),
});
const store = () => new SqsHoldStore({ client, queueUrlBase: BASE, namePrefix: PREFIX });
const sent = () => sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input as SendMessageBatchCommandInput);
/** Accepts every entry, answering MessageId = the dedup id. */
const acceptAll = () =>
  sqs.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => ({
    Successful: input.Entries!.map((entry) => ({ Id: entry.Id, MessageId: `msg-${entry.MessageDeduplicationId}`, MD5OfMessageBody: "" })),
    Failed: [],
  }));

describe("SqsHoldStore.append", () => {
  it("sends each endpoint's deliveries to its own FIFO queue, in order, 10 a call, one message group, deduplicated by CloudEvent id", async () => {
    acceptAll();
    const deliveries = [
      ...Array.from({ length: 12 }, (_, i) => delivery(`00000000-0000-8000-8000-0000000000${String(i).padStart(2, "0")}`, "ep1")),
      delivery("aaaaaaaa-0000-8000-8000-000000000001", "ep2"),
    ];
    const answers = await store().append(deliveries);
    expect(answers.every((answer) => answer.status === "found")).toBe(true);
    expect(answers[0]).toEqual({ status: "found", value: { eventId: `msg-${deliveries[0]!.cloudEvent.id}` } });

    const calls = sent();
    const ep1 = calls.filter((call) => call.QueueUrl === `${BASE}${PREFIX}-RX1-ep1-hold.fifo`);
    const ep2 = calls.filter((call) => call.QueueUrl === `${BASE}${PREFIX}-RX1-ep2-hold.fifo`);
    expect(ep1.map((call) => call.Entries!.length)).toEqual([10, 2]);
    expect(ep2.map((call) => call.Entries!.length)).toEqual([1]);
    expect(ep1.flatMap((call) => call.Entries!.map((entry) => JSON.parse(entry.MessageBody!).id))).toEqual(deliveries.slice(0, 12).map((d) => d.cloudEvent.id));
    for (const entry of calls.flatMap((call) => call.Entries!)) {
      expect(entry.MessageGroupId).toBe(HOLD_MESSAGE_GROUP);
      expect(entry.MessageDeduplicationId).toBe(JSON.parse(entry.MessageBody!).id);
      expect(entry.Id).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    }
  });

  it("keeps the body the CloudEvent itself, unsigned", async () => {
    acceptAll();
    const one = delivery("00000000-0000-8000-8000-000000000001");
    await store().append([one]);
    expect(JSON.parse(sent()[0]!.Entries![0]!.MessageBody!)).toEqual(one.cloudEvent);
  });

  it("packs calls under 256 KiB of bodies and refuses (never) a body over it without sending it", async () => {
    acceptAll();
    const big = (i: number) => delivery(`00000000-0000-8000-8000-00000000000${i}`, "ep1", { text: "x".repeat(100 * 1024) });
    const tooBig = delivery("00000000-0000-8000-8000-000000000009", "ep1", { text: "x".repeat(MAX_HOLD_MESSAGE_BYTES) });
    const answers = await store().append([big(1), big(2), big(3), tooBig]);
    expect(answers.map((answer) => answer.status === "failed" ? answer.retry : answer.status)).toEqual(["found", "found", "found", "never"]);
    expect(sent().map((call) => call.Entries!.length)).toEqual([2, 1]);
  });

  it("makes a valid deduplication id of a CloudEvent id SQS would refuse, still one per id", () => {
    const uuid = "0190f3a1-7b2c-8d4e-9f00-112233445566";
    expect(holdDeduplicationId(uuid)).toBe(uuid);
    for (const id of ["has space", "é", "x".repeat(129), ""]) {
      expect(holdDeduplicationId(id)).toMatch(/^[0-9a-f]{64}$/);
      expect(holdDeduplicationId(id)).toBe(holdDeduplicationId(id));
    }
    expect(holdDeduplicationId("a b")).not.toBe(holdDeduplicationId("a c"));
  });

  // Each per-entry refusal, the one answer its delivery gets (as retryForPutEventsError does for the bus).
  const entryFaults: [string, "now" | "later" | "never"][] = [
    ["RequestThrottled", "now"],
    ["KmsThrottled", "now"],
    ["InternalError", "now"],
    ["KmsAccessDenied", "later"],
    ["KmsDisabled", "later"],
    ["QueueDoesNotExist", "later"],
    ["SomethingNew", "later"],
    ["InvalidMessageContents", "never"],
  ];
  it.each(entryFaults)("an entry refused with %s answers %s; the endpoint's later calls are not sent (now), other endpoints go on", async (code, retry) => {
    sqs.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => ({
      Successful: input.Entries!.filter((_entry, i) => !(input.QueueUrl!.includes("-ep1-") && i === 1)).map((entry) => ({ Id: entry.Id, MessageId: "m", MD5OfMessageBody: "" })),
      Failed: input.QueueUrl!.includes("-ep1-") ? [{ Id: input.Entries![1]!.Id, Code: code, SenderFault: true, Message: "refused" }] : [],
    }));
    const deliveries = [
      ...Array.from({ length: 11 }, (_, i) => delivery(`00000000-0000-8000-8000-0000000000${String(i).padStart(2, "0")}`, "ep1")),
      delivery("aaaaaaaa-0000-8000-8000-000000000001", "ep2"),
    ];
    const answers = await store().append(deliveries);
    expect(answers[0]!.status).toBe("found");
    expect(answers[1]).toMatchObject({ status: "failed", retry });
    expect(answers[2]!.status).toBe("found"); // SQS took it: a FIFO batch stores entries independently
    expect(answers[10]).toMatchObject({ status: "failed", retry: "now" }); // second call of ep1: held back
    expect(answers[11]!.status).toBe("found");
    expect(sent().filter((call) => call.QueueUrl!.includes("-ep1-"))).toHaveLength(1);
  });

  it("answers an entry missing from SQS's answer 'later'", async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    expect(await store().append([delivery("00000000-0000-8000-8000-000000000001")])).toEqual([
      expect.objectContaining({ status: "failed", retry: "later" }),
    ]);
  });

  // A call that failed as a whole: transient (and our own IAM's refusal) resend now, anything else the Pipe retries later.
  const callFaults: [string, Error, "now" | "later"][] = [
    ["throttled", sdkError("throttled"), "now"],
    ["timeout", sdkError("timeout"), "now"],
    ["server", sdkError("server"), "now"],
    ["denied by our own IAM", sdkError("denied"), "now"],
    ["queue missing", Object.assign(new Error("no queue"), { name: "QueueDoesNotExist", $fault: "client", $metadata: { httpStatusCode: 400 } }), "later"],
  ];
  it.each(callFaults)("a call that fails as a whole (%s) answers every delivery of it %s, never 'never'", async (_name, error, retry) => {
    sqs.on(SendMessageBatchCommand).rejects(error);
    const answers = await store().append([delivery("00000000-0000-8000-8000-000000000001"), delivery("00000000-0000-8000-8000-000000000002")]);
    expect(answers).toEqual([expect.objectContaining({ status: "failed", retry }), expect.objectContaining({ status: "failed", retry })]);
  });
});

describe("SqsHoldStore.receive, delete and depth", () => {
  it("receives at most 10, hidden for the drain's whole timeout, long-polling so an answer 'empty' is not a sampled one", async () => {
    const one = cloudEvent("00000000-0000-8000-8000-000000000001");
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [{ MessageId: "m1", ReceiptHandle: "r1", Body: JSON.stringify(one) }] });
    const answer = await store().receive({ trustId: "RX1", endpointId: "ep1" }, 50);
    expect(answer).toEqual({ status: "found", value: [{ endpoint: { trustId: "RX1", endpointId: "ep1" }, cloudEvent: one, receipt: "r1" }] });
    expect(sqs.commandCalls(ReceiveMessageCommand)[0]!.args[0].input).toEqual({
      QueueUrl: `${BASE}${PREFIX}-RX1-ep1-hold.fifo`,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 60,
      WaitTimeSeconds: 1,
    });
  });

  it("answers a body that is not a CloudEvent as failed (later), not skipped", async () => {
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [{ MessageId: "m1", ReceiptHandle: "r1", Body: "{not json" }] });
    expect(await store().receive({ trustId: "RX1", endpointId: "ep1" }, 10)).toMatchObject({ status: "failed", retry: "later" });
  });

  it("deletes in calls of 10 and answers failed when any was not deleted", async () => {
    sqs.on(DeleteMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({ Successful: input.Entries.map((entry) => ({ Id: entry.Id })), Failed: [] }));
    const receipts = Array.from({ length: 23 }, (_, i) => `r${i}`);
    expect(await store().delete({ trustId: "RX1", endpointId: "ep1" }, receipts)).toEqual({ status: "found", value: 23 });
    expect(sqs.commandCalls(DeleteMessageBatchCommand).map((call) => call.args[0].input.Entries!.length)).toEqual([10, 10, 3]);

    sqs.reset();
    sqs.on(DeleteMessageBatchCommand).resolves({ Successful: [{ Id: "d0" }], Failed: [{ Id: "d1", Code: "ReceiptHandleIsInvalid", SenderFault: true }] });
    expect(await store().delete({ trustId: "RX1", endpointId: "ep1" }, ["a", "b"])).toMatchObject({ status: "failed", retry: "later" });
  });

  it("counts visible and in-flight deliveries as the depth", async () => {
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: "7", ApproximateNumberOfMessagesNotVisible: "3" } });
    expect(await store().depth({ trustId: "RX1", endpointId: "ep1" })).toEqual({ status: "found", value: 10 });
    sqs.reset();
    sqs.on(GetQueueAttributesCommand).rejects(sdkError("throttled"));
    expect(await store().depth({ trustId: "RX1", endpointId: "ep1" })).toMatchObject({ status: "failed", retry: "now" });
  });
});
