import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { DecryptCommand, KMSClient } from "@aws-sdk/client-kms";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it, vi } from "vitest";
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
    vi.stubEnv("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand"); // Powertools counts cold starts of on-demand containers only
    const logs = captureLogs();
    const emf = captureLogs();
    const handler = createHandler(
      createRuntime({ ...env, _X_AMZN_TRACE_ID: "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=557abcec3ee5a047;Sampled=1" }, {
        kms: kms as unknown as KMSClient,
        s3: s3 as unknown as S3Client,
        secretsManager: sm as unknown as SecretsManagerClient,
        eventBridge: eb as unknown as EventBridgeClient,
        logDestination: logs.destination,
        metricsOutput: emf.destination,
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

    expect(put.Entries![0]!.TraceHeader).toBe("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=557abcec3ee5a047;Sampled=1");

    const emfLines = emf.lines.map((l) => JSON.parse(l));
    expect(emfLines.find((l) => l.ColdStart === 1)).toMatchObject({ service: "transform-filter", Environment: "test" });
    const metrics = emfLines.find((l) => "received" in l);
    expect(metrics).toMatchObject({
      service: "transform-filter",
      Environment: "test",
      received: 3,
      published: 1,
      quarantined: 1,
      retried: 1,
      _aws: { CloudWatchMetrics: [{ Namespace: "TrustCallbacks", Dimensions: [expect.arrayContaining(["service", "Environment"])] }] },
    });
    const parsed = logs.lines.map((l) => JSON.parse(l));
    expect(parsed.find((l) => l.message === "batch processed")).toMatchObject({
      requestId: "req-1",
      coldStart: true,
      traceId: "1-5759e988-bd862e3fe1be46a994272793",
      counts: { received: 3 },
    });
    // The call history: one line per published delivery, at info, identifiers only.
    const history = parsed.filter((l) => l.message === "delivery published");
    expect(history).toEqual([
      expect.objectContaining({
        level: "info",
        requestId: "req-1",
        trustId: "RX1",
        endpointId: expect.any(String),
        cloudEventId: JSON.parse(put.Entries![0]!.Detail!).event.id,
        sourceEventId: sealed.eventId,
        eventCorrelationId: sealed.correlationId ?? sealed.eventId,
        eventType: put.Entries![0]!.DetailType,
        busEventId: "id-0",
        publishedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      }),
    ]);
    // The event's own correlation id never takes the invocation's field name.
    expect(parsed.filter((l) => l.correlationId !== undefined && l.requestId !== undefined).every((l) => l.correlationId !== "req-1")).toBe(true);
    const allLogs = logs.lines.join("\n");
    expect(allLogs).not.toMatch(/Patient in bay|Dr Ada|whsec_/);
  });

  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it("writes metrics to stdout at LOG_LEVEL=warn, where the logger writes no info line, and counts a cold start once", async () => {
    const stdout: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => (stdout.push(String(chunk)), true));
    vi.stubEnv("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
    const logs = captureLogs();
    const handler = createHandler(createRuntime({ ...env, LOG_LEVEL: "warn" }, { logDestination: logs.destination }));

    await handler([], context);
    await handler([], context);
    vi.restoreAllMocks();

    const emf = stdout.join("").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    expect(emf.filter((l) => l.ColdStart === 1)).toHaveLength(1);
    expect(emf.filter((l) => "received" in l)).toHaveLength(2);
    expect(emf.every((l) => l._aws.CloudWatchMetrics[0].Namespace === "TrustCallbacks")).toBe(true);
    expect(logs.lines).toEqual([]);
  });

  // Promise 1.4: not an array acknowledges nothing (a whole-batch failure), one error line naming the type only, no throw.
  it.each([
    ["an object", { Records: [{ data: "Patient in bay 4" }] }, "object"],
    ["null", null, "null"],
    ["a string", "Patient in bay 4", "string"],
    ["a number", 42, "number"],
  ])("answers %s as a failure of the whole batch, logged without its content", async (_what, event, receivedType) => {
    const logs = captureLogs();
    const handler = createHandler(createRuntime(env, { logDestination: logs.destination }));
    await expect(handler(event, context)).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: "" }] });
    const errors = logs.lines.map((line) => JSON.parse(line)).filter((line) => line.level === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ receivedType, message: expect.stringMatching(/not a JSON array of Kinesis records/) });
    expect(logs.lines.join("\n")).not.toMatch(/Patient|stack/);
  });

  it("refuses to start with a clear message when the environment is incomplete", () => {
    expect(() => createRuntime({ ENVIRONMENT: "test" })).toThrow(/invalid Lambda environment: EVENT_BUS_NAME: /);
  });
});
