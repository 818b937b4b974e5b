import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { LocalKeyProvider } from "../adapters/local-key-provider.ts";
import { InMemorySecrets, InMemorySubscriptions, MemoryQuarantine, RecordingPublisher, silentLogger } from "../testing/fakes.ts";
import { EventSealer, TEST_SETTINGS, kinesisRecord, newSigningSecret, plainMessageCreated, trustConfig } from "../testing/fixtures.ts";
import { TransientError } from "@trust-callbacks/runtime";
import { canonicalJson } from "./signature.ts";
import { processBatch, type ProcessorDeps } from "./process-batch.ts";
import type { BuiltCallbackDetail, TrustConfig } from "@trust-callbacks/schemas";

const settings = TEST_SETTINGS;

function setup(configs: TrustConfig[]) {
  const keyProvider = new LocalKeyProvider();
  const sealer = new EventSealer(keyProvider);
  const secrets = new InMemorySecrets();
  for (const config of configs) for (const endpoint of config.endpoints) secrets.values.set(endpoint.signingSecret, newSigningSecret());
  const subscriptions = new InMemorySubscriptions(configs);
  const publisher = new RecordingPublisher();
  const quarantine = new MemoryQuarantine();
  const deps: ProcessorDeps = {
    keys: keyProvider,
    subscriptions,
    secrets,
    publisher,
    quarantine,
    logger: silentLogger(),
    sleep: async () => {},
    now: () => new Date("2026-11-22T10:00:00Z"),
  };
  return { deps, sealer, keyProvider, secrets, subscriptions, publisher, quarantine };
}

const reverseKeys = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(reverseKeys)
    : value !== null && typeof value === "object"
      ? Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)]))
      : value;

const details = (publisher: RecordingPublisher): BuiltCallbackDetail[] => publisher.published.map((e) => JSON.parse(e.Detail));

