import { Readable, Writable } from "node:stream";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { DecryptCommand, KMSClient } from "@aws-sdk/client-kms";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { sdkStreamMixin } from "@smithy/util-stream";
import { mockClient } from "aws-sdk-client-mock";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dataKeyEncryptionContext } from "@trust-callbacks/schemas";
import { LocalKeyProvider } from "./adapters/local-key-provider.ts";
import { createHandler, createRuntime } from "./handler.ts";
import { EventSealer, kinesisRecord, newSigningSecret, plainMessageCreated, trustConfig } from "./testing/fixtures.ts";

/** What an AWS call does in one run: answer, or fail the way the SDK reports it after its own retries. */
type Fault = "ok" | "throttled" | "timeout" | "server" | "denied";
const sdkError = (fault: Exclude<Fault, "ok">): Error => {
  const error = new Error(fault);
  if (fault === "throttled") Object.assign(error, { name: "ThrottlingException", $fault: "client", $metadata: { httpStatusCode: 400 } });
  if (fault === "timeout") Object.assign(error, { name: "TimeoutError" }); // no HTTP answer at all
  if (fault === "server") Object.assign(error, { name: "InternalFailure", $fault: "server", $metadata: { httpStatusCode: 500 } });
  if (fault === "denied") Object.assign(error, { name: "AccessDeniedException", $fault: "client", $metadata: { httpStatusCode: 400 } });
  return error;
};
const fault = fc.constantFrom<Fault>("ok", "ok", "ok", "throttled", "timeout", "server", "denied");

describe("the handler under AWS faults (SDK-level injection: throttling, timeouts, 5xx, access denied, partial PutEvents failure)", () => {
  it("ends every record in exactly one state and publishes nothing twice, for every fault pattern", async () => {
    const configs = ["RX1", "RX2"].map((t) => trustConfig(t, [{}, { payloadProfile: "minimal" }]));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fault, { minLength: 12, maxLength: 12 }),
        fc.array(fc.constantFrom("ok", "ok", "ThrottlingException", "InternalFailure", "MalformedDetail"), { minLength: 20, maxLength: 20 }),
        fc.integer({ min: 1, max: 30 }),
        async (faults, entryOutcomes, size) => {
          const keyProvider = new LocalKeyProvider();
          const sealer = new EventSealer(keyProvider);
          const kms = mockClient(KMSClient);
          const s3 = mockClient(S3Client);
          const sm = mockClient(SecretsManagerClient);
          const eb = mockClient(EventBridgeClient);
          let call = 0;
          const next = () => faults[call++ % faults.length]!;
          const maybeFail = <T>(answer: () => T) => () => {
            const f = next();
            if (f !== "ok") throw sdkError(f);
            return answer();
          };
          kms.on(DecryptCommand).callsFake(async (input: { CiphertextBlob: Uint8Array; EncryptionContext: Record<string, string> }) => {
            const f = next();
            if (f !== "ok") throw sdkError(f);
            return { Plaintext: await keyProvider.unwrap(Buffer.from(input.CiphertextBlob).toString("base64"), input.EncryptionContext) };
          });
          for (const config of configs) {
            s3.on(GetObjectCommand, { Key: `subscriptions/${config.trustId}.json` }).callsFake(
              maybeFail(() => ({ Body: sdkStreamMixin(Readable.from([Buffer.from(JSON.stringify(config))])), ETag: '"1"' })),
            );
          }
          s3.on(PutObjectCommand).callsFake(maybeFail(() => ({})));
          sm.on(GetSecretValueCommand).callsFake(maybeFail(() => ({ SecretString: newSigningSecret() })));
          const published: string[] = [];
          const logLines: { eventID?: string; state?: string; message?: string; deliveries?: unknown }[] = [];
          let entry = 0;
          eb.on(PutEventsCommand).callsFake((input: { Entries: { Detail: string }[] }) => {
            const f = next();
            if (f !== "ok") throw sdkError(f);
            return {
              Entries: input.Entries.map((e) => {
                const outcome = entryOutcomes[entry++ % entryOutcomes.length]!;
                if (outcome !== "ok") return { ErrorCode: outcome, ErrorMessage: "injected" };
                published.push(JSON.parse(e.Detail).event.id);
                return { EventId: `e${entry}` };
              }),
            };
          });
          const handler = createHandler(
            createRuntime(
              { ENVIRONMENT: "test", EVENT_BUS_NAME: "bus", SUBSCRIPTIONS_BUCKET: "c", QUARANTINE_BUCKET: "q", PUBLISH_ATTEMPTS: "2", LOG_LEVEL: "debug" },
              {
                kms: kms as unknown as KMSClient,
                s3: s3 as unknown as S3Client,
                secretsManager: sm as unknown as SecretsManagerClient,
                eventBridge: eb as unknown as EventBridgeClient,
                logDestination: new Writable({
                  write: (chunk, _e, done) => {
                    logLines.push(...String(chunk).split("\n").filter(Boolean).map((l) => JSON.parse(l)));
                    done();
                  },
                }),
              },
            ),
          );
          const records = Array.from({ length: size }, (_v, i) => kinesisRecord(sealer.seal(plainMessageCreated(i % 3 === 0 ? "RX2" : "RX1"))));
          expect(dataKeyEncryptionContext("RX1").trustId).toBe("RX1");

          const { batchItemFailures } = await handler(records, { awsRequestId: "r", getRemainingTimeInMillis: () => 60_000 });

          const retried = new Set(batchItemFailures.map((f) => f.itemIdentifier));
          expect(retried.size).toBe(batchItemFailures.length);
          for (const id of retried) expect(records.map((r) => r.eventID)).toContain(id);
          expect(new Set(published).size).toBe(published.length); // nothing twice within the invocation
          // Exactly one final state per record, logged; each state backed by what happened at the edges.
          const quarantinedKeys = s3.commandCalls(PutObjectCommand).map((c) => String(c.args[0].input.Key));
          const sentDetails = eb.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries ?? []).map((e) => JSON.parse(e.Detail!));
          for (const record of records) {
            const states = logLines.filter((l) => l.eventID === record.eventID && l.state).map((l) => l.state);
            expect(states, JSON.stringify(logLines.filter((l) => l.eventID === record.eventID))).toHaveLength(1);
            const state = states[0];
            expect(retried.has(record.eventID)).toBe(state === "retry");
            const sourceEventId = JSON.parse(Buffer.from(record.data, "base64").toString()).eventId;
            const publishedHere = sentDetails.filter((d) => d.event.data.sourceEventId === sourceEventId && published.includes(d.event.id));
            if (state === "published") expect(new Set(publishedHere.map((d) => d.event.endpointid))).toEqual(new Set(["ep1", "ep2"]));
            if (state === "quarantined") expect(quarantinedKeys.some((key) => key.endsWith(`${record.eventID.replace(":", "_")}.json`))).toBe(true);
          }
          for (const client of [kms, s3, sm, eb]) client.restore();
        },
      ),
      { numRuns: 60 },
    );
  }, 60_000);
});
