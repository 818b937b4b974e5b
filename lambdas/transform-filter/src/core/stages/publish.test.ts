import { describe, expect, it } from "vitest";
import { LocalKeyProvider } from "../../adapters/local-key-provider.ts";
import { InMemorySecrets, InMemorySubscriptions, MemoryQuarantine, RecordingPublisher, silentLogger } from "../../testing/fakes.ts";
import { EventSealer, TEST_SETTINGS, kinesisRecord, newSigningSecret, plainMessageCreated, trustConfig } from "../../testing/fixtures.ts";
import type { PublishedDelivery } from "../ports.ts";
import { processBatch } from "../process-batch.ts";

describe("publish stage: the call history", () => {
  it("records each delivery the bus accepted, once, with its bus event id, and nothing the bus refused", async () => {
    const config = trustConfig("RX1", [{}, { payloadProfile: "minimal" }]);
    const keyProvider = new LocalKeyProvider();
    const sealer = new EventSealer(keyProvider);
    const secrets = new InMemorySecrets();
    for (const endpoint of config.endpoints) secrets.values.set(endpoint.signingSecret, newSigningSecret());
    const refused = plainMessageCreated("RX1");
    const publisher = new RecordingPublisher().failFor(refused.eventId, "AccessDeniedException");
    let throttled = 0;
    const plan = publisher.plan;
    publisher.plan = (entry, call) => (call === 0 && throttled++ === 0 ? { errorCode: "ThrottlingException" } : plan(entry, call));
    const recorded: PublishedDelivery[] = [];
    const accepted = sealer.seal(plainMessageCreated("RX1", { correlationId: "corr-1" }));

    await processBatch(
      [kinesisRecord(accepted), kinesisRecord(sealer.seal(refused))],
      {
        keys: keyProvider,
        subscriptions: new InMemorySubscriptions([config]),
        secrets,
        publisher,
        quarantine: new MemoryQuarantine(),
        logger: silentLogger(),
        sleep: async () => {},
        now: () => new Date("2026-11-22T10:00:00Z"),
        history: { published: (delivery) => void recorded.push(delivery) },
      },
      TEST_SETTINGS,
    );

    expect(recorded).toHaveLength(2); // one per endpoint of the accepted event, the throttled one after its resend
    expect(new Set(recorded.map((r) => r.endpointId))).toEqual(new Set(config.endpoints.map((e) => e.id)));
    for (const r of recorded) {
      expect(r).toMatchObject({ trustId: "RX1", sourceEventId: accepted.eventId, eventCorrelationId: "corr-1", eventType: "uk.nhs.trustcallbacks.message.created.v1", publishedAt: "2026-11-22T10:00:00.000Z" });
      expect(r.busEventId).toEqual(expect.any(String));
    }
    expect(recorded.some((r) => r.sourceEventId === refused.eventId)).toBe(false);
  });
});
