import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { EventBridgePublisher } from "@trust-callbacks/transform-filter/aws";
import { LocalKeyProvider } from "@trust-callbacks/transform-filter/local";
import type { EventPublisher } from "@trust-callbacks/transform-filter";
import type { SupportSignerAnswer } from "@trust-callbacks/schemas";
import { verifyWebhook } from "../lib/verify-webhook.ts";
import { LocalPipeline, SAMPLE_RECEIVERS_FILE, SAMPLE_TRUSTS_DIR, loadTrusts } from "../local-pipeline/pipeline.ts";
import { supportRecordOfAuditLine } from "../lib/call-history.ts";
import { HELD_DETAIL, listFailed, redrive, type AuditLine, type RedriveOptions } from "./redrive.ts";
import { SqsDeadLetterQueue } from "./sqs-dead-letter-queue.ts";
import { InProcessSupportSigner, SupportSignerUnavailable, type SupportSigner } from "./support-signer.ts";

const trust = loadTrusts(SAMPLE_TRUSTS_DIR).find((t) => t.trustId === "RYJ")!;
const secret = `whsec_${Buffer.alloc(32, 9).toString("base64")}`;

/** The support signer's own code in-process, publishing through `publisher` to `eventBusName`, signing at `now`. */
const signerVia = (publisher: EventPublisher, eventBusName: string, now?: () => Date): SupportSigner =>
  new InProcessSupportSigner({
    trusts: [trust],
    publisher,
    secrets: { get: async () => secret },
    keys: new LocalKeyProvider(),
    eventBusName,
    cloudEventSource: "/trust-callbacks/test",
    ...(now ? { now } : {}),
  });

/**
 * A DLQ message as EventBridge writes it for the `legacy` endpoint (or `endpointId`). Its body is the original
 * event (`detail.event` + `detail.webhook`) or, since AWS does not document which, the target's transformed
 * input: the bare CloudEvent (`input_path = "$.detail.event"`).
 */
function dlqMessage(n: number, endpointId = "legacy", body: "original event" | "bare CloudEvent" = "original event") {
  const event = { specversion: "1.0", id: `ce-${n}`, type: "uk.nhs.trustcallbacks.message.created.v1", trustid: "RYJ", endpointid: endpointId, data: { n } };
  const original = { source: "trust-callbacks", "detail-type": event.type, detail: { webhook: { id: event.id, timestamp: "1", signature: "v1,old" }, event } };
  return {
    MessageId: `m-${n}`,
    ReceiptHandle: `rh-${n}`,
    Body: JSON.stringify(body === "original event" ? original : event),
    Attributes: { SentTimestamp: String(Date.parse("2026-11-21T10:00:00Z") + n) },
    MessageAttributes: {
      ERROR_CODE: { DataType: "String", StringValue: "ERROR_FROM_TARGET" },
      ERROR_MESSAGE: { DataType: "String", StringValue: "503" },
      RETRY_ATTEMPTS: { DataType: "String", StringValue: "185" },
      RULE_ARN: { DataType: "String", StringValue: `arn:aws:events:eu-west-2:123456789012:rule/bus/trust-callbacks-prod-RYJ-${endpointId}` },
      TARGET_ARN: { DataType: "String", StringValue: "arn:aws:events:eu-west-2:123456789012:api-destination/x/y" },
    },
  };
}

