import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HoldState, holdKey } from "@trust-callbacks/schemas";
import { FileHoldStates, FileHoldStore } from "../lib/local-holds.ts";
import { LocalPipeline, SAMPLE_RECEIVERS_FILE, SAMPLE_TRUSTS_DIR, type LocalPipelineSummary } from "./pipeline.ts";

/**
 * docs/guarantees.md 10.1 and 10.2 on the local pipeline: an endpoint held in `.local/holds` (as `support hold`
 * writes it) gets none of its deliveries; they wait in its file store, counted held, and every event is still
 * accounted for. The other endpoints are delivered as before.
 */
describe("local pipeline with a held endpoint", () => {
  let pipeline: LocalPipeline;
  let summary: LocalPipelineSummary;
  const holdsDir = mkdtempSync(join(tmpdir(), "holds-"));
  const putOrder = new Map<string, number>();

  beforeAll(async () => {
    const states = new FileHoldStates(holdsDir);
    const written = await states.put(
      HoldState.parse({ trustId: "RX1", endpointId: "bleep", phase: "held", source: "adhoc", reason: "EPR upgrade", heldAt: new Date().toISOString(), heldBy: "local-user", version: 0 }),
      undefined,
    );
    expect(written.status).toBe("found");
    pipeline = await LocalPipeline.start({ trustsDir: SAMPLE_TRUSTS_DIR, receiversFile: SAMPLE_RECEIVERS_FILE, dlqDir: mkdtempSync(join(tmpdir(), "dlq-")), holdsDir });
    const events = pipeline.events(11);
    for (let i = 0; i < 200; i++) {
      const event = events.next().value!;
      putOrder.set(event.eventId, i);
      pipeline.put(event);
    }
    await pipeline.drain();
    summary = pipeline.summary();
  }, 60_000);
  afterAll(() => pipeline.stop());

  it("keeps the held endpoint's deliveries in its store, in order, none sent, and accounts for every event", async () => {
    const bleep = summary.endpoints.find((e) => e.trustId === "RX1" && e.endpointId === "bleep")!;
    expect(bleep.held).toBeGreaterThan(0);
    expect([bleep.published, bleep.delivered, bleep.deadLettered]).toEqual([0, 0, 0]);
    expect(pipeline.receivers.get("RX1/bleep")!.deliveries).toEqual([]);
    expect(summary.unaccounted).toBe(0);

    const depth = await new FileHoldStore(holdsDir).depth({ trustId: "RX1", endpointId: "bleep" });
    expect(depth).toEqual({ status: "found", value: bleep.held });
    // The store's CloudEvents are the endpoint's, one per held delivery (no duplicate ids).
    const received = await new FileHoldStore(holdsDir).receive({ trustId: "RX1", endpointId: "bleep" }, 1000);
    const ids = received.status === "found" ? received.value.map((delivery) => delivery.cloudEvent.id) : [];
    expect(new Set(ids).size).toBe(bleep.held);
    expect(received.status === "found" && received.value.every((d) => d.cloudEvent.endpointid === "bleep" && holdKey(d.endpoint.trustId, d.endpoint.endpointId) === "RX1#bleep")).toBe(true);
    // In occurrence order per conversation (the stream keeps a conversation's events in order on its shard).
    const byConversation = new Map<string, number[]>();
    for (const { cloudEvent } of received.status === "found" ? received.value : []) {
      const order = byConversation.get(cloudEvent.subject!) ?? [];
      byConversation.set(cloudEvent.subject!, order);
      order.push(putOrder.get((cloudEvent.data as { sourceEventId: string }).sourceEventId)!);
    }
    expect(byConversation.size).toBeGreaterThan(1);
    for (const order of byConversation.values()) expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it("delivers the other endpoints as before", () => {
    const ehr = summary.endpoints.find((e) => e.trustId === "RX1" && e.endpointId === "ehr")!;
    expect([ehr.held, ehr.delivered]).toEqual([0, ehr.published]);
    expect(ehr.published).toBeGreaterThan(0);
  });
});
