import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { DecryptCommand, KMSClient } from "@aws-sdk/client-kms";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { dataKeyEncryptionContext, sealEventFields } from "@trust-callbacks/schemas";
import { createHandler, createRuntime } from "./handler.ts";
import { captureLogs, kinesisRecord, newSigningSecret, plainMessageCreated, trustConfig } from "./testing/fixtures.ts";
import { s3Object } from "./testing/sdk-faults.ts";

const env = {
  ENVIRONMENT: "test",
  EVENT_BUS_NAME: "trust-callbacks-test-callbacks",
  SUBSCRIPTIONS_BUCKET: "config-bucket",
  QUARANTINE_BUCKET: "quarantine-bucket",
  LOG_LEVEL: "debug",
};
const context = { awsRequestId: "req-1", getRemainingTimeInMillis: () => 60_000 };

describe("Lambda handler", () => {
  it("processes a Pipe batch through the AWS SDK clients, reports failures by eventID and logs EMF counts without plaintext", async () => {
    const kms = mockClient(KMSClient);
    const s3 = mockClient(S3Client);
    const sm = mockClient(SecretsManagerClient);
    const eb = mockClient(EventBridgeClient);
    const dataKey = Buffer.alloc(32, 3);
    const config = trustConfig("RX1");
    kms.on(DecryptCommand).resolves({ Plaintext: new Uint8Array(dataKey) });
    s3.on(GetObjectCommand, { Key: "subscriptions/RX1.json" }).resolves(s3Object(JSON.stringify(config), '"1"'));
    s3.on(GetObjectCommand, { Key: "subscriptions/RX2.json" }).rejects(
      Object.assign(new Error("slow"), { name: "SlowDown", $fault: "server", $metadata: { httpStatusCode: 503 } }),
    );
    s3.on(PutObjectCommand).resolves({});
    sm.on(GetSecretValueCommand).resolves({ SecretString: newSigningSecret() });
    eb.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({ Entries: input.Entries.map((_e, i) => ({ EventId: `id-${i}` })) }));
    const logs = captureLogs();
    const handler = createHandler(
      createRuntime(env, {
        kms: kms as unknown as KMSClient,
        s3: s3 as unknown as S3Client,
        secretsManager: sm as unknown as SecretsManagerClient,
        eventBridge: eb as unknown as EventBridgeClient,
        logDestination: logs.destination,
      }),
    );
    const sealed = sealEventFields(plainMessageCreated("RX1"), dataKey, Buffer.from("wrapped").toString("base64"));
    const retried = kinesisRecord(plainMessageCreated("RX2"));
    const records = [kinesisRecord(sealed), retried, kinesisRecord("garbage!", { rawData: true })];

    const response = await handler(records, context);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: retried.eventID }] });
    expect(kms.commandCalls(DecryptCommand)[0]!.args[0].input.EncryptionContext).toEqual(dataKeyEncryptionContext("RX1"));
    const put = eb.commandCalls(PutEventsCommand)[0]!.args[0].input;
    expect(put.Entries).toHaveLength(1);
    expect(JSON.parse(put.Entries![0]!.Detail!).event.data.text).toBe("Patient in bay 4 needs review");
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input.Bucket).toBe("quarantine-bucket");

    const metrics = logs.lines.map((l) => JSON.parse(l)).find((l) => l._aws);
    expect(metrics).toMatchObject({
      correlationId: "req-1",
      Environment: "test",
      received: 3,
      published: 1,
      quarantined: 1,
      retried: 1,
      _aws: { CloudWatchMetrics: [{ Namespace: "TrustCallbacks", Dimensions: [["Environment"]] }] },
    });
    const allLogs = logs.lines.join("\n");
    expect(allLogs).not.toMatch(/Patient in bay|Dr Ada|whsec_/);
  });

  it("fails the invocation when the Pipe does not send an array", async () => {
    const handler = createHandler(createRuntime(env, { logDestination: captureLogs().destination }));
    await expect(handler({ Records: [] }, context)).rejects.toThrow(/JSON array of Kinesis records/);
  });

  it("refuses to start with a clear message when the environment is incomplete", () => {
    expect(() => createRuntime({ ENVIRONMENT: "test" })).toThrow(/invalid Lambda environment: EVENT_BUS_NAME: /);
  });
});