describe("redrive against AWS (SQS and EventBridge mocked at the SDK)", () => {
  it("re-signs with a fresh timestamp and the same id, deletes only what PutEvents accepted, and audits each message", async () => {
    const sqs = mockClient(SQSClient);
    const eb = mockClient(EventBridgeClient);
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: "1" } });
    sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [dlqMessage(1), dlqMessage(2), dlqMessage(3)] }).resolves({ Messages: [] });
    sqs.on(DeleteMessageCommand).resolves({});
    eb.on(PutEventsCommand)
      .resolvesOnce({ Entries: [{ EventId: "e1" }] })
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode: "AccessDeniedException", ErrorMessage: "not allowed" }] })
      .resolves({ Entries: [{ EventId: "e3" }] });
    const audit: AuditLine[] = [];
    const now = new Date("2026-11-22T12:00:00Z");

    const summary = await redrive(new SqsDeadLetterQueue(sqs as unknown as SQSClient, "RYJ", "https://sqs/RYJ-dlq"), {
      trust,
      selection: {},
      signer: signerVia(new EventBridgePublisher(eb as unknown as EventBridgeClient), "trust-callbacks-prod-callbacks", () => now),
      dryRun: false,
      ratePerSecond: 1000,
      operator: "support@example",
      audit: (line) => audit.push(line),
      now: () => now,
    });

    expect(summary).toMatchObject({ selected: 3, redriven: 2, failed: 1 });
    expect(sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input.ReceiptHandle)).toEqual(["rh-1", "rh-3"]);
    // The failed one is visible again at once, not hidden for the visibility timeout.
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => [c.args[0].input.ReceiptHandle, c.args[0].input.VisibilityTimeout])).toEqual([["rh-2", 0]]);
    const entry = eb.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!;
    expect(entry).toMatchObject({ Source: "trust-callbacks", EventBusName: "trust-callbacks-prod-callbacks" });
    const detail = JSON.parse(entry.Detail!);
    expect(detail.webhook).toMatchObject({ id: "ce-1", timestamp: String(now.getTime() / 1000) });
    const headers = { "webhook-id": detail.webhook.id, "webhook-timestamp": detail.webhook.timestamp, "webhook-signature": detail.webhook.signature };
    expect(verifyWebhook(secret, headers, JSON.stringify(detail.event), { now })).toMatchObject({ id: "ce-1", endpointid: "legacy" });
    expect(audit.map((a) => [a.messageId, a.outcome, a.operator])).toEqual([
      ["m-1", "redriven", "support@example"],
      ["m-2", "failed", "support@example"],
      ["m-3", "redriven", "support@example"],
    ]);
    expect(audit[1]!.detail).toMatch(/AccessDeniedException.*retry: later/);
  });

  it("selects by endpoint and limit, and a dry run publishes and deletes nothing", async () => {
    const sqs = mockClient(SQSClient);
    const eb = mockClient(EventBridgeClient);
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: "3" } });
    sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [dlqMessage(1, "other"), dlqMessage(2), dlqMessage(3)] }).resolves({ Messages: [] });
    const audit: AuditLine[] = [];
    const summary = await redrive(new SqsDeadLetterQueue(sqs as unknown as SQSClient, "RYJ", "q"), {
      trust,
      selection: { endpointId: "legacy", limit: 1 },
      signer: signerVia(new EventBridgePublisher(eb as unknown as EventBridgeClient), "bus"),
      dryRun: true,
      ratePerSecond: 1000,
      operator: "me",
      audit: (line) => audit.push(line),
    });
    expect(summary.selected).toBe(1);
    expect(audit.map((a) => [a.messageId, a.outcome])).toEqual([["m-2", "would-redrive"]]);
    expect(eb.commandCalls(PutEventsCommand)).toHaveLength(0);
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input.ReceiptHandle).sort()).toEqual(["rh-1", "rh-2", "rh-3"]);
  });
});

/** Redrive options for the RYJ trust, publishing through the EventBridge client `eb` (the test mocks the class) to the bus "bus". */
const redriveOptions = (eb: { send: EventBridgeClient["send"] }, overrides: Partial<RedriveOptions> = {}): RedriveOptions => ({
  trust,
  selection: {},
  signer: signerVia(new EventBridgePublisher(eb as EventBridgeClient), "bus", overrides.now),
  dryRun: false,
  ratePerSecond: 1000,
  operator: "me",
  audit: () => {},
  ...overrides,
});

