/**
 * The acceptance test (#25; docs/guarantees.md 10.16): an endpoint held across 500 events over several
 * conversations, resumed, and drained to a real receiver on 127.0.0.1 by the hold drain's own code over the local
 * holds files; then a drain interrupted half-way (after sending, before deleting) and run again.
 *
 * The deliveries are held by the local pipeline's own hold path (the transform core's hold stage over the same files),
 * as the deployed Lambda holds them.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOLD_CLOSING_MS, dataKeyEncryptionContext, holdKey, sealEventFields, type EventType, type HoldState } from "@trust-callbacks/schemas";
import { DRAIN_EMPTY_SETTLE_MS } from "@trust-callbacks/transform-filter";
import { plainConversationEvent } from "@trust-callbacks/transform-filter/local";
import { FileHoldStates, FileNoticeOutbox } from "../lib/local-holds.ts";
import { drainLocalHolds } from "./local-drain.ts";
import { LocalPipeline } from "./pipeline.ts";

const CONVERSATIONS = 10;
const PER_CONVERSATION = 50;
const EVENTS = CONVERSATIONS * PER_CONVERSATION;
const HELD = { trustId: "RX1", endpointId: "ehr" };
const T0 = Date.parse("2026-12-05T02:00:00.000Z");

function trustsDir(): { trustsDir: string; receiversFile: string } {
  const dir = mkdtempSync(join(tmpdir(), "holds-trusts-"));
  writeFileSync(join(dir, "RX1.json"), JSON.stringify({
    trustId: "RX1",
    name: "Example Hospitals NHS Trust",
    enabled: true,
    endpoints: [{
      id: "ehr",
      url: "http://127.0.0.1:48201/callbacks",
      eventTypes: ["conversation.created", "message.created", "message.read", "response.sent", "conversation.closed"],
      payloadProfile: "full",
      auth: { type: "api_key", headerName: "x-api-key", credentialsSecret: "trust-callbacks/local/credentials/RX1/ehr" },
      signingSecret: "trust-callbacks/local/signing/RX1/ehr",
      rateLimitPerSecond: 100,
      drainRatePerSecond: 100,
    }],
  }));
  const receiversFile = join(mkdtempSync(join(tmpdir(), "holds-receivers-")), "receivers.json");
  writeFileSync(receiversFile, JSON.stringify({ "RX1/ehr": { behaviour: { kind: "ok" } } }));
  return { trustsDir: dir, receiversFile };
}

/** 500 events, conversations interleaved, each conversation's events in occurrence order (`occurredAt`). */
function events(pipeline: LocalPipeline) {
  const key = pipeline.keyProvider.generateDataKey(dataKeyEncryptionContext("RX1"));
  const types: EventType[] = ["message.created", "message.read", "response.sent"];
  return Array.from({ length: EVENTS }, (_v, i) => {
    const conversation = `conv-${i % CONVERSATIONS}`;
    const n = Math.floor(i / CONVERSATIONS);
    const type: EventType = n === 0 ? "conversation.created" : n === PER_CONVERSATION - 1 ? "conversation.closed" : types[n % types.length]!;
    const event = { ...plainConversationEvent("RX1", conversation, type), occurredAt: new Date(T0 + i * 1000).toISOString() };
    return sealEventFields(event, key.dataKey, key.wrappedKey);
  });
}

/** `support hold` writes this (docs/adr/0002-holds.md, "Ad-hoc hold and resume"); the pipeline then holds by it. */
async function holdThenStart(holdsDir: string): Promise<LocalPipeline> {
  const held = await new FileHoldStates(holdsDir).put({ ...HELD, phase: "held", source: "adhoc", reason: "EPR upgrade CHG0012345", heldAt: new Date(T0).toISOString(), heldBy: "local-user", drained: 0, version: 0 }, undefined);
  expect(held.status).toBe("found");
  return LocalPipeline.start({ ...trustsDir(), dlqDir: mkdtempSync(join(tmpdir(), "dlq-")), holdsDir });
}

/** Puts the 500 events on the stream (a conversation's events on one shard, in order) and waits until all are processed. */
async function send(pipeline: LocalPipeline, holdsDir: string) {
  for (const event of events(pipeline)) pipeline.put(event);
  await pipeline.drain();
  return { states: new FileHoldStates(holdsDir), summary: pipeline.summary() };
}

