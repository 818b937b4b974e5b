import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LocalKeyProvider } from "../adapters/local-key-provider.ts";
import { InMemorySecrets, InMemorySubscriptions, MemoryQuarantine, RecordingPublisher, silentLogger, type Fault, type PutAnswer } from "../testing/fakes.ts";
import { EventSealer, TEST_SETTINGS, kinesisRecord, newSigningSecret, plainMessageCreated, trustConfig } from "../testing/fixtures.ts";
import { TransientError, PermanentError } from "./errors.ts";
import { processBatch } from "./process-batch.ts";

const TRUSTS = ["RX1", "RX2", "RX3"] as const;
const fault = fc.constantFrom<Fault>(undefined, undefined, undefined, "transient", "permanent");
const putOutcome = fc.constantFrom<PutAnswer>(
  "accept",
  "accept",
  "accept",
  { errorCode: "ThrottlingException", errorMessage: "slow down" },
  { errorCode: "InternalFailure", errorMessage: "oops" },
  { errorCode: "MalformedDetail", errorMessage: "bad" },
  { errorCode: "AccessDeniedException", errorMessage: "no" },
  "throw-transient",
  "throw-permanent",
);
const recordKind = fc.oneof(
  fc.record({ kind: fc.constant("valid" as const), trust: fc.constantFrom(...TRUSTS), repeatOf: fc.option(fc.nat(30), { nil: undefined }) }),
  fc.record({ kind: fc.constant("unknown-trust" as const) }),
  fc.record({ kind: fc.constant("garbage" as const), text: fc.string({ maxLength: 40 }) }),
);

describe("processBatch under random batches and random faults", () => {
  it("ends every record in exactly one state, reports exactly the retries, and publishes nothing twice", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(recordKind, { minLength: 1, maxLength: 40 }),
        fc.record({
          subscriptions: fc.array(fault, { minLength: 3, maxLength: 3 }),
          keys: fc.array(fault, { minLength: 3, maxLength: 3 }),
          secrets: fc.array(fault, { minLength: 6, maxLength: 6 }),
          quarantine: fault,
          puts: fc.array(putOutcome, { minLength: 1, maxLength: 64 }),
          profiles: fc.array(fc.constantFrom<"full" | "minimal">("full", "minimal"), { minLength: 6, maxLength: 6 }),
        }),
        async (kinds, faults) => {
          const configs = TRUSTS.map((trust, t) =>
            trustConfig(trust, [{ payloadProfile: faults.profiles[t * 2]! }, { payloadProfile: faults.profiles[t * 2 + 1]! }]),
          );
          const keyProvider = new LocalKeyProvider();
          const sealer = new EventSealer(keyProvider);
          const subscriptions = new InMemorySubscriptions(configs);
          TRUSTS.forEach((trust, t) => subscriptions.faults.set(trust, faults.subscriptions[t]));
          const secrets = new InMemorySecrets();
          configs.flatMap((c) => c.endpoints).forEach((endpoint, e) => {
            secrets.values.set(endpoint.signingSecret, newSigningSecret());
            secrets.faults.set(endpoint.signingSecret, faults.secrets[e]);
          });
          const publisher = new RecordingPublisher();
          let put = 0;
          publisher.plan = () => faults.puts[put++ % faults.puts.length]!;
          const quarantine = new MemoryQuarantine();
          quarantine.fault = faults.quarantine;

          const sealed: ReturnType<typeof sealer.seal>[] = [];
          const records = kinds.map((kind) => {
            if (kind.kind === "garbage") return kinesisRecord(Buffer.from(kind.text).toString("base64"), { rawData: true });
            if (kind.kind === "unknown-trust") return kinesisRecord(sealer.seal(plainMessageCreated("ZZZ1")));
            const event =
              kind.repeatOf !== undefined && sealed.length > 0
                ? sealed[kind.repeatOf % sealed.length]!
                : sealer.seal(plainMessageCreated(kind.trust));
            sealed.push(event);
            return kinesisRecord(event);
          });

          const result = await processBatch(
            records,
            {
              keys: {
                unwrap: async (wrapped, context) => {
                  const f = faults.keys[TRUSTS.indexOf(context.trustId as (typeof TRUSTS)[number])];
                  if (f === "transient") throw new TransientError("KMS throttled");
                  if (f === "permanent") throw new PermanentError("KMS AccessDenied");
                  return keyProvider.unwrap(wrapped, context);
                },
              },
              subscriptions,
              secrets,
              publisher,
              quarantine,
              logger: silentLogger(),
              sleep: async () => {},
            },
            TEST_SETTINGS,
          );

          // Exactly one state per record, and the Pipe is told about exactly the retries.
          expect(result.outcomes).toHaveLength(records.length);
          result.outcomes.forEach((outcome, i) => {
            expect(outcome.recordId).toBe(records[i]!.eventID);
            expect(["published", "filtered", "quarantined", "retry"]).toContain(outcome.state);
          });
          expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(
            result.outcomes.filter((o) => o.state === "retry").map((o) => o.recordId),
          );
          // Nothing published twice within the invocation.
          const publishedIds = publisher.published.map((entry) => JSON.parse(entry.Detail).event.id as string);
          expect(new Set(publishedIds).size).toBe(publishedIds.length);
          // A published record reached every endpoint it matched; a quarantined one is in quarantine.
          const quarantinedIds = new Set(quarantine.entries.map((q) => q.eventID));
          for (const outcome of result.outcomes) {
            if (outcome.duplicateOf) continue;
            if (outcome.state === "published") {
              expect(outcome.deliveries.length).toBeGreaterThan(0);
              for (const d of outcome.deliveries) expect(publishedIds).toContain(d.cloudEventId);
            }
            if (outcome.state === "quarantined") expect(quarantinedIds.has(outcome.recordId)).toBe(true);
            if (outcome.state === "filtered") expect(outcome.deliveries).toEqual([]);
          }
          const counted = result.counts.published + result.counts.filtered + result.counts.quarantined + result.counts.retried;
          expect(counted).toBe(records.length);
        },
      ),
      { numRuns: 150 },
    );
  });
});