describe("redrive of either DLQ body shape", () => {
  it.each(["original event", "bare CloudEvent"] as const)("re-signs and publishes a dead letter whose body is the %s", async (shape) => {
    // Prepare
    const sqs = mockClient(SQSClient);
    const eb = mockClient(EventBridgeClient);
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: "0" } });
    sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [dlqMessage(7, "legacy", shape)] }).resolves({ Messages: [] });
    sqs.on(DeleteMessageCommand).resolves({});
    eb.on(PutEventsCommand).resolves({ Entries: [{ EventId: "e7" }] });
    const now = new Date("2026-11-22T12:00:00Z");

    // Act
    const summary = await redrive(new SqsDeadLetterQueue(sqs as unknown as SQSClient, "RYJ", "q"), redriveOptions(new EventBridgeClient({ region: "eu-west-2" }), { now: () => now }));

    // Assess
    expect(summary).toMatchObject({ selected: 1, redriven: 1, failed: 0, skipped: 0 });
    const entry = eb.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!;
    expect(entry).toMatchObject({ Source: "trust-callbacks", DetailType: "uk.nhs.trustcallbacks.message.created.v1", EventBusName: "bus" });
    const detail = JSON.parse(entry.Detail!);
    const headers = { "webhook-id": detail.webhook.id, "webhook-timestamp": detail.webhook.timestamp, "webhook-signature": detail.webhook.signature };
    expect(verifyWebhook(secret, headers, JSON.stringify(detail.event), { now })).toMatchObject({ id: "ce-7", endpointid: "legacy", data: { n: 7 } });
    expect(sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input.ReceiptHandle)).toEqual(["rh-7"]);
  });

  it.each(["original event", "bare CloudEvent"] as const)("lists a dead letter whose body is the %s", async (shape) => {
    const sqs = mockClient(SQSClient);
    sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [dlqMessage(8, "legacy", shape)] }).resolves({ Messages: [] });
    const [listed] = await listFailed(new SqsDeadLetterQueue(sqs as unknown as SQSClient, "RYJ", "q"), {}, 10, true);
    expect(listed).toMatchObject({ cloudEventId: "ce-8", endpointId: "legacy", content: { n: 8 } });
  });

  it("skips a message whose body is neither shape", async () => {
    const sqs = mockClient(SQSClient);
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: "1" } });
    sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [{ ...dlqMessage(9), Body: JSON.stringify({ detail: { event: { id: "x" } } }) }] }).resolves({ Messages: [] });
    const audit: AuditLine[] = [];
    const summary = await redrive(
      new SqsDeadLetterQueue(sqs as unknown as SQSClient, "RYJ", "q"),
      redriveOptions(mockClient(EventBridgeClient), { audit: (line) => audit.push(line) }),
    );
    expect(summary.skipped).toBe(1);
    expect(audit[0]).toMatchObject({ outcome: "skipped", detail: "body is not a callback event" });
  });
});

describe("redrive's history record (docs/guarantees.md 8.21)", () => {
  it("writes one per redriven delivery, joined to it by CloudEvent id: who, when, the endpoint, the new bus event id; none for what was not redriven", async () => {
    const sqs = mockClient(SQSClient);
    const eb = mockClient(EventBridgeClient);
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: "1" } });
    sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [dlqMessage(1), dlqMessage(2)] }).resolves({ Messages: [] });
    sqs.on(DeleteMessageCommand).resolves({});
    eb.on(PutEventsCommand)
      .resolvesOnce({ Entries: [{ EventId: "bus-new-1" }] })
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: "AccessDeniedException", ErrorMessage: "no" }] });
    const audit: AuditLine[] = [];
    const now = new Date("2026-11-22T12:00:00Z");

    await redrive(new SqsDeadLetterQueue(sqs as unknown as SQSClient, "RYJ", "q"), redriveOptions(eb as unknown as EventBridgeClient, { operator: "alice (profile prod)", audit: (line) => audit.push(line), now: () => now }));

    expect(audit.map((line) => supportRecordOfAuditLine({ ...line }))).toEqual([
      { action: "redrive", at: "2026-11-22T12:00:00.000Z", operator: "alice (profile prod)", trustId: "RYJ", endpointId: "legacy", cloudEventId: "ce-1", busEventId: "bus-new-1" },
      undefined, // PutEvents refused ce-2: it is still in the DLQ, no redrive happened
    ]);
  });
});

