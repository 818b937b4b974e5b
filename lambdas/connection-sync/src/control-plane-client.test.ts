import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { createLogger } from "@trust-callbacks/runtime";
import { awsClientConfig } from "@trust-callbacks/runtime/aws";
import { inProcessHttpHandler, type InProcessResponse } from "@trust-callbacks/runtime/testing";
import { describe, expect, it, vi } from "vitest";
import { readSyncEnvironment } from "./config.ts";
import { EventBridgeConnections } from "./adapters/eventbridge-connections.ts";
import { controlPlaneClientConfig } from "./handler.ts";

// Not in handler.test.ts: aws-sdk-client-mock replaces EventBridgeClient's send there; this test needs the real one.
const PAS = "trust-callbacks-test-RX1-pas";
const KEY = "arn:aws:kms:eu-west-2:123456789012:key/0b7e0c5e-connections";
const env = { ENVIRONMENT: "test", CONNECTION_NAME_PREFIX: "trust-callbacks-test-", CREDENTIALS_MAP_BUCKET: "b", CREDENTIALS_MAP_KEY: "k", CONNECTION_KMS_KEY_ARN: KEY };

describe("connection-sync's EventBridge client (real SDK, answered in-process)", () => {
  const throttledThenAccepted = (throttles: number) => {
    let calls = 0;
    const handler = inProcessHttpHandler((): InProcessResponse => {
      calls += 1;
      if (calls <= throttles) {
        return { statusCode: 400, headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": "ThrottlingException" }, body: JSON.stringify({ __type: "ThrottlingException", message: "Rate exceeded" }) };
      }
      return { statusCode: 200, headers: { "content-type": "application/x-amz-json-1.1" }, body: JSON.stringify({ ConnectionState: "AUTHORIZING" }) };
    });
    return { handler, calls: () => calls };
  };
  const request = { Name: PAS, AuthorizationType: "BASIC" as const, KmsKeyIdentifier: KEY, AuthParameters: { BasicAuthParameters: { Username: "u", Password: "p" } } };

  it("keeps an UpdateConnection throttled 5 times in a row (the control plane shared with an apply) until it is accepted", async () => {
    // Backoff and the adaptive rate limiter wait on timers and read the clock: run them on a virtual clock.
    vi.useFakeTimers();
    try {
      const { handler, calls } = throttledThenAccepted(5);
      const logger = createLogger({ level: "silent" });
      const client = new EventBridgeClient({
        ...controlPlaneClientConfig(awsClientConfig(logger), readSyncEnvironment(env).EVENTBRIDGE_MAX_ATTEMPTS),
        region: "eu-west-2",
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
        requestHandler: handler,
      });

      let settled = false;
      const pending = new EventBridgeConnections(client).update(request).finally(() => (settled = true));
      for (let second = 0; second < 600 && !settled; second++) await vi.advanceTimersByTimeAsync(1000);
      const result = await pending;

      expect(result).toEqual({ status: "found", value: { state: "AUTHORIZING" } });
      expect(calls()).toBe(6);
    } finally {
      vi.useRealTimers();
    }
  });
});
