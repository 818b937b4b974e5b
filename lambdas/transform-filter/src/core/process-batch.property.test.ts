import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LocalKeyProvider } from "../adapters/local-key-provider.ts";
import { InMemorySecrets, InMemorySubscriptions, MemoryQuarantine, RecordingPublisher, silentLogger, type Fault, type PutAnswer } from "../testing/fakes.ts";
import { EventSealer, TEST_SETTINGS, kinesisRecord, newSigningSecret, plainMessageCreated, trustConfig } from "../testing/fixtures.ts";
import { TransientError, PermanentError } from "@trust-callbacks/runtime";
import { processBatch } from "./process-batch.ts";

const TRUSTS = ["RX1", "RX2", "RX3"] as const;
type Trust = (typeof TRUSTS)[number];
const fault = fc.constantFrom<Fault>(undefined, undefined, undefined, "transient", "permanent");
/** What the bus answers to every entry of one trust's records (on every attempt). */
type EntryAnswer = "accept" | "ThrottlingException" | "InternalFailure" | "MalformedDetail" | "AccessDeniedException";
const entryAnswer = fc.constantFrom<EntryAnswer>("accept", "accept", "accept", "ThrottlingException", "InternalFailure", "MalformedDetail", "AccessDeniedException");
const recordKind = fc.oneof(
  fc.record({ kind: fc.constant("valid" as const), trust: fc.constantFrom(...TRUSTS), repeatOf: fc.option(fc.nat(30), { nil: undefined }) }),
  fc.record({ kind: fc.constant("unknown-trust" as const) }),
  fc.record({ kind: fc.constant("garbage" as const), text: fc.string({ maxLength: 40 }) }),
);

/**
 * Promise 1.2 (docs/guarantees.md) over the core's ports: the one state each fault leads to. A port's transient
 * failure is an outage or a refusal of our own configuration (adapters classify them so); a permanent one is a fault
 * of the thing asked for: an invalid document, a corrupt or foreign data key, a missing secret.
 */
const BY_FAULT = {
  subscription: { transient: "retry", permanent: "quarantined" },
  // A data key refused for good is a corrupt or foreign ciphertext: delivered, the fields marked (promise 2.2).
  dataKey: { transient: "retry", permanent: undefined },
  signingSecret: { transient: "retry", permanent: "quarantined" },
  entry: { accept: "published", ThrottlingException: "retry", InternalFailure: "retry", AccessDeniedException: "retry", MalformedDetail: "quarantined" },
} as const;
type State = "published" | "filtered" | "quarantined" | "retry";

interface Faults {
  subscriptions: Fault[];
  keys: Fault[];
  secrets: Fault[];
  quarantine: Fault;
  entries: EntryAnswer[];
  profiles: ("full" | "minimal")[];
}

/** The one state a record of `trust` (undefined: no platform event, or an unknown trust) must end in under `faults`. */
function expectedState(trust: Trust | undefined, faults: Faults): State {
  const verdict = (): State => {
    if (trust === undefined) return "quarantined";
    const t = TRUSTS.indexOf(trust);
    const document = faults.subscriptions[t];
    if (document) return BY_FAULT.subscription[document];
    const needsKey = faults.profiles[t * 2] === "full" || faults.profiles[t * 2 + 1] === "full";
    const key = faults.keys[t];
    if (needsKey && key && BY_FAULT.dataKey[key]) return BY_FAULT.dataKey[key];
    // Each delivery's state; the record's: retry if any is, else quarantined if any is, else published.
    const deliveries = [0, 1].map((e): State => {
      const secret = faults.secrets[t * 2 + e];
      return secret ? BY_FAULT.signingSecret[secret] : BY_FAULT.entry[faults.entries[t]!];
    });
    return deliveries.includes("retry") ? "retry" : deliveries.includes("quarantined") ? "quarantined" : "published";
  };
  const state = verdict();
  // A quarantine that cannot be written hands the record back instead: nothing is dropped.
  return state === "quarantined" && faults.quarantine ? "retry" : state;
}

describe("processBatch under random batches and random faults", () => {
  it("ends every record in the one state the faults it met call for, reports exactly the retries, and publishes nothing twice", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(recordKind, { minLength: 1, maxLength: 40 }),
        fc.record({
          subscriptions: fc.array(fault, { minLength: 3, maxLength: 3 }),
          keys: fc.array(fault, { minLength: 3, maxLength: 3 }),
          secrets: fc.array(fault, { minLength: 6, maxLength: 6 }),
          quarantine: fault,
          entries: fc.array(entryAnswer, { minLength: 3, maxLength: 3 }),
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
          publisher.plan = (entry): PutAnswer => {
            const answer = faults.entries[TRUSTS.indexOf(JSON.parse(entry.Detail).event.trustid as Trust)]!;
            return answer === "accept" ? "accept" : { errorCode: answer, errorMessage: "injected" };
          };
          const quarantine = new MemoryQuarantine();
          quarantine.fault = faults.quarantine;

          const sealed: ReturnType<typeof sealer.seal>[] = [];
          const trustOfRecord: (Trust | undefined)[] = [];
          const records = kinds.map((kind) => {
            if (kind.kind === "garbage") {
              trustOfRecord.push(undefined);
              return kinesisRecord(Buffer.from(kind.text).toString("base64"), { rawData: true });
            }
            if (kind.kind === "unknown-trust") {
              trustOfRecord.push(undefined);
              return kinesisRecord(sealer.seal(plainMessageCreated("ZZZ1")));
            }
            const event =
              kind.repeatOf !== undefined && sealed.length > 0
                ? sealed[kind.repeatOf % sealed.length]!
                : sealer.seal(plainMessageCreated(kind.trust));
            sealed.push(event);
            trustOfRecord.push(event.trustId as Trust);
            return kinesisRecord(event);
          });

          const result = await processBatch(
            records,
            {
              keys: {
                unwrap: async (wrapped, context) => {
                  const f = faults.keys[TRUSTS.indexOf(context.trustId as Trust)];
                  if (f === "transient") throw new TransientError("KMS throttled");
                  if (f === "permanent") throw new PermanentError("KMS InvalidCiphertextException");
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

          // The one state each record must end in, and the Pipe is told about exactly the retries.
          expect(result.outcomes).toHaveLength(records.length);
          result.outcomes.forEach((outcome, i) => {
            expect(outcome.recordId).toBe(records[i]!.eventID);
            expect(outcome.state, `record ${i} of trust ${trustOfRecord[i]}: ${outcome.reason}`).toBe(expectedState(trustOfRecord[i], faults));
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
          // A full-profile delivery carries marked fields exactly when its trust's data key was refused for good.
          for (const entry of publisher.published) {
            const body = JSON.parse(entry.Detail).event;
            const t = TRUSTS.indexOf(body.trustid as Trust);
            const full = faults.profiles[t * 2 + Number(body.endpointid === "ep2")] === "full";
            expect(body.data.undecryptableFields ?? []).toEqual(full && faults.keys[t] === "permanent" ? ["data.sender.displayName", "data.text"] : []);
          }
          const counted = result.counts.published + result.counts.filtered + result.counts.quarantined + result.counts.retried;
          expect(counted).toBe(records.length);
        },
      ),
      { numRuns: 150 },
    );
  });
});
