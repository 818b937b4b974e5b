/**
 * docs/guarantees.md 5.21, the function as deployed: the support signer's handler wired to the AWS SDK clients (mocked
 * at the SDK), reading the trust's document from S3, the endpoint's key from Secrets Manager and publishing with
 * EventBridge; a caller's mistake is an answer, never a throw; the environment it needs is refused when incomplete.
 */
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { KMSClient } from "@aws-sdk/client-kms";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { createSupportHandler, createSupportRuntime } from "./support-handler.ts";
import { captureLogs, newSigningSecret, trustConfig } from "./testing/fixtures.ts";
import { s3Object } from "./testing/sdk-faults.ts";

const env = { ENVIRONMENT: "test", EVENT_BUS_NAME: "trust-callbacks-test-callbacks-0", SUBSCRIPTIONS_BUCKET: "config-bucket", LOG_LEVEL: "info" };
const context = { awsRequestId: "req-9", getRemainingTimeInMillis: () => 60_000 };

describe("support signer handler", () => {
  it("re-signs a redrive with the endpoint's key from Secrets Manager and publishes it with EventBridge, logging ids only", async () => {
    const s3 = mockClient(S3Client);
    const sm = mockClient(SecretsManagerClient);
    const eb = mockClient(EventBridgeClient);
    const config = trustConfig("RX1", [{ signingSecret: "trust-callbacks/test/signing/RX1/ep1" }]);
    s3.on(GetObjectCommand, { Key: "subscriptions/RX1.json" }).resolves(s3Object(JSON.stringify(config), '"1"'));
    const secret = newSigningSecret();
    sm.on(GetSecretValueCommand, { SecretId: "trust-callbacks/test/signing/RX1/ep1" }).resolves({ SecretString: secret });
    eb.on(PutEventsCommand).resolves({ Entries: [{ EventId: "bus-1" }] });
    const logs = captureLogs();
    const handler = createSupportHandler(
      createSupportRuntime(env, {
        s3: s3 as unknown as S3Client,
        secretsManager: sm as unknown as SecretsManagerClient,
        eventBridge: eb as unknown as EventBridgeClient,
        kms: mockClient(KMSClient) as unknown as KMSClient,
        logDestination: logs.destination,
      }),
    );
    const cloudEvent = { specversion: "1.0", id: "ce-1", type: "uk.nhs.trustcallbacks.message.created.v1", trustid: "RX1", endpointid: "ep1", data: { text: "Patient in bay 4" } };

    const answer = await handler({ kind: "redrive", trustId: "RX1", endpointId: "ep1", cloudEvents: [cloudEvent], operator: "alice", correlationId: "corr-7" }, context);

    expect(answer).toEqual({ kind: "redrive", correlationId: "corr-7", deliveries: [{ status: "accepted", endpointId: "ep1", cloudEventId: "ce-1", busEventId: "bus-1" }] });
    expect(eb.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries).toEqual([
      expect.objectContaining({ EventBusName: "trust-callbacks-test-callbacks-0", Source: "trust-callbacks", DetailType: cloudEvent.type }),
    ]);
    const text = logs.lines.join("\n");
    expect(logs.lines.map((line) => JSON.parse(line))).toContainEqual(expect.objectContaining({ service: "support-signer", requestId: "req-9", correlationId: "corr-7", message: "support request answered" }));
    expect(text).not.toContain("Patient in bay 4");
    expect(text).not.toContain(secret.slice("whsec_".length));
  });

  it("answers a malformed request with a refusal, without calling AWS", async () => {
    const s3 = mockClient(S3Client);
    const handler = createSupportHandler(createSupportRuntime(env, { s3: s3 as unknown as S3Client, logDestination: captureLogs().destination }));
    await expect(handler({ kind: "redrive", trustId: "not an ODS code" }, context)).resolves.toMatchObject({ kind: "refused", retry: "never" });
    expect(s3.calls()).toHaveLength(0);
  });

  it("refuses to start without the environment it needs, naming the variable", () => {
    expect(() => createSupportRuntime({ ENVIRONMENT: "test", SUBSCRIPTIONS_BUCKET: "config-bucket" })).toThrow(/EVENT_BUS_NAME/);
  });
});
