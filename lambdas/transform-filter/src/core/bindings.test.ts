import { describe, expect, it } from "vitest";
import type { BuiltCallbackDetail, EventType, TrustConfig } from "@trust-callbacks/schemas";
import { LocalKeyProvider } from "../adapters/local-key-provider.ts";
import { LocalConversationBindings, VersionedSubscriptions } from "../testing/bindings.ts";
import { plainConversationEvent } from "../testing/conversations.ts";
import { InMemorySecrets, MemoryQuarantine, RecordingPublisher, silentLogger } from "../testing/fakes.ts";
import { EventSealer, TEST_SETTINGS, kinesisRecord, newSigningSecret, trustConfig } from "../testing/fixtures.ts";
import { PermanentError, TransientError } from "@trust-callbacks/runtime";
import { processBatch } from "./process-batch.ts";
import { signWebhook } from "./signature.ts";

const DAY = 24 * 60 * 60 * 1000;
const ALL: EventType[] = ["conversation.created", "message.created", "message.read", "response.sent", "conversation.closed"];

/** A trust with endpoints ep1 (every type) and ep2 (only `ep2Types`). */
const trust = (ep2Types: EventType[], overrides: { enabled?: boolean; ep1?: object; ep2?: object; only?: "ep1" } = {}): TrustConfig =>
  trustConfig(
    "RX1",
    [{ eventTypes: ALL, ...overrides.ep1 }, ...(overrides.only ? [] : [{ eventTypes: ep2Types, payloadProfile: "minimal" as const, ...overrides.ep2 }])],
    overrides.enabled === undefined ? {} : { enabled: overrides.enabled },
  );

function setup(initial: TrustConfig) {
  let clock = Date.parse("2026-11-22T10:00:00Z");
  const keyProvider = new LocalKeyProvider();
  const sealer = new EventSealer(keyProvider);
  const documents = new VersionedSubscriptions([initial]);
  const store = new LocalConversationBindings(() => clock);
  const secrets = new InMemorySecrets();
  const secretsOf = (config: TrustConfig) => config.endpoints.forEach((e) => secrets.values.has(e.signingSecret) || secrets.values.set(e.signingSecret, newSigningSecret()));
  secretsOf(initial);
  const publisher = new RecordingPublisher();
  const quarantine = new MemoryQuarantine();
  const deps = {
    keys: keyProvider,
    subscriptions: documents,
    bindings: { store, versions: documents },
    secrets,
    publisher,
    quarantine,
    logger: silentLogger(),
    sleep: async () => {},
    now: () => new Date(clock),
  };
  /** Processes one batch of `[conversation, type]` events; answers the outcomes and which endpoints got each. */
  const run = async (events: [string, EventType][]) => {
    const before = publisher.published.length;
    const records = events.map(([conversation, type]) => kinesisRecord(sealer.seal(plainConversationEvent("RX1", conversation, type))));
    const result = await processBatch(records, deps, TEST_SETTINGS);
    const sent = publisher.published.slice(before).map((entry) => JSON.parse(entry.Detail) as BuiltCallbackDetail);
    const endpointsOf = (index: number) =>
      sent.filter((detail) => (detail.event.data as { sourceEventId: string }).sourceEventId === result.outcomes[index]!.sourceEventId).map((d) => d.event.endpointid).sort();
    return { result, endpointsOf, states: result.outcomes.map((o) => o.state) };
  };
  return {
    run,
    documents,
    store,
    secrets,
    publisher,
    change: (config: TrustConfig) => (secretsOf(config), documents.put(config)),
    advance: (ms: number) => (clock += ms),
  };
}

