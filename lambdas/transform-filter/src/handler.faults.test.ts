import { Writable } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dataKeyEncryptionContext } from "@trust-callbacks/schemas";
import { LocalKeyProvider } from "./adapters/local-key-provider.ts";
import { createHandler, createRuntime } from "./handler.ts";
import { EventSealer, kinesisRecord, plainMessageCreated, trustConfig } from "./testing/fixtures.ts";
import { SDK_FAULTS, faultyAws } from "./testing/sdk-faults.ts";

const fault = fc.constantFrom(...SDK_FAULTS);

describe("the handler under AWS faults (SDK-level injection: throttling, timeouts, 5xx, access denied, partial PutEvents failure)", () => {
  it("ends every record in exactly one state and publishes nothing twice, for every fault pattern", async () => {
    const configs = ["RX1", "RX2"].map((t) => trustConfig(t, [{}, { payloadProfile: "minimal" }]));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fault, { minLength: 12, maxLength: 12 }),
        fc.array(fc.constantFrom("ok", "ok", "ThrottlingException", "InternalFailure", "MalformedDetail"), { minLength: 20, maxLength: 20 }),
        fc.integer({ min: 1, max: 30 }),
        async (calls, entries, size) => {
          // Prepare
          const keyProvider = new LocalKeyProvider();
          const sealer = new EventSealer(keyProvider);
          const aws = faultyAws({ configs, keyProvider, calls, entries });
          const logLines: { eventID?: string; state?: string; message?: string; deliveries?: unknown }[] = [];
          const handler = createHandler(
            createRuntime(
              { ENVIRONMENT: "test", EVENT_BUS_NAME: "bus", SUBSCRIPTIONS_BUCKET: "c", QUARANTINE_BUCKET: "q", PUBLISH_ATTEMPTS: "2", LOG_LEVEL: "debug" },
              {
                ...aws.clients,
                logDestination: new Writable({
                  write: (chunk, _e, done) => {
                    logLines.push(...String(chunk).split("\n").filter(Boolean).map((l) => JSON.parse(l)));
                    done();
                  },
                }),
              },
            ),
          );
          const events = Array.from({ length: size }, (_v, i) => sealer.seal(plainMessageCreated(i % 3 === 0 ? "RX2" : "RX1")));
          const records = events.map((event) => kinesisRecord(event));
          expect(dataKeyEncryptionContext("RX1").trustId).toBe("RX1");

          // Act
          const { batchItemFailures } = await handler(records, { awsRequestId: "r", getRemainingTimeInMillis: () => 60_000 });

          // Assess
          const retried = new Set(batchItemFailures.map((f) => f.itemIdentifier));
          expect(retried.size).toBe(batchItemFailures.length);
          for (const id of retried) expect(records.map((r) => r.eventID)).toContain(id);
          expect(new Set(aws.published).size).toBe(aws.published.length); // nothing twice within the invocation
          // Exactly one final state per record, logged; each state backed by what happened at the edges.
          const quarantinedKeys = aws.quarantineKeys();
          const sentDetails = aws.sentDetails();
          records.forEach((record, i) => {
            const states = logLines.filter((l) => l.eventID === record.eventID && l.state).map((l) => l.state);
            expect(states, JSON.stringify(logLines.filter((l) => l.eventID === record.eventID))).toHaveLength(1);
            const state = states[0];
            expect(retried.has(record.eventID)).toBe(state === "retry");
            const sourceEventId = events[i]!.eventId;
            const publishedHere = sentDetails.filter((d) => d.event.data.sourceEventId === sourceEventId && aws.published.includes(d.event.id));
            if (state === "published") expect(new Set(publishedHere.map((d) => d.event.endpointid))).toEqual(new Set(["ep1", "ep2"]));
            if (state === "quarantined") expect(quarantinedKeys.some((key) => key.endsWith(`${record.eventID.replace(":", "_")}.json`))).toBe(true);
            // docs/guarantees.md 1.2: every SDK fault here (throttled, timeout, 5xx, access denied) is transient, so the
            // only way to quarantine is an entry EventBridge rejected as malformed.
            if (state === "quarantined") {
              const sent = sentDetails.filter((d) => d.event.data.sourceEventId === sourceEventId);
              expect(sent.length).toBeGreaterThan(0);
            }
          });
          // docs/guarantees.md 2.1: no KMS fault of ours strips content from a full-profile delivery.
          for (const detail of sentDetails) expect(detail.event.data.undecryptableFields).toBeUndefined();
          if (!entries.includes("MalformedDetail")) expect(quarantinedKeys).toEqual([]);
          aws.restore();
        },
      ),
      { numRuns: 60 },
    );
  }, 60_000);
});