async function resume(states: FileHoldStates): Promise<HoldState> {
  const current = (await states.getMany([HELD])).get(holdKey(HELD.trustId, HELD.endpointId))!;
  if (current.status !== "found") throw new Error("no hold to resume");
  const resumed = await states.put({ ...current.value, phase: "draining", resumedAt: new Date().toISOString(), resumedBy: "local-user" }, current.value.version);
  if (resumed.status !== "found") throw new Error("resume lost the race");
  return resumed.value;
}

type Delivered = { id: string; conversation: string; time: string };
const deliveredOf = (event: Record<string, unknown>): Delivered =>
  ({ id: String(event.id), conversation: (event.data as { conversationId: string }).conversationId, time: String(event.time) });

/**
 * The order the bus accepted the drain's deliveries in: the order the drain keeps (10.10). Like EventBridge, the local
 * API destination sends concurrently within its rate limit, so arrival order at the receiver is not promised
 * (receivers order by the CloudEvent's `time`).
 */
function recordPublished(pipeline: LocalPipeline): Delivered[] {
  const published: Delivered[] = [];
  const putEvents = pipeline.bus.putEvents.bind(pipeline.bus);
  pipeline.bus.putEvents = async (entries) => {
    const answers = await putEvents(entries);
    entries.forEach((entry, i) => {
      if (answers[i]?.status === "found") published.push(deliveredOf(JSON.parse(entry.Detail).event));
    });
    return answers;
  };
  return published;
}

function received(pipeline: LocalPipeline) {
  const receiver = pipeline.receivers.get("RX1/ehr")!;
  return receiver.deliveries.map((d) => ({ ...deliveredOf(d.event), id: d.webhookId }));
}

const inOccurrenceOrderPerConversation = (deliveries: Delivered[]) => {
  const last = new Map<string, string>();
  return deliveries.every((d) => {
    const before = last.get(d.conversation);
    last.set(d.conversation, d.time);
    return before === undefined || before < d.time;
  });
};

describe("holds e2e: an endpoint held across 500 events, resumed and drained", () => {
  let pipeline: LocalPipeline;
  const holdsDir = mkdtempSync(join(tmpdir(), "holds-"));
  const noticesFile = join(holdsDir, "notices.ndjson");
  let summary: ReturnType<LocalPipeline["summary"]>;
  let receivedWhileHeld = 0;
  let report: Awaited<ReturnType<typeof drainLocalHolds>>;
  let finalReport: Awaited<ReturnType<typeof drainLocalHolds>>;
  let published: Delivered[] = [];

  beforeAll(async () => {
    pipeline = await holdThenStart(holdsDir);
    const sent = await send(pipeline, holdsDir);
    summary = sent.summary;
    receivedWhileHeld = received(pipeline).length;
    const resumed = await resume(sent.states);
    published = recordPublished(pipeline);
    report = await drainLocalHolds(pipeline, { holdsDir, noticesFile });
    // The final pass, once every Lambda has seen the store closing.
    const closing = (await sent.states.getMany([HELD])).get(holdKey(HELD.trustId, HELD.endpointId));
    const emptyAt = closing?.status === "found" ? Date.parse(closing.value.emptyAt!) : Date.parse(resumed.resumedAt!);
    finalReport = await drainLocalHolds(pipeline, { holdsDir, noticesFile, now: () => new Date(emptyAt + Math.max(HOLD_CLOSING_MS, DRAIN_EMPTY_SETTLE_MS) + 1000) });
    await pipeline.drain();
  }, 60_000);
  afterAll(() => pipeline?.stop());

  it("holds every delivery while held: all 500 in the store, none filtered, none received, every event accounted for", () => {
    expect(summary.records).toMatchObject({ put: EVENTS, published: EVENTS, filtered: 0, quarantined: 0 });
    expect(summary.endpoints.find((e) => e.trustId === "RX1" && e.endpointId === "ehr")).toMatchObject({ held: EVENTS, delivered: 0 });
    expect(summary.unaccounted).toBe(0);
    expect(receivedWhileHeld).toBe(0);
  });

  it("delivers all 500 exactly once per id, in occurrence order per conversation, none dead-lettered", () => {
    expect(report.endpoints).toEqual([expect.objectContaining({ ...HELD, from: "draining", to: "closing", sent: EVENTS, drained: EVENTS, filtered: 0 })]);
    const deliveries = received(pipeline);
    expect(deliveries).toHaveLength(EVENTS);
    expect(new Set(deliveries.map((d) => d.id)).size).toBe(EVENTS);
    const destination = pipeline.destinations.get("RX1/ehr")!;
    expect(destination.stats.delivered).toBe(EVENTS); // the receiver dedupes; the destination counts every delivery
    expect(destination.stats.deadLettered).toBe(0);
    expect(new Set(deliveries.map((d) => d.conversation)).size).toBe(CONVERSATIONS);
    // Sent in occurrence order per conversation: the order the bus accepted them.
    expect(published.map((d) => d.id).sort()).toEqual(deliveries.map((d) => d.id).sort());
    expect(inOccurrenceOrderPerConversation(published)).toBe(true);
  });

  it("ends the hold: the item deleted after the final pass, and the trust told started, ended and drained once each", () => {
    expect(finalReport.endpoints).toEqual([expect.objectContaining({ to: "deleted" })]);
    const notices = new FileNoticeOutbox(noticesFile).read();
    expect(notices.map((n) => n.kind).sort()).toEqual(["hold-drained", "hold-ended", "hold-started"]);
    expect(notices.find((n) => n.kind === "hold-ended")).toMatchObject({ trustId: "RX1", endpointId: "ehr", counts: { held: EVENTS }, reason: "EPR upgrade CHG0012345" });
    expect(notices.find((n) => n.kind === "hold-drained")).toMatchObject({ counts: { drained: EVENTS } });
  });
});

