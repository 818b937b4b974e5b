import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TrustConfig, dataKeyEncryptionContext, sealEventFields, type EventType } from "@trust-callbacks/schemas";
import { plainConversationEvent } from "@trust-callbacks/transform-filter/local";
import { LocalPipeline, SAMPLE_RECEIVERS_FILE, SAMPLE_TRUSTS_DIR } from "./pipeline.ts";

const DAY = 86_400_000;

describe("local pipeline: a trust changes its document mid-run", () => {
  let pipeline: LocalPipeline;
  let clock = Date.parse("2026-11-22T10:00:00Z");
  const before = ["before-1", "before-2", "before-3"];
  const after = ["after-1", "after-2", "after-3"];

  /** Puts RX1 events, sealed as the platform seals them, and waits until the Lambda has processed all of them. */
  const send = async (events: [string, EventType][]) => {
    const key = pipeline.keyProvider.generateDataKey(dataKeyEncryptionContext("RX1"));
    for (const [conversation, type] of events) {
      pipeline.put(sealEventFields(plainConversationEvent("RX1", conversation, type, { site: "MAIN", priority: "urgent" }), key.dataKey, key.wrappedKey));
    }
    const deadline = Date.now() + 20_000;
    while (pipeline.progress().processed < pipeline.progress().put) {
      if (Date.now() > deadline) throw new Error("the local pipeline did not process the events in time");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const deliveries = (endpoint: string, type: EventType, conversations: string[]) =>
    pipeline.receivers
      .get(`RX1/${endpoint}`)!
      .deliveries.filter((d) => d.type === `uk.nhs.trustcallbacks.${type}.v1` && conversations.includes((d.event.data as { conversationId: string }).conversationId));

  beforeAll(async () => {
    pipeline = await LocalPipeline.start({
      trustsDir: SAMPLE_TRUSTS_DIR,
      receiversFile: SAMPLE_RECEIVERS_FILE,
      dlqDir: mkdtempSync(join(tmpdir(), "dlq-")),
      bindingClock: () => new Date(clock),
    });
    await send(before.flatMap((c): [string, EventType][] => [[c, "conversation.created"], [c, "message.created"]]));

    // RX1's bleep endpoint stops taking message.created and takes conversation.closed instead.
    const rx1 = pipeline.documents.current("RX1")!;
    pipeline.documents.put(
      TrustConfig.parse({ ...rx1, endpoints: rx1.endpoints.map((e) => (e.id === "bleep" ? { ...e, eventTypes: ["conversation.closed"] } : e)) }),
    );
    await send([
      ...before.flatMap((c): [string, EventType][] => [[c, "message.created"], [c, "message.created"], [c, "conversation.closed"]]),
      ...after.flatMap((c): [string, EventType][] => [[c, "conversation.created"], [c, "message.created"], [c, "conversation.closed"]]),
    ]);

    clock += 30 * DAY; // every binding has expired (DynamoDB's TTL may not have deleted them yet)
    await send([[before[0]!, "message.created"]]);
    await pipeline.drain();
  }, 60_000);
  afterAll(() => pipeline.stop());

  it("keeps the event types conversations created before the change started with, to the end", () => {
    expect(deliveries("bleep", "message.created", before)).toHaveLength(3 + 6);
    expect(deliveries("bleep", "conversation.closed", before)).toHaveLength(0);
  });

  it("filters conversations created after the change with the new document", () => {
    expect(deliveries("bleep", "message.created", after)).toHaveLength(0);
    expect(deliveries("bleep", "conversation.closed", after)).toHaveLength(3);
  });

  it("treats expired bindings as absent (the current document), though the store still holds them", () => {
    expect(pipeline.bindings.items.size).toBe(6); // still stored: the TTL sweep has not run
    expect(deliveries("bleep", "message.created", [before[0]!])).toHaveLength(1 + 2); // nothing after expiry
    expect(deliveries("ehr", "message.created", [before[0]!])).toHaveLength(1 + 2 + 1);
  });

  it("accounts for every event", () => {
    const summary = pipeline.summary();
    expect(summary.unaccounted).toBe(0);
    expect(summary.records.put).toBe(6 + 9 + 9 + 1);
  });
});
