/**
 * docs/guarantees.md 10.10 and 10.0 through the drain's real sender (the support signer's redrive path): each held
 * delivery is re-signed with the drain's own clock (a fresh webhook-timestamp, verifiable with the endpoint's key),
 * sent unchanged in content, at the endpoint's drain rate; a disabled or removed endpoint's held deliveries are
 * filtered; an unreadable document sends and filters nothing.
 */
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { holdKey, type BuiltCallbackDetail, type CallbackCloudEvent, type HoldState, type TrustConfig } from "@trust-callbacks/schemas";
import { createLogger } from "@trust-callbacks/runtime";
import { canonicalJson } from "./core/signature.ts";
import { InMemorySecrets, InMemorySubscriptions, RecordingPublisher } from "./testing/fakes.ts";
import { InMemoryHoldStates, InMemoryHoldStore, InMemoryNoticeLog } from "./testing/holds.ts";
import { TEST_SETTINGS, captureLogs, newSigningSecret, trustConfig } from "./testing/fixtures.ts";
import { runHoldDrain, signerDrainSender } from "./hold-drain.ts";

const NOW = Date.parse("2026-12-05T04:00:00.000Z");

const cloudEvent = (n: number, trustid = "RX1", endpointid = "ep1"): CallbackCloudEvent => ({
  specversion: "1.0",
  id: `ce-${n}`,
  type: "uk.nhs.trustcallbacks.message.created.v1",
  source: "/trust-callbacks/test",
  trustid,
  endpointid,
  time: "2026-12-04T10:00:00.000Z",
  data: { sourceEventId: `ev-${n}`, text: "Patient in bay 4 needs review" },
});

const draining = (trustId = "RX1", endpointId = "ep1"): HoldState => ({
  trustId, endpointId, phase: "draining", source: "adhoc", reason: "EPR upgrade", heldAt: "2026-12-05T01:00:00.000Z",
  heldBy: "alice", drained: 0, version: 3,
});

function setup(config: TrustConfig, held = 3) {
  const secrets = new InMemorySecrets();
  for (const endpoint of config.endpoints) secrets.values.set(endpoint.signingSecret, newSigningSecret());
  const subscriptions = new InMemorySubscriptions([config]);
  const publisher = new RecordingPublisher();
  const states = new InMemoryHoldStates([draining(config.trustId, config.endpoints[0]!.id)]);
  const store = new InMemoryHoldStore();
  void store.append(Array.from({ length: held }, (_v, i) => ({ endpoint: { trustId: config.trustId, endpointId: config.endpoints[0]!.id }, cloudEvent: cloudEvent(i + 1, config.trustId, config.endpoints[0]!.id) })));
  const logs = captureLogs();
  let at = NOW;
  const sleeps: number[] = [];
  const deps = {
    states, store, notices: new InMemoryNoticeLog(), secrets, subscriptions, publisher,
    logger: createLogger({ level: "info" }, logs.destination),
    now: () => new Date(at),
    sleep: async (ms: number) => { sleeps.push(ms); at += ms; },
    random: () => 0,
    remainingTimeMs: () => 60_000 - (at - NOW),
  };
  return { deps, secrets, publisher, states, store, logs, sleeps, advance: (ms: number) => (at += ms) };
}