describe("redrive on the local pipeline, end to end", () => {
  it("after the endpoint recovers, delivers each dead letter exactly once to that endpoint and to no other", async () => {
    const dlqDir = mkdtempSync(join(tmpdir(), "dlq-"));
    const failing = await LocalPipeline.start({ trustsDir: SAMPLE_TRUSTS_DIR, receiversFile: SAMPLE_RECEIVERS_FILE, dlqDir });
    const events = failing.events(11);
    for (let i = 0; i < 150; i++) failing.put(events.next().value!);
    await failing.drain();
    await failing.stop();
    const deadLettered = failing.summary().endpoints.find((e) => e.endpointId === "legacy")!.deadLettered;
    expect(deadLettered).toBeGreaterThan(0);

    const healthy = join(dlqDir, "healthy-receivers.json");
    writeFileSync(healthy, JSON.stringify(Object.fromEntries(
      failing.trusts.flatMap((t) => t.endpoints.map((e) => [`${t.trustId}/${e.id}`, { behaviour: { kind: "ok" } }])),
    )));
    const recovered = await LocalPipeline.start({ trustsDir: SAMPLE_TRUSTS_DIR, receiversFile: healthy, dlqDir: join(dlqDir, "after") });
    const audit: AuditLine[] = [];
    const summary = await redrive(failing.dlqs.get("RYJ")!, {
      trust: recovered.trusts.find((t) => t.trustId === "RYJ")!,
      selection: {},
      signer: new InProcessSupportSigner({
        trusts: recovered.trusts,
        publisher: recovered.bus,
        secrets: recovered.secrets,
        keys: recovered.keyProvider,
        eventBusName: recovered.bus.busName,
        cloudEventSource: "/trust-callbacks/local",
      }),
      dryRun: false,
      ratePerSecond: 500,
      operator: "test",
      audit: (line) => audit.push(line),
    });
    await recovered.drain();
    await recovered.stop();

    expect(summary).toMatchObject({ selected: deadLettered, redriven: deadLettered, failed: 0, leftInQueue: 0 });
    const legacy = recovered.receivers.get("RYJ/legacy")!.deliveries;
    expect(legacy).toHaveLength(deadLettered);
    expect(new Set(legacy.map((d) => d.webhookId)).size).toBe(deadLettered);
    expect(recovered.receivers.get("RYJ/legacy")!.attempts).toBe(deadLettered); // once each, no duplicates
    for (const [key, receiver] of recovered.receivers) if (key !== "RYJ/legacy") expect(receiver.deliveries, key).toHaveLength(0);
    expect(new Set(legacy.map((d) => d.webhookId))).toEqual(new Set(audit.map((a) => a.cloudEventId)));
  }, 60_000);
});

describe("listFailed", () => {
  it("shows identifiers and errors only, and the payload only when asked", async () => {
    const sqs = mockClient(SQSClient);
    sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [dlqMessage(1), dlqMessage(2, "other")] }).resolves({ Messages: [] });
    const queue = new SqsDeadLetterQueue(sqs as unknown as SQSClient, "RYJ", "q");
    const plain = await listFailed(queue, { endpointId: "legacy" });
    expect(plain).toEqual([
      expect.objectContaining({ endpointId: "legacy", cloudEventId: "ce-1", errorCode: "ERROR_FROM_TARGET", retryAttempts: 185, firstFailedAt: "2026-11-21T10:00:00.001Z" }),
    ]);
    expect(JSON.stringify(plain)).not.toContain('"n":1');
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input.ReceiptHandle).sort()).toEqual(["rh-1", "rh-2"]);
    sqs.reset();
    sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [dlqMessage(1)] }).resolves({ Messages: [] });
    expect((await listFailed(queue, {}, 10, true))[0]!.content).toEqual({ n: 1 });
  });
});

