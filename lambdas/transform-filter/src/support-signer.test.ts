/**
 * docs/guarantees.md 5.21: the support signer re-signs only what it is asked, for the endpoint it is asked, and
 * answers each CloudEvent accepted (new bus event id) or failed (the core's retry class); a request it may not
 * serve is refused whole with a reason. Written from the promise: one expected answer per case.
 */
import { createHmac, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { HoldState, type BuiltCallbackDetail, type CallbackCloudEvent, type SupportSignerAnswer, type TrustConfig } from "@trust-callbacks/schemas";
import { MAX_SUPPORT_REQUEST_BYTES } from "@trust-callbacks/schemas";
import { LocalKeyProvider } from "./adapters/local-key-provider.ts";
import { TransientError } from "@trust-callbacks/runtime";
import { canonicalJson } from "./core/signature.ts";
import { InMemorySecrets, InMemorySubscriptions, RecordingPublisher } from "./testing/fakes.ts";
import { InMemoryHoldStates, InMemoryHoldStore } from "./testing/holds.ts";
import { EventSealer, TEST_SETTINGS, captureLogs, kinesisRecord, newSigningSecret, plainMessageCreated, trustConfig } from "./testing/fixtures.ts";
import { createLogger } from "@trust-callbacks/runtime";
import { handleSupportRequest } from "./support-signer.ts";

const NOW = new Date("2026-12-05T04:00:00Z");

function setup(configs: TrustConfig[], buses: Record<string, string> = {}) {
  const keys = new LocalKeyProvider();
  const secrets = new InMemorySecrets();
  for (const config of configs) for (const endpoint of config.endpoints) secrets.values.set(endpoint.signingSecret, newSigningSecret());
  const subscriptions = new InMemorySubscriptions(configs);
  for (const [trustId, eventBus] of Object.entries(buses)) {
    const document = subscriptions.documents.get(trustId)!;
    if (document.status === "found") subscriptions.documents.set(trustId, { status: "found", value: { ...document.value, eventBus } });
  }
  const publisher = new RecordingPublisher();
  const logs = captureLogs();
  const deps = { keys, secrets, subscriptions, publisher, logger: createLogger({ level: "info" }, logs.destination), now: () => NOW, sleep: async () => {}, random: () => 0 };
  return { deps, keys, secrets, subscriptions, publisher, logs, sealer: new EventSealer(keys) };
}

/** A CloudEvent as a dead letter holds it (signed long ago; its content must come back unchanged). */
const cloudEvent = (trustid: string, endpointid: string, overrides: Partial<CallbackCloudEvent> = {}): CallbackCloudEvent => ({
  specversion: "1.0",
  id: randomUUID(),
  type: "uk.nhs.trustcallbacks.message.created.v1",
  source: "/trust-callbacks/test",
  trustid,
  endpointid,
  time: "2026-12-04T10:00:00Z",
  data: { sourceEventId: randomUUID(), text: "Patient in bay 4 needs review" },
  ...overrides,
});

const redrive = (trustId: string, endpointId: string, cloudEvents: CallbackCloudEvent[]) => ({
  kind: "redrive",
  trustId,
  endpointId,
  cloudEvents,
  operator: "alice@example.nhs.uk",
  correlationId: "corr-1",
});

const deliveriesOf = (answer: SupportSignerAnswer) => {
  if (answer.kind !== "redrive") throw new Error(`expected a redrive answer, got ${JSON.stringify(answer)}`);
  return answer.deliveries;
};

describe("support signer: redrive", () => {
  it("re-signs each CloudEvent for the endpoint with its current key and a fresh timestamp, on the trust's bus, and answers the new bus event id", async () => {
    const { deps, publisher, secrets } = setup([trustConfig("RX1", [{}, {}])], { RX1: "callbacks-2" });
    const events = [cloudEvent("RX1", "ep2"), cloudEvent("RX1", "ep2")];

    const answer = await handleSupportRequest(redrive("RX1", "ep2", events), deps, TEST_SETTINGS);

    expect(deliveriesOf(answer)).toEqual([
      { status: "accepted", endpointId: "ep2", cloudEventId: events[0]!.id, busEventId: "e-0-0" },
      { status: "accepted", endpointId: "ep2", cloudEventId: events[1]!.id, busEventId: "e-0-1" },
    ]);
    expect(publisher.published.map((e) => [e.EventBusName, e.Source])).toEqual([["callbacks-2", "trust-callbacks"], ["callbacks-2", "trust-callbacks"]]);
    const detail = JSON.parse(publisher.published[0]!.Detail) as BuiltCallbackDetail;
    expect(detail.event).toEqual(events[0]); // same CloudEvent, so receivers dedupe by its id
    expect(detail.webhook.timestamp).toBe(String(NOW.getTime() / 1000));
    // Checked independently of the signer: Standard Webhooks HMAC over the canonical body, with ep2's key (not ep1's).
    const key = Buffer.from(secrets.values.get("tc/test/signing/RX1/ep2")!.slice("whsec_".length), "base64");
    const expected = createHmac("sha256", key).update(`${detail.webhook.id}.${detail.webhook.timestamp}.${canonicalJson(events[0])}`).digest("base64");
    expect(detail.webhook.signature).toBe(`v1,${expected}`);
  });

  const refusedEndpoints: [string, TrustConfig[], string, RegExp][] = [
    ["an unknown trust", [trustConfig("RX1")], "RX9", /unknown trust RX9/],
    ["an endpoint not in the document (unknown or removed)", [trustConfig("RX1")], "RX1", /endpoint RX1\/ep2 is unknown or removed/],
    ["a disabled endpoint", [trustConfig("RX1", [{}, { enabled: false }])], "RX1", /endpoint RX1\/ep2 is disabled/],
    ["a disabled trust", [trustConfig("RX1", [{}, {}], { enabled: false })], "RX1", /trust RX1 is disabled/],
  ];
  it.each(refusedEndpoints)("refuses %s: every CloudEvent failed, never retried, nothing published", async (_case, configs, trustId, reason) => {
    const { deps, publisher } = setup(configs);
    const events = [cloudEvent(trustId, "ep2")];

    const answer = await handleSupportRequest(redrive(trustId, "ep2", events), deps, TEST_SETTINGS);

    expect(deliveriesOf(answer)).toEqual([{ status: "failed", endpointId: "ep2", cloudEventId: events[0]!.id, retry: "never", reason: expect.stringMatching(reason) }]);
    expect(publisher.calls).toEqual([]);
  });

  it("refuses a CloudEvent that names another trust or endpoint, a repeated one and an oversized one, and publishes the rest", async () => {
    const { deps, publisher } = setup([trustConfig("RX1", [{}, {}]), trustConfig("RX2")]);
    const good = cloudEvent("RX1", "ep1");
    const events = [
      cloudEvent("RX1", "ep2"),
      cloudEvent("RX2", "ep1"),
      good,
      { ...good },
      cloudEvent("RX1", "ep1", { data: { blob: "x".repeat(250 * 1024) } }),
    ];

    const answer = await handleSupportRequest(redrive("RX1", "ep1", events), deps, TEST_SETTINGS);

    expect(deliveriesOf(answer).map((d) => [d.status, d.status === "failed" ? d.retry : d.busEventId])).toEqual([
      ["failed", "never"],
      ["failed", "never"],
      ["accepted", "e-0-0"],
      ["failed", "never"],
      ["failed", "never"],
    ]);
    expect(publisher.published.map((e) => (JSON.parse(e.Detail) as BuiltCallbackDetail).event.id)).toEqual([good.id]);
  });

  it("answers a PutEvents partial failure per CloudEvent with the core's retry class", async () => {
    const { deps, publisher } = setup([trustConfig("RX1")]);
    const [accepted, rejected, throttled] = [cloudEvent("RX1", "ep1"), cloudEvent("RX1", "ep1"), cloudEvent("RX1", "ep1")];
    publisher.plan = (entry) => {
      const id = (JSON.parse(entry.Detail) as BuiltCallbackDetail).event.id;
      return id === rejected.id ? { errorCode: "InvalidArgument" } : id === throttled.id ? { errorCode: "ThrottlingException" } : "accept";
    };

    const answer = await handleSupportRequest(redrive("RX1", "ep1", [accepted, rejected, throttled]), deps, TEST_SETTINGS);

    expect(deliveriesOf(answer)).toEqual([
      { status: "accepted", endpointId: "ep1", cloudEventId: accepted.id, busEventId: "e-0-0" },
      { status: "failed", endpointId: "ep1", cloudEventId: rejected.id, retry: "never", reason: expect.stringContaining("InvalidArgument") },
      // Resent now while attempts remain (TEST_SETTINGS: 3 calls), then handed back.
      { status: "failed", endpointId: "ep1", cloudEventId: throttled.id, retry: "later", reason: expect.stringContaining("ThrottlingException") },
    ]);
    expect(publisher.calls.length).toBe(3);
  });

  it("answers a signing secret that cannot be read now with retry now, and publishes nothing", async () => {
    const { deps, publisher, secrets } = setup([trustConfig("RX1")]);
    secrets.faults.set("tc/test/signing/RX1/ep1", "transient");
    const events = [cloudEvent("RX1", "ep1")];

    const answer = await handleSupportRequest(redrive("RX1", "ep1", events), deps, TEST_SETTINGS);

    expect(deliveriesOf(answer)).toEqual([{ status: "failed", endpointId: "ep1", cloudEventId: events[0]!.id, retry: "now", reason: expect.stringContaining("unavailable") }]);
    expect(publisher.calls).toEqual([]);
  });

  it("answers a trust document that cannot be read now with that retry class, per CloudEvent", async () => {
    const { deps, subscriptions } = setup([trustConfig("RX1")]);
    subscriptions.get = async () => {
      throw new TransientError("S3 GetObject: SlowDown");
    };
    const events = [cloudEvent("RX1", "ep1")];
    const answer = await handleSupportRequest(redrive("RX1", "ep1", events), deps, TEST_SETTINGS);
    expect(deliveriesOf(answer)).toEqual([{ status: "failed", endpointId: "ep1", cloudEventId: events[0]!.id, retry: "now", reason: expect.stringContaining("SlowDown") }]);
  });

  const refusedRequests: [string, unknown, RegExp][] = [
    ["larger than MAX_SUPPORT_REQUEST_BYTES", { ...redrive("RX1", "ep1", [cloudEvent("RX1", "ep1")]), operator: "x".repeat(MAX_SUPPORT_REQUEST_BYTES) }, /bytes; at most/],
    ["more than 10 CloudEvents", redrive("RX1", "ep1", Array.from({ length: 11 }, () => cloudEvent("RX1", "ep1"))), /cloudEvents/],
    ["no CloudEvent", redrive("RX1", "ep1", []), /cloudEvents/],
    ["not JSON", "{redrive", /not JSON/],
    ["an unknown kind", { ...redrive("RX1", "ep1", [cloudEvent("RX1", "ep1")]), kind: "sign-anything" }, /kind/],
    ["no operator", { ...redrive("RX1", "ep1", [cloudEvent("RX1", "ep1")]), operator: undefined }, /operator/],
    ["a field it does not know", { ...redrive("RX1", "ep1", [cloudEvent("RX1", "ep1")]), eventBusName: "another-bus" }, /eventBusName/],
  ];
  it.each(refusedRequests)("refuses a request %s, whole, with a reason and without publishing", async (_case, request, reason) => {
    const { deps, publisher } = setup([trustConfig("RX1")]);
    const answer = await handleSupportRequest(request, deps, TEST_SETTINGS);
    expect(answer).toEqual({ kind: "refused", retry: "never", reason: expect.stringMatching(reason) });
    expect(publisher.calls).toEqual([]);
  });

  it("logs the correlation id, operator and ids, never the CloudEvent's content or a key", async () => {
    const { deps, logs, secrets } = setup([trustConfig("RX1")]);
    const events = [cloudEvent("RX1", "ep1")];
    await handleSupportRequest(redrive("RX1", "ep1", events), deps, TEST_SETTINGS);
    const text = logs.lines.join("\n");
    expect(logs.lines.map((line) => JSON.parse(line))).toContainEqual(
      expect.objectContaining({ correlationId: "corr-1", operator: "alice@example.nhs.uk", trustId: "RX1", endpointId: "ep1", message: "support request answered" }),
    );
    expect(text).toContain(events[0]!.id);
    expect(text).not.toContain("Patient in bay 4");
    expect(text).not.toContain(secrets.values.get("tc/test/signing/RX1/ep1")!.slice("whsec_".length));
  });
});

describe("support signer: replay", () => {
  const replay = (trustId: string, records: unknown[], extra: Record<string, unknown> = {}) => ({
    kind: "replay",
    trustId,
    records,
    operator: "alice@example.nhs.uk",
    correlationId: "corr-2",
    ...extra,
  });

  it("runs the core on the trust's records for the chosen endpoint only, and answers deliveries, filtered and quarantined", async () => {
    const { deps, publisher, sealer } = setup([trustConfig("RX1", [{}, {}, { eventTypes: ["conversation.closed"] }]), trustConfig("RX2")]);
    const mine = sealer.seal(plainMessageCreated("RX1"));
    const otherTrust = sealer.seal(plainMessageCreated("RX2"));
    const records = [kinesisRecord(mine), kinesisRecord(otherTrust), kinesisRecord("not a platform event", { rawData: true })];

    const answer = await handleSupportRequest(replay("RX1", records, { endpointId: "ep3" }), deps, TEST_SETTINGS);
    if (answer.kind !== "replay") throw new Error(JSON.stringify(answer));
    // ep3 subscribes to conversation.closed only: nothing of these is for it.
    expect(answer.counts).toEqual({ published: 0, filtered: 1, quarantined: 2, retried: 0 });
    expect(publisher.calls).toEqual([]);

    const again = await handleSupportRequest(replay("RX1", records, { endpointId: "ep2" }), deps, TEST_SETTINGS);
    if (again.kind !== "replay") throw new Error(JSON.stringify(again));
    expect(again.counts).toEqual({ published: 1, filtered: 0, quarantined: 2, retried: 0 });
    expect(again.records[0]).toMatchObject({ sourceEventId: mine.eventId, state: "published", deliveries: [{ status: "accepted", endpointId: "ep2", busEventId: "e-0-0" }] });
    // The other trust's event is never published by a replay for RX1.
    expect(publisher.published.map((e) => (JSON.parse(e.Detail) as BuiltCallbackDetail).event.trustid)).toEqual(["RX1"]);
    expect(again.records[1]).toMatchObject({ state: "quarantined", deliveries: [] });
  });

  it("publishes nothing on a dry run and still answers what would be published", async () => {
    const { deps, publisher, sealer } = setup([trustConfig("RX1")]);
    const answer = await handleSupportRequest(replay("RX1", [kinesisRecord(sealer.seal(plainMessageCreated("RX1")))], { dryRun: true }), deps, TEST_SETTINGS);
    expect(answer).toMatchObject({ kind: "replay", counts: { published: 1 } });
    expect(publisher.calls).toEqual([]);
  });

  it("refuses an endpoint the trust does not have, and more than 100 records", async () => {
    const { deps, sealer } = setup([trustConfig("RX1")]);
    const record = kinesisRecord(sealer.seal(plainMessageCreated("RX1")));
    expect(await handleSupportRequest(replay("RX1", [record], { endpointId: "ep9" }), deps, TEST_SETTINGS)).toEqual({
      kind: "refused",
      correlationId: "corr-2",
      retry: "never",
      reason: expect.stringContaining("ep9"),
    });
    expect(await handleSupportRequest(replay("RX1", Array.from({ length: 101 }, () => record)), deps, TEST_SETTINGS)).toMatchObject({ kind: "refused", retry: "never" });
  });
});

describe("10.8 a redrive or replay to a held endpoint is held too", () => {
  const heldState = (endpointId: string): HoldState =>
    HoldState.parse({ trustId: "RX1", endpointId, phase: "held", source: "adhoc", reason: "EPR upgrade", heldAt: "2026-12-05T03:00:00Z", heldBy: "alice", version: 1 });
  const withHolds = (configs: TrustConfig[], states: HoldState[] = []) => {
    const context = setup(configs);
    const holdStates = new InMemoryHoldStates(states);
    const holdStore = new InMemoryHoldStore();
    return { ...context, holdStates, holdStore, deps: { ...context.deps, holds: { states: holdStates, store: holdStore } } };
  };

  it("redrive: each CloudEvent goes to the held endpoint's store unchanged, answered accepted and held with the store's id; nothing on the bus", async () => {
    const { deps, publisher, holdStore } = withHolds([trustConfig("RX1", [{}, {}])], [heldState("ep2")]);
    const events = [cloudEvent("RX1", "ep2"), cloudEvent("RX1", "ep2")];
    const answer = await handleSupportRequest(redrive("RX1", "ep2", events), deps, TEST_SETTINGS);
    expect(deliveriesOf(answer)).toEqual(events.map((event) => ({ status: "accepted", endpointId: "ep2", cloudEventId: event.id, busEventId: `held-${event.id}`, held: true })));
    expect(publisher.published).toEqual([]);
    expect(holdStore.queues.get("RX1#ep2")!.map((delivery) => delivery.cloudEvent)).toEqual(events);
  });

  it("redrive: a window of the current trust file holds it (and writes the window's hold state)", async () => {
    const holds = [{ from: "2026-12-05T02:00:00Z", until: "2026-12-05T06:00:00Z", reason: "EPR upgrade" }];
    const { deps, publisher, holdStore, holdStates } = withHolds([trustConfig("RX1", [{ holds }])]);
    const answer = await handleSupportRequest(redrive("RX1", "ep1", [cloudEvent("RX1", "ep1")]), deps, TEST_SETTINGS);
    expect(deliveriesOf(answer)[0]).toMatchObject({ status: "accepted", held: true });
    expect([publisher.published.length, holdStore.queues.get("RX1#ep1")?.length, holdStates.items.get("RX1#ep1")?.source]).toEqual([0, 1, "schedule"]);
  });

  it("redrive: an endpoint not held is sent to the bus as before", async () => {
    const { deps, publisher, holdStore } = withHolds([trustConfig("RX1", [{}, {}])], [heldState("ep2")]);
    const answer = await handleSupportRequest(redrive("RX1", "ep1", [cloudEvent("RX1", "ep1")]), deps, TEST_SETTINGS);
    expect(deliveriesOf(answer)[0]).toMatchObject({ status: "accepted" });
    expect(deliveriesOf(answer)[0]).not.toHaveProperty("held");
    expect([publisher.published.length, holdStore.appendCalls]).toEqual([1, 0]);
  });

  it("redrive: a hold state that cannot be read fails the delivery (retry later), sent nowhere", async () => {
    const { deps, publisher, holdStore, holdStates } = withHolds([trustConfig("RX1")]);
    holdStates.failNext("getMany");
    const answer = await handleSupportRequest(redrive("RX1", "ep1", [cloudEvent("RX1", "ep1")]), deps, TEST_SETTINGS);
    expect(deliveriesOf(answer)[0]).toMatchObject({ status: "failed", retry: "later" });
    expect([publisher.published.length, holdStore.appendCalls]).toEqual([0, 0]);
  });

  it("replay: the held endpoint's deliveries go to its store, answered held; a dry run keeps nothing", async () => {
    const { deps, publisher, holdStore, sealer } = withHolds([trustConfig("RX1", [{}, {}])], [heldState("ep1")]);
    const records = [kinesisRecord(sealer.seal(plainMessageCreated("RX1")))];
    const request = { kind: "replay", trustId: "RX1", endpointId: "ep1", records, operator: "alice@example.nhs.uk", correlationId: "corr-2" };

    const dry = await handleSupportRequest({ ...request, dryRun: true }, deps, TEST_SETTINGS);
    expect(dry.kind === "replay" && dry.records[0]!.deliveries[0]).toMatchObject({ status: "accepted", held: true });
    expect(holdStore.appendCalls).toBe(0);

    const answer = await handleSupportRequest(request, deps, TEST_SETTINGS);
    expect(answer.kind === "replay" && answer.records[0]!.deliveries).toEqual([expect.objectContaining({ status: "accepted", endpointId: "ep1", held: true })]);
    expect(publisher.published).toEqual([]);
    expect(holdStore.queues.get("RX1#ep1")).toHaveLength(1);
  });
});