describe("10.10 the drain re-signs with the support signer's path", () => {
  it("publishes each held CloudEvent unchanged, signed now with the endpoint's key, in held order, to its trust's rule", async () => {
    const config = trustConfig("RX1", [{ id: "ep1", rateLimitPerSecond: 10 }]);
    const { deps, secrets, publisher, states } = setup(config, 3);
    const report = await runHoldDrain(deps, TEST_SETTINGS);
    expect(report.endpoints[0]).toMatchObject({ sent: 3, drained: 3, to: "closing" });
    const details = publisher.published.map((entry) => JSON.parse(entry.Detail) as BuiltCallbackDetail);
    expect(details.map((d) => d.event)).toEqual([1, 2, 3].map((n) => cloudEvent(n)));
    const key = Buffer.from(secrets.values.get(config.endpoints[0]!.signingSecret)!.slice("whsec_".length), "base64");
    for (const { webhook, event } of details) {
      expect(webhook.timestamp).toBe(String(Math.floor(NOW / 1000)));
      const expected = createHmac("sha256", key).update(`${event.id}.${webhook.timestamp}.${canonicalJson(event)}`).digest("base64");
      expect(webhook.signature).toBe(`v1,${expected}`);
    }
    expect(publisher.published.every((entry) => entry.Source === TEST_SETTINGS.busSource && entry.EventBusName === TEST_SETTINGS.eventBusName)).toBe(true);
    expect(states.items.get(holdKey("RX1", "ep1"))).toMatchObject({ phase: "closing", drained: 3 });
  });

  it("sends to the bus even when given the signer's holds: what the drain sends is never held again", async () => {
    const { deps, publisher, store, states } = setup(trustConfig("RX1", [{ id: "ep1", rateLimitPerSecond: 10 }]), 0);
    const sender = signerDrainSender({ ...deps, holds: { states, store } } as Parameters<typeof signerDrainSender>[0], TEST_SETTINGS);
    const answers = await sender.send({ trustId: "RX1", endpointId: "ep1" }, [cloudEvent(1)]);
    expect(answers).toEqual([expect.objectContaining({ status: "accepted", cloudEventId: "ce-1" })]);
    expect(answers[0]).not.toHaveProperty("held");
    expect(publisher.published).toHaveLength(1);
    expect(await store.depth({ trustId: "RX1", endpointId: "ep1" })).toMatchObject({ value: 0 });
  });

  it("paces at drainRateOf(endpoint): unset, half the rate limit", async () => {
    const { deps, publisher } = setup(trustConfig("RX1", [{ id: "ep1", rateLimitPerSecond: 4 }]), 6);
    await runHoldDrain(deps, TEST_SETTINGS);
    expect(publisher.calls.map((call) => call.length)).toEqual([2, 2, 2]);
  });

  it("paces at drainRatePerSecond when set", async () => {
    const { deps, publisher, sleeps } = setup(trustConfig("RX1", [{ id: "ep1", rateLimitPerSecond: 10, drainRatePerSecond: 3 }]), 6);
    await runHoldDrain(deps, TEST_SETTINGS);
    expect(publisher.calls.map((call) => call.length)).toEqual([3, 3]);
    expect(sleeps).toEqual([1000, 1000]);
  });

  it("logs identifiers and counts, never content", async () => {
    const { deps, logs } = setup(trustConfig("RX1", [{ id: "ep1" }]), 2);
    await runHoldDrain(deps, TEST_SETTINGS);
    const text = logs.lines.join("\n");
    expect(text).toMatch(/hold drain swept/);
    expect(text).not.toMatch(/bay 4|whsec_/);
  });
});

describe("10.0 through the drain: what the current document says of the endpoint", () => {
  const cases: { name: string; config: TrustConfig; plan: string }[] = [
    { name: "trust disabled", config: trustConfig("RX1", [{ id: "ep1" }], { enabled: false }), plan: "filter" },
    { name: "endpoint disabled", config: trustConfig("RX1", [{ id: "ep1", enabled: false }]), plan: "filter" },
    { name: "endpoint removed", config: trustConfig("RX1", [{ id: "other" }]), plan: "filter" },
    { name: "unknown trust", config: trustConfig("RX9", [{ id: "ep1" }]), plan: "filter" },
    { name: "endpoint enabled", config: trustConfig("RX1", [{ id: "ep1", rateLimitPerSecond: 8 }]), plan: "send" },
  ];
  it.each(cases)("$name → $plan", async ({ config, plan }) => {
    const sender = signerDrainSender({ ...setup(config).deps }, TEST_SETTINGS);
    expect((await sender.plan({ trustId: "RX1", endpointId: "ep1" })).kind).toBe(plan);
  });

  it("filtered deliveries leave the store unsent, each logged with its id; the hold closes", async () => {
    const { deps, publisher, store, states, logs } = setup(trustConfig("RX1", [{ id: "ep1", enabled: false }]), 3);
    const report = await runHoldDrain(deps, TEST_SETTINGS);
    expect(report.endpoints[0]).toMatchObject({ filtered: 3, sent: 0, to: "closing" });
    expect(publisher.calls).toEqual([]);
    expect(store.queues.get(holdKey("RX1", "ep1"))).toEqual([]);
    expect(states.items.get(holdKey("RX1", "ep1"))?.phase).toBe("closing");
    expect(logs.lines.filter((line) => line.includes("held delivery filtered")).map((line) => JSON.parse(line).cloudEventId)).toEqual(["ce-1", "ce-2", "ce-3"]);
  });

  it("an unreadable document sends and filters nothing", async () => {
    const config = trustConfig("RX1", [{ id: "ep1" }]);
    const { deps, publisher, store } = setup(config, 2);
    (deps.subscriptions as InMemorySubscriptions).faults.set("RX1", "transient");
    const report = await runHoldDrain(deps, TEST_SETTINGS);
    expect(report.endpoints[0]).toMatchObject({ sent: 0, filtered: 0, to: "draining" });
    expect(publisher.calls).toEqual([]);
    expect(store.queues.get(holdKey("RX1", "ep1"))).toHaveLength(2);
  });
});