describe("redrive through the signer (docs/guarantees.md 7.40)", () => {
  type Answer = SupportSignerAnswer;
  const accepted = (id: string): Answer => ({ kind: "redrive", correlationId: "c", deliveries: [{ status: "accepted", endpointId: "legacy", cloudEventId: id, busEventId: `bus-${id}` }] });
  const failedWith = (id: string, retry: "now" | "later" | "never"): Answer => ({
    kind: "redrive",
    correlationId: "c",
    deliveries: [{ status: "failed", endpointId: "legacy", cloudEventId: id, retry, reason: `refused ${retry}` }],
  });
  // One dead letter per case; the signer's answer for it; whether it must be deleted (only when accepted).
  const cases: [string, (id: string) => Answer | Error, boolean][] = [
    ["accepted", accepted, true],
    ["accepted into a hold store (the endpoint is held)", (id) => {
      const answer = accepted(id);
      return answer.kind === "redrive" ? { ...answer, deliveries: answer.deliveries.map((d) => ({ ...d, held: true as const })) } : answer;
    }, true],
    ["failed, never to be retried", (id) => failedWith(id, "never"), false],
    ["failed, to be retried later", (id) => failedWith(id, "later"), false],
    ["failed, to be retried now", (id) => failedWith(id, "now"), false],
    ["refused whole", () => ({ kind: "refused", retry: "never", reason: "endpoint RYJ/legacy is disabled" }), false],
    ["accepted, but for another CloudEvent", () => accepted("ce-other"), false],
    ["no answer: the invoke failed", () => new SupportSignerUnavailable("Lambda Invoke: TooManyRequestsException (after 5 attempts)"), false],
  ];

  it.each(cases)("deletes the dead letter only when the signer answered it accepted: %s", async (_case, answerFor, deleted) => {
    const sqs = mockClient(SQSClient);
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: "0" } });
    sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [dlqMessage(4)] }).resolves({ Messages: [] });
    sqs.on(DeleteMessageCommand).resolves({});
    const requests: unknown[] = [];
    const signer = {
      sign: async (request: unknown) => {
        requests.push(request);
        const answer = answerFor("ce-4");
        if (answer instanceof Error) throw answer;
        return answer;
      },
    } as SupportSigner;
    const audit: AuditLine[] = [];

    const summary = await redrive(new SqsDeadLetterQueue(sqs as unknown as SQSClient, "RYJ", "q"), {
      ...redriveOptions(mockClient(EventBridgeClient), { audit: (line) => audit.push(line) }),
      signer,
    });

    expect(sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input.ReceiptHandle)).toEqual(deleted ? ["rh-4"] : []);
    expect(summary).toMatchObject({ selected: 1, redriven: deleted ? 1 : 0, failed: deleted ? 0 : 1 });
    expect(audit.map((line) => [line.outcome, line.busEventId])).toEqual([deleted ? ["redriven", "bus-ce-4"] : ["failed", undefined]]);
    // Held (10.8): deleted from the DLQ like any accepted one, and the row says it waits for the drain.
    expect(audit[0]?.detail === HELD_DETAIL).toBe(_case.startsWith("accepted into a hold store"));
    // The signer is asked for exactly that endpoint and CloudEvent, with who asked: nothing of a key leaves the CLI.
    expect(requests).toEqual([
      expect.objectContaining({ kind: "redrive", trustId: "RYJ", endpointId: "legacy", operator: "me", cloudEvents: [expect.objectContaining({ id: "ce-4", endpointid: "legacy" })] }),
    ]);
  });
});
