import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { S3Client } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { createLogger } from "@trust-callbacks/runtime";
import { captureLogs } from "../testing/fixtures.ts";
import { answerAtSdkLevel } from "../testing/sdk-answers.ts";
import { TransientError } from "@trust-callbacks/runtime";
import { awsClientConfig, awsTimeoutsFor } from "@trust-callbacks/runtime/aws";
import { S3SubscriptionSource } from "./s3-subscriptions.ts";

const PLAINTEXT = "Patient in bay 4 deteriorating";

/** A real client with the Lambda's config, its PutEvents calls answered at the SDK level (no network). */
function answeredClient(answer: (entries: { Detail?: string }[]) => unknown) {
  const logs = captureLogs();
  let resolutions = 0;
  const client = answerAtSdkLevel(
    new EventBridgeClient({
      ...awsClientConfig(createLogger({ level: "debug" }, logs.destination)),
      region: "eu-west-2",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    }),
    {
      PutEventsCommand: async (input) => {
        await new Promise((resolve) => setImmediate(resolve)); // let concurrent calls interleave
        return answer(input.Entries as { Detail?: string }[]);
      },
    },
    () => (resolutions += 1),
  );
  return { client, logs, resolutions: () => resolutions };
}

describe("awsClientConfig", () => {
  it("resolves a command's middleware stack once, and concurrent calls still get their own answers", async () => {
    const { client, resolutions } = answeredClient((entries) => ({ FailedEntryCount: 0, Entries: entries.map((e) => ({ EventId: e.Detail })) }));
    const details = Array.from({ length: 20 }, (_v, i) => JSON.stringify({ n: i }));
    const results = await Promise.all(
      details.map((Detail) => client.send(new PutEventsCommand({ Entries: [{ Source: "s", DetailType: "t", Detail }] }))),
    );
    expect(results.map((r) => r.Entries?.[0]?.EventId)).toEqual(details);
    expect(resolutions()).toBe(1);
  });

  it("never lets the SDK log a call's input, which holds decrypted content, on success or on error", async () => {
    const ok = answeredClient(() => ({ FailedEntryCount: 0, Entries: [{ EventId: "e1" }] }));
    await ok.client.send(new PutEventsCommand({ Entries: [{ Source: "s", DetailType: "t", Detail: JSON.stringify({ text: PLAINTEXT }) }] }));
    const failing = answeredClient(() => {
      throw Object.assign(new Error("throttled"), { name: "ThrottlingException", $metadata: {} });
    });
    await expect(
      failing.client.send(new PutEventsCommand({ Entries: [{ Source: "s", DetailType: "t", Detail: JSON.stringify({ text: PLAINTEXT }) }] })),
    ).rejects.toThrow("throttled");
    for (const lines of [ok.logs.lines, failing.logs.lines]) {
      expect(lines.join("\n")).not.toContain(PLAINTEXT);
    }
  });

  it("passes the SDK's warnings to the function's log", () => {
    const logs = captureLogs();
    const { logger } = awsClientConfig(createLogger({ level: "info" }, logs.destination));
    logger.warn("socket usage at capacity=50");
    expect(logs.lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ level: "warn", message: "AWS SDK warning", sdkWarning: "socket usage at capacity=50" }),
    ]);
  });
});

// docs/guarantees.md 1.5: a hung call ends as a transient timeout, all its attempts within half the function's timeout.
describe("AWS call timeouts", () => {
  it.each([10_000, 30_000, 60_000, 300_000, 900_000])("for a function timeout of %i ms, one call's attempts take at most half of it", (lambdaTimeoutMs) => {
    const { connectionTimeoutMs, requestTimeoutMs, maxAttempts } = awsTimeoutsFor(lambdaTimeoutMs);
    expect(maxAttempts * (connectionTimeoutMs + requestTimeoutMs)).toBeLessThanOrEqual(lambdaTimeoutMs / 2);
    expect(connectionTimeoutMs).toBeGreaterThanOrEqual(400);
    expect(requestTimeoutMs).toBeGreaterThanOrEqual(1_000);
  });

  it("sets them on every client built from the shared config, requestTimeout as an error, not a warning", () => {
    const config = awsClientConfig(createLogger({ level: "info" }, captureLogs().destination), awsTimeoutsFor(60_000));
    expect(config.requestHandler).toEqual({ connectionTimeout: 2_000, requestTimeout: 8_000, throwOnRequestTimeout: true });
    expect(config.maxAttempts).toBe(3);
  });

  it("a server that accepts and never answers: the subscription read fails as transient, within the timeouts", async () => {
    const sockets: Socket[] = [];
    const server = createServer(() => {}); // never answers
    server.on("connection", (socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const s3 = new S3Client({
        ...awsClientConfig(createLogger({ level: "info" }, captureLogs().destination), awsTimeoutsFor(1_200)),
        region: "eu-west-2",
        endpoint: `http://127.0.0.1:${port}`,
        forcePathStyle: true,
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
      });
      const source = new S3SubscriptionSource(s3, { bucket: "b", prefix: "subscriptions/", ttlMs: 60_000, logger: createLogger({ level: "silent" }) });
      const started = Date.now();
      const error = await source.get("RX1").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransientError);
      expect(Date.now() - started).toBeLessThan(1_200);
    } finally {
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => server.close(resolve));
    }
  }, 10_000);
});