describe("conversation bindings", () => {
  it("filters every later event with the document its conversation was created under; new conversations follow the new one", async () => {
    const t = setup(trust(["message.created"]));
    await t.run([["old", "conversation.created"]]);
    t.change(trust(["conversation.closed"]));

    const later = await t.run([["old", "message.created"], ["old", "conversation.closed"], ["new", "conversation.created"], ["new", "message.created"], ["new", "conversation.closed"]]);

    expect(later.endpointsOf(0)).toEqual(["ep1", "ep2"]); // bound: ep2 still takes message.created
    expect(later.endpointsOf(1)).toEqual(["ep1"]); // bound: ep2 did not take conversation.closed
    expect(later.endpointsOf(3)).toEqual(["ep1"]);
    expect(later.endpointsOf(4)).toEqual(["ep1", "ep2"]);
    expect(later.result.counts.unboundEvents).toBe(0);
  });

  it("applies the trust's and an endpoint's kill switch, a removed endpoint and a changed signing key at once", async () => {
    const t = setup(trust(["message.created"]));
    await t.run([["c", "conversation.created"]]);

    t.change(trust(["message.created"], { ep2: { enabled: false } }));
    expect((await t.run([["c", "message.created"]])).endpointsOf(0)).toEqual(["ep1"]);

    t.change(trust(["message.created"], { enabled: false }));
    const off = await t.run([["c", "message.created"]]);
    expect(off.states).toEqual(["filtered"]);
    expect(off.result.outcomes[0]!.reason).toMatch(/kill switch/);

    t.change(trust([], { only: "ep1" }));
    expect((await t.run([["c", "message.created"]])).endpointsOf(0)).toEqual(["ep1"]);

    t.change(trust(["message.created"], { ep2: { signingSecret: "tc/rotated/signing/RX1/ep2" } }));
    const rotated = await t.run([["c", "message.created"]]);
    expect(rotated.endpointsOf(0)).toEqual(["ep1", "ep2"]);
    // ep2's entry is signed with the rotated key.
    const ep2 = t.publisher.published.map((entry) => JSON.parse(entry.Detail) as BuiltCallbackDetail).at(-1)!;
    expect(ep2.event.endpointid).toBe("ep2");
    const at = new Date(Number(ep2.webhook.timestamp) * 1000);
    expect(signWebhook(ep2.event.id, ep2.event, t.secrets.values.get("tc/rotated/signing/RX1/ep2")!, at)).toEqual(ep2.webhook);
  });

  it("uses the current document, and counts it, for a conversation with no binding or an expired one", async () => {
    const t = setup(trust(["message.created"]));
    await t.run([["c", "conversation.created"]]);
    t.change(trust(["conversation.closed"]));

    const unknown = await t.run([["never-created", "message.created"]]);
    expect(unknown.endpointsOf(0)).toEqual(["ep1"]);
    expect(unknown.result.counts.unboundEvents).toBe(1);

    t.advance(30 * DAY - 1);
    expect((await t.run([["c", "message.created"]])).endpointsOf(0)).toEqual(["ep1", "ep2"]); // still bound
    t.advance(1);
    const expired = await t.run([["c", "message.created"]]);
    expect(t.store.items.has("RX1#c")).toBe(true); // TTL has not deleted it yet: the Lambda ignores it anyway
    expect(expired.endpointsOf(0)).toEqual(["ep1"]);
    expect(expired.result.counts.unboundEvents).toBe(1);
  });

  it("keeps the first binding when conversation.created comes again (Pipe retry or duplicate), and rebinds once it expired", async () => {
    const t = setup(trust(["message.created"]));
    await t.run([["c", "conversation.created"]]);
    t.change(trust(["conversation.created", "conversation.closed"]));

    const again = await t.run([["c", "conversation.created"], ["c", "message.created"]]);
    expect(again.endpointsOf(0)).toEqual(["ep1"]); // the first binding's document: ep2 did not take conversation.created
    expect(again.endpointsOf(1)).toEqual(["ep1", "ep2"]);
    expect(t.store.items.get("RX1#c")!.documentVersion).toBe("v1");

    t.advance(31 * DAY);
    await t.run([["c", "conversation.created"]]);
    expect(t.store.items.get("RX1#c")!.documentVersion).toBe("v2");
  });

  it("binds a conversation created earlier in the same batch before filtering its later events", async () => {
    const t = setup(trust(["message.created"]));
    const batch = await t.run([["c", "conversation.created"], ["c", "message.created"]]);
    expect(batch.endpointsOf(1)).toEqual(["ep1", "ep2"]);
    expect(batch.result.counts.unboundEvents).toBe(0);
    expect(t.store.calls.getMany).toBe(0); // nothing to read: the batch made the binding itself
  });

  it("hands records back when a binding cannot be read or written, publishing nothing on a guess", async () => {
    const t = setup(trust(["message.created"]));
    await t.run([["c", "conversation.created"]]);
    t.store.fault = (operation) => (operation === "read" ? new TransientError("DynamoDB throttled") : undefined);
    const read = await t.run([["c", "message.created"], ["d", "conversation.created"]]);
    expect(read.states).toEqual(["retry", "published"]);
    expect(read.result.batchItemFailures).toHaveLength(1);

    t.store.fault = (operation, key) => (operation === "write" && key === "RX1#e" ? new PermanentError("AccessDeniedException") : undefined);
    const before = t.publisher.published.length;
    const write = await t.run([["e", "conversation.created"], ["e", "message.created"], ["c", "message.created"]]);
    expect(write.states).toEqual(["retry", "retry", "published"]);
    expect(write.result.outcomes[0]!.reason).toMatch(/conversation binding unavailable/);
    expect(t.publisher.published.length - before).toBe(2); // only c's two deliveries
  });

  it("reads a bound version once and falls back to the current document when the version is gone", async () => {
    const t = setup(trust(["message.created"]));
    await t.run([["a", "conversation.created"], ["b", "conversation.created"]]);
    t.change(trust(["conversation.closed"]));
    const calls = t.documents.calls.getVersion;
    await t.run([["a", "message.created"], ["b", "message.created"], ["a", "message.read"]]);
    expect(t.documents.calls.getVersion - calls).toBe(1);

    t.documents.expireVersion("RX1", "v1");
    const gone = await t.run([["a", "message.created"]]);
    expect(gone.endpointsOf(0)).toEqual(["ep1"]);
    expect(gone.result.counts.unboundEvents).toBe(1);
  });

  it("asks the store once per batch, for every conversation it needs, in parallel with the documents", async () => {
    const t = setup(trust(["message.created"]));
    const conversations = Array.from({ length: 20 }, (_, i) => `c${i}`);
    await t.run(conversations.map((c) => [c, "conversation.created"] as [string, EventType]));
    const reads = t.store.calls.getMany;
    await t.run(Array.from({ length: 100 }, (_, i) => [conversations[i % 20]!, "message.created"] as [string, EventType]));
    expect(t.store.calls.getMany - reads).toBe(1);
  });
});