describe("holds e2e: a drain interrupted half-way and run again loses nothing", () => {
  let pipeline: LocalPipeline;
  const holdsDir = mkdtempSync(join(tmpdir(), "holds-"));
  const noticesFile = join(holdsDir, "notices.ndjson");
  let interrupted: Awaited<ReturnType<typeof drainLocalHolds>>;
  let resumed: Awaited<ReturnType<typeof drainLocalHolds>>;
  const HALF = EVENTS / 2;
  let published: Delivered[] = [];

  beforeAll(async () => {
    pipeline = await holdThenStart(holdsDir);
    const { states } = await send(pipeline, holdsDir);
    await resume(states);
    published = recordPublished(pipeline);
    // The drain stops after the bus accepted HALF deliveries, before it deletes the last of them (a crash there).
    const abort = new AbortController();
    const putEvents = pipeline.bus.putEvents.bind(pipeline.bus);
    let accepted = 0;
    pipeline.bus.putEvents = async (entries) => {
      const answers = await putEvents(entries);
      accepted += answers.filter((answer) => answer.status === "found").length;
      if (accepted >= HALF) abort.abort();
      return answers;
    };
    interrupted = await drainLocalHolds(pipeline, { holdsDir, noticesFile, signal: abort.signal });
    pipeline.bus.putEvents = putEvents;
    resumed = await drainLocalHolds(pipeline, { holdsDir, noticesFile });
    await pipeline.drain();
  }, 60_000);
  afterAll(() => pipeline?.stop());

  it("stops half-way with the last call sent and not deleted", () => {
    expect(interrupted.endpoints[0]).toMatchObject({ stopped: "interrupted", sent: HALF, drained: HALF - 10 });
  });

  it("the next drain resends what was not deleted, with the same ids, and delivers the rest: every id once at least, none lost", () => {
    expect(resumed.endpoints[0]).toMatchObject({ sent: EVENTS - HALF + 10, to: "closing" });
    const deliveries = received(pipeline);
    expect(new Set(deliveries.map((d) => d.id)).size).toBe(EVENTS);
    const destination = pipeline.destinations.get("RX1/ehr")!;
    expect(destination.stats.delivered).toBe(EVENTS + 10); // the 10 repeats, same ids (the receiver kept each once)
    expect(destination.stats.deadLettered).toBe(0);
    // The repeats are the 10 sent and not deleted, with their own ids; the first sending of each is in order.
    const firsts = published.filter((d, i) => published.findIndex((other) => other.id === d.id) === i);
    expect(published.length - firsts.length).toBe(10);
    expect(inOccurrenceOrderPerConversation(firsts)).toBe(true);
  });
});
