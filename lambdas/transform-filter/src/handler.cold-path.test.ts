import { createHash } from "node:crypto";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { DecryptCommand, KMSClient } from "@aws-sdk/client-kms";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it, vi } from "vitest";
import { LocalKeyProvider } from "./adapters/local-key-provider.ts";
import { createHandler, createRuntime } from "./handler.ts";
import { EventSealer, captureLogs, kinesisRecord, newSigningSecret, plainMessageCreated, trustConfig } from "./testing/fixtures.ts";
import { s3Object } from "./testing/sdk-faults.ts";

/**
 * The cold path's shape, on a virtual clock: every AWS call answers after 20 ms, and the test counts the
 * virtual milliseconds the first batch of a new container takes. Lookups run phase after phase (or 8 at a
 * time) show up as many multiples of 20 ms; this is not a timed test, the clock is the test's.
 *
 * The shortest this shape allows is 200 ms: the index (20), the first 48 documents (20), the 300 signing secrets
 * 48 at a time (7 × 20, each trust's asked for as its document arrives by `PrefetchingSigningSecrets`; data keys once routed, done
 * sooner), then PutEvents (20). Waiting for every document before asking for any secret took 240; phase after phase, 1.2 s.
 */
const CALL_MS = 20;
const TRUSTS = 100;

afterEach(() => vi.useRealTimers());

function answerAfter<T>(value: () => T): () => Promise<T> {
  return () => new Promise((resolve, reject) => setTimeout(() => {
    try {
      resolve(value());
    } catch (error) {
      reject(error as Error);
    }
  }, CALL_MS));
}

describe("a new container's first batch", () => {
  it(`over ${TRUSTS} trusts × 3 endpoints completes within 200 ms of virtual time at ${CALL_MS} ms per AWS call`, async () => {
    // Prepare: 100 trusts, each with a full and two minimal endpoints, all behind the deployed subscription index.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setImmediate", "Date", "performance"] });
    const keyProvider = new LocalKeyProvider();
    const sealer = new EventSealer(keyProvider);
    const trusts = Array.from({ length: TRUSTS }, (_v, i) =>
      trustConfig(`R${String(i).padStart(3, "0")}`, [{}, { payloadProfile: "minimal" }, { payloadProfile: "minimal" }]),
    );
    const documents = new Map(trusts.map((trust) => [`subscriptions/${trust.trustId}.json`, JSON.stringify(trust)]));
    const index = JSON.stringify({
      version: 1,
      trusts: Object.fromEntries(trusts.map((trust) => {
        const key = `subscriptions/${trust.trustId}.json`;
        return [trust.trustId, { key, sha256: createHash("sha256").update(documents.get(key)!).digest("hex"), eventBus: "bus-0" }];
      })),
    });
    const kms = mockClient(KMSClient);
    const s3 = mockClient(S3Client);
    const sm = mockClient(SecretsManagerClient);
    const eb = mockClient(EventBridgeClient);
    const calls = { kms: 0, s3: 0, secrets: 0, putEvents: 0 };
    kms.on(DecryptCommand).callsFake(async (input: { CiphertextBlob: Uint8Array; EncryptionContext: Record<string, string> }) => {
      calls.kms += 1;
      const plaintext = await keyProvider.unwrap(Buffer.from(input.CiphertextBlob).toString("base64"), input.EncryptionContext);
      return answerAfter(() => ({ Plaintext: new Uint8Array(plaintext) }))();
    });
    s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
      calls.s3 += 1;
      return answerAfter(() => s3Object(input.Key.endsWith("index.json") ? index : documents.get(input.Key)!, '"1"'))();
    });
    const secret = newSigningSecret();
    sm.on(GetSecretValueCommand).callsFake(() => {
      calls.secrets += 1;
      return answerAfter(() => ({ SecretString: secret }))();
    });
    eb.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => {
      calls.putEvents += 1;
      return answerAfter(() => ({ FailedEntryCount: 0, Entries: input.Entries.map((_e, i) => ({ EventId: `e${i}` })) }))();
    });
    const handler = createHandler(
      createRuntime(
        {
          ENVIRONMENT: "test",
          EVENT_BUS_NAME: "bus-0",
          SUBSCRIPTIONS_BUCKET: "config",
          SUBSCRIPTION_INDEX_KEYS: "subscriptions/index.json",
          QUARANTINE_BUCKET: "quarantine",
          LOG_LEVEL: "warn",
        },
        {
          kms: kms as unknown as KMSClient,
          s3: s3 as unknown as S3Client,
          secretsManager: sm as unknown as SecretsManagerClient,
          eventBridge: eb as unknown as EventBridgeClient,
          logDestination: captureLogs().destination,
        },
      ),
    );
    const records = trusts.map((trust) => kinesisRecord(sealer.seal(plainMessageCreated(trust.trustId))));

    // Act
    const started = Date.now();
    let finished: number | undefined;
    const response = handler(records, { awsRequestId: "cold", getRemainingTimeInMillis: () => 60_000 }).then((result) => {
      finished = Date.now();
      return result;
    });
    while (finished === undefined && Date.now() - started < 5_000) await vi.advanceTimersByTimeAsync(1);

    // Assess: every record published, each lookup made once, and the calls overlapped.
    expect((await response).batchItemFailures).toEqual([]);
    expect(calls).toMatchObject({ kms: TRUSTS, s3: 1 + TRUSTS, secrets: 3 * TRUSTS, putEvents: 30 });
    expect(finished! - started).toBeLessThanOrEqual(200);
  });
});