describe("processBatch", () => {
  it("publishes one signed CloudEvent per subscribed endpoint, with decrypted content for the full profile only", async () => {
    const config = trustConfig("RX1", [{}, { payloadProfile: "minimal" }]);
    const { deps, sealer, publisher, secrets } = setup([config]);
    const event = sealer.seal(plainMessageCreated("RX1"));
    const record = kinesisRecord(event);

    const result = await processBatch([record], deps, settings);

    expect(result.batchItemFailures).toEqual([]);
    expect(result.outcomes[0]!.state).toBe("published");
    const [full, minimal] = details(publisher);
    expect(full!.event.endpointid).toBe("ep1");
    expect(full!.event.data).toMatchObject({ text: "Patient in bay 4 needs review", sender: { displayName: "Dr Ada Example" } });
    expect(minimal!.event.endpointid).toBe("ep2");
    expect(minimal!.event.data).toMatchObject({ messageId: (event.data as { messageId: string }).messageId, sender: { userId: "user-17" } });
    expect(JSON.stringify(minimal!.event.data)).not.toMatch(/Patient|Ada/);
    expect(full!.event.id).not.toBe(minimal!.event.id);

    // Independent check of the documented signature: HMAC-SHA256 over id.timestamp.canonicalJSON(body).
    const secret = secrets.values.get(config.endpoints[0]!.signingSecret)!;
    const key = Buffer.from(secret.slice("whsec_".length), "base64");
    const reserialized = reverseKeys(full!.event); // EventBridge may re-serialize the body in any key order
    const signed = `${full!.webhook.id}.${full!.webhook.timestamp}.${canonicalJson(reserialized)}`;
    const expected = createHmac("sha256", key).update(signed).digest("base64");
    expect(full!.webhook.signature).toBe(`v1,${expected}`);
    expect(full!.webhook.id).toBe(full!.event.id);
    expect(full!.webhook.timestamp).toBe(String(Date.parse("2026-11-22T10:00:00Z") / 1000));
  });

  it("routes entries with the bus source and a detail type per event type", async () => {
    const { deps, sealer, publisher } = setup([trustConfig("RX1")]);
    await processBatch([kinesisRecord(sealer.seal(plainMessageCreated("RX1")))], deps, settings);
    expect(publisher.published[0]).toMatchObject({
      Source: "trust-callbacks",
      DetailType: "uk.nhs.trustcallbacks.message.created.v1",
      EventBusName: "callbacks",
    });
  });

  it("filters on event type, attribute conditions, endpoint switch and the trust kill switch", async () => {
    const configs = [
      trustConfig("RX1", [
        { eventTypes: ["message.read"] },
        { conditions: { site: ["ANNEX"] } },
        { enabled: false },
      ]),
      trustConfig("RX2", [{}], { enabled: false }),
    ];
    const { deps, sealer, publisher } = setup(configs);
    const result = await processBatch(
      [kinesisRecord(sealer.seal(plainMessageCreated("RX1"))), kinesisRecord(sealer.seal(plainMessageCreated("RX2")))],
      deps,
      settings,
    );
    expect(result.outcomes.map((o) => [o.state, o.reason])).toEqual([
      ["filtered", "no endpoint subscribes to message.created"],
      ["filtered", "trust disabled (kill switch)"],
    ]);
    expect(publisher.calls).toHaveLength(0);
  });

  it("matches an endpoint whose conditions all hold", async () => {
    const { deps, sealer, publisher } = setup([trustConfig("RX1", [{ conditions: { site: ["MAIN"], priority: ["urgent", "emergency"] } }])]);
    await processBatch([kinesisRecord(sealer.seal(plainMessageCreated("RX1")))], deps, settings);
    expect(publisher.published).toHaveLength(1);
  });

  it("quarantines invalid records with a reason and leaves the rest of the batch alone", async () => {
    const { deps, sealer, publisher, quarantine } = setup([trustConfig("RX1")]);
    const good = kinesisRecord(sealer.seal(plainMessageCreated("RX1")));
    const records = [
      kinesisRecord("%%% not base64 %%%", { rawData: true }),
      kinesisRecord(Buffer.from("{not json").toString("base64"), { rawData: true }),
      kinesisRecord({ ...plainMessageCreated("RX1"), type: "message.deleted" }),
      good,
    ];
    const result = await processBatch(records, deps, settings);
    expect(result.outcomes.map((o) => o.state)).toEqual(["quarantined", "quarantined", "quarantined", "published"]);
    expect(quarantine.entries.map((e) => e.reason)).toEqual([
      "record data is not base64",
      "record data is not valid JSON",
      expect.stringMatching(/^event does not match the schema: type: /),
    ]);
    expect(quarantine.entries[2]!.trustId).toBe("RX1");
    expect(publisher.published).toHaveLength(1);
  });

  it("quarantines events of unknown trusts and of trusts whose document is invalid", async () => {
    const { deps, sealer, subscriptions, quarantine } = setup([trustConfig("RX1")]);
    subscriptions.invalid("RX3", "endpoints[0].url: must be an https:// URL");
    const result = await processBatch(
      [kinesisRecord(sealer.seal(plainMessageCreated("ZZZ9"))), kinesisRecord(sealer.seal(plainMessageCreated("RX3")))],
      deps,
      settings,
    );
    expect(result.outcomes.map((o) => o.state)).toEqual(["quarantined", "quarantined"]);
    expect(quarantine.entries[0]!.reason).toBe("unknown trust ZZZ9: no subscription document");
    expect(quarantine.entries[1]!.reason).toMatch(/RX3 is invalid: endpoints\[0\]\.url/);
  });

  it("hands records back for retry when S3, KMS or Secrets Manager fail transiently, affecting only those records", async () => {
    const configs = [trustConfig("RX1"), trustConfig("RX2"), trustConfig("RX3"), trustConfig("RX4")];
    const { deps, sealer, subscriptions, secrets, publisher } = setup(configs);
    subscriptions.faults.set("RX1", "transient");
    secrets.faults.set(configs[2]!.endpoints[0]!.signingSecret, "transient");
    const records = ["RX1", "RX2", "RX3", "RX4"].map((t) => kinesisRecord(sealer.seal(plainMessageCreated(t))));
    const kms = sealer.keyProvider;
    deps.keys = {
      unwrap: async (wrapped, context) => {
        if (context.trustId === "RX2") throw new TransientError("KMS throttled");
        return kms.unwrap(wrapped, context);
      },
    };

    const result = await processBatch(records, deps, settings);
    expect(result.outcomes.map((o) => o.state)).toEqual(["retry", "retry", "retry", "published"]);
    expect(result.batchItemFailures).toEqual(records.slice(0, 3).map((r) => ({ itemIdentifier: r.eventID })));
    expect(result.outcomes[0]!.reason).toMatch(/^subscription document unavailable/);
    expect(result.outcomes[1]!.reason).toMatch(/^data key unavailable/);
    expect(result.outcomes[2]!.reason).toMatch(/^signing secret .* unavailable/);
    expect(details(publisher).map((d) => d.event.trustid)).toEqual(["RX4"]);
  });

  it("delivers with an explicit marker when a field cannot be decrypted, and counts it", async () => {
    const { deps, sealer, publisher } = setup([trustConfig("RX1")]);
    const event = sealer.seal(plainMessageCreated("RX1"));
    // A ciphertext moved to another event fails GCM authentication (the AAD binds it to its event).
    const tampered = { ...event, eventId: "1b2d3c4e-0000-4000-8000-000000000000" };
    const result = await processBatch([kinesisRecord(tampered)], deps, settings);
    expect(result.outcomes[0]!.state).toBe("published");
    expect(result.counts.decryptFailures).toBe(2);
    const [detail] = details(publisher);
    expect(detail!.event.data).toMatchObject({
      text: null,
      sender: { displayName: null },
      undecryptableFields: ["data.sender.displayName", "data.text"],
    });
  });

  it("marks fields undecryptable when the key is refused for another trust's encryption context", async () => {
    const { deps, sealer, publisher } = setup([trustConfig("RX1"), trustConfig("RX2")]);
    const sealedForRx1 = sealer.seal(plainMessageCreated("RX1"));
    const claimingRx2 = { ...sealedForRx1, trustId: "RX2" };
    const result = await processBatch([kinesisRecord(claimingRx2)], deps, settings);
    expect(result.outcomes[0]!.state).toBe("published");
    expect(details(publisher)[0]!.event.data.undecryptableFields).toHaveLength(2);
  });

  it("unwraps each distinct data key once per batch and skips KMS when no endpoint needs plaintext", async () => {
    const { deps, sealer, keyProvider } = setup([trustConfig("RX1"), trustConfig("RX2", [{ payloadProfile: "minimal" }])]);
    const records = [
      ...Array.from({ length: 5 }, () => kinesisRecord(sealer.seal(plainMessageCreated("RX1")))),
      ...Array.from({ length: 5 }, () => kinesisRecord(sealer.seal(plainMessageCreated("RX2")))),
    ];
    await processBatch(records, deps, settings);
    expect(keyProvider.unwrapCalls).toBe(1);
  });

  it("packs entries at most 10 per PutEvents call and retries only the entries that failed retryably", async () => {
    const { deps, sealer, publisher } = setup([trustConfig("RX1")]);
    const records = Array.from({ length: 25 }, () => kinesisRecord(sealer.seal(plainMessageCreated("RX1"))));
    publisher.failFirstCalls(1, "ThrottlingException");

    const result = await processBatch(records, deps, settings);
    expect(publisher.calls.map((c) => c.length)).toEqual([10, 10, 5, 10]);
    expect(result.outcomes.every((o) => o.state === "published")).toBe(true);
    expect(new Set(publisher.published.map((e) => e.Detail)).size).toBe(25);
    expect(result.counts.putEventsCalls).toBe(4);
  });

  it("hands back records whose entries keep failing and quarantines entries PutEvents rejects outright", async () => {
    // Prepare
    const { deps, sealer, publisher, quarantine } = setup([trustConfig("RX1")]);
    const [failing, rejected, accepted] = Array.from({ length: 3 }, () => sealer.seal(plainMessageCreated("RX1")));
    publisher.failFor(failing!.eventId, "InternalFailure").failFor(rejected!.eventId, "MalformedDetail");

    // Act
    const result = await processBatch([failing!, rejected!, accepted!].map((event) => kinesisRecord(event)), deps, settings);

    // Assess
    expect(result.outcomes.map((o) => o.state)).toEqual(["retry", "quarantined", "published"]);
    expect(publisher.calls).toHaveLength(settings.publishAttempts);
    expect(quarantine.entries[0]!.endpointFailures[0]!.reason).toMatch(/MalformedDetail/);
  });

  it("quarantines an entry too large for PutEvents instead of retrying it", async () => {
    const { deps, sealer, quarantine, publisher } = setup([trustConfig("RX1")]);
    const big = sealer.seal(plainMessageCreated("RX1", { text: "y".repeat(5000) }));
    const result = await processBatch([kinesisRecord(big)], deps, { ...settings, maxPutEventsBytes: 4096 });
    expect(result.outcomes[0]!.state).toBe("quarantined");
    expect(quarantine.entries[0]!.endpointFailures[0]!.reason).toMatch(/exceeds the PutEvents limit of 4096 bytes/);
    expect(publisher.calls).toHaveLength(0);
  });

  it("quarantines an entry too large to be kept in the trust's DLQ if its delivery failed, even under the PutEvents limit", async () => {
    const { deps, sealer, quarantine, publisher } = setup([trustConfig("RX1")]);
    // A control character is 1 byte in the ciphertext but 6 in the JSON entry (\u0001): ~246 KiB of entry.
    const big = sealer.seal(plainMessageCreated("RX1", { text: "\u0001".repeat(41 * 1024) }));
    const result = await processBatch([kinesisRecord(big)], deps, { ...settings, maxPutEventsBytes: 256 * 1024 });
    expect(result.outcomes[0]!.state).toBe("quarantined");
    expect(quarantine.entries[0]!.endpointFailures[0]!.reason).toMatch(/could not be kept in the trust's DLQ/);
    expect(publisher.calls).toHaveLength(0);
  });

  it("publishes each trust's entries to the bus its rules are on, when the subscription source names one", async () => {
    const { deps, sealer, publisher } = setup([trustConfig("RX1"), trustConfig("RYJ")]);
    const subscriptions = deps.subscriptions as InMemorySubscriptions;
    const rx1 = subscriptions.documents.get("RX1")!;
    if (rx1.status === "found") subscriptions.documents.set("RX1", { ...rx1, value: { ...rx1.value, eventBus: "tc-prod-callbacks-7" } });
    await processBatch([kinesisRecord(sealer.seal(plainMessageCreated("RX1"))), kinesisRecord(sealer.seal(plainMessageCreated("RYJ")))], deps, settings);
    const buses = publisher.calls.flat().map((entry) => [JSON.parse(entry.Detail).event.trustid, entry.EventBusName]);
    expect(buses).toEqual(expect.arrayContaining([["RX1", "tc-prod-callbacks-7"], ["RYJ", settings.eventBusName]]));
  });

  it("records the endpoints already published when only some deliveries are quarantined", async () => {
    const config = trustConfig("RX1", [{}, {}]);
    const { deps, sealer, secrets, quarantine } = setup([config]);
    secrets.values.delete(config.endpoints[1]!.signingSecret);
    const result = await processBatch([kinesisRecord(sealer.seal(plainMessageCreated("RX1")))], deps, settings);
    expect(result.outcomes[0]!.state).toBe("quarantined");
    expect(quarantine.entries[0]).toMatchObject({ publishedEndpoints: ["ep1"], endpointFailures: [{ endpointId: "ep2" }] });
  });

  it("retries a record whose quarantine write fails instead of dropping it", async () => {
    const { deps, quarantine } = setup([trustConfig("RX1")]);
    quarantine.fault = "transient";
    const record = kinesisRecord("nope", { rawData: true });
    const result = await processBatch([record], deps, settings);
    expect(result.outcomes[0]!.state).toBe("retry");
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: record.eventID }]);
  });

  it("publishes a repeated event once and gives its repeats the same fate", async () => {
    const { deps, sealer, publisher } = setup([trustConfig("RX1")]);
    const event = sealer.seal(plainMessageCreated("RX1"));
    const result = await processBatch([kinesisRecord(event), kinesisRecord(event)], deps, settings);
    expect(publisher.published).toHaveLength(1);
    expect(result.outcomes.map((o) => o.state)).toEqual(["published", "published"]);
    expect(result.outcomes[1]!.duplicateOf).toBe(result.outcomes[0]!.recordId);
    expect(result.counts.duplicates).toBe(1);
  });

  it("does not publish siblings of a delivery that must be retried", async () => {
    const config = trustConfig("RX1", [{}, {}]);
    const { deps, sealer, secrets, publisher } = setup([config]);
    secrets.faults.set(config.endpoints[1]!.signingSecret, "transient");
    const result = await processBatch([kinesisRecord(sealer.seal(plainMessageCreated("RX1")))], deps, settings);
    expect(result.outcomes[0]!.state).toBe("retry");
    expect(publisher.calls).toHaveLength(0);
  });

  it("stops backing off when the invocation is about to time out", async () => {
    const { deps, sealer, publisher } = setup([trustConfig("RX1")]);
    publisher.plan = () => ({ errorCode: "ThrottlingException", errorMessage: "slow down" });
    const result = await processBatch([kinesisRecord(sealer.seal(plainMessageCreated("RX1")))], { ...deps, remainingTimeMs: () => 1000 }, {
      ...settings,
      publishAttempts: 10,
    });
    expect(publisher.calls).toHaveLength(1);
    expect(result.outcomes[0]!.state).toBe("retry");
  });
});
