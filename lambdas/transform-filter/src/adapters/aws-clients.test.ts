import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { describe, expect, it } from "vitest";
import { createLogger } from "../logger.ts";
import { captureLogs } from "../testing/fixtures.ts";
import { awsClientConfig } from "./aws-clients.ts";

const PLAINTEXT = "Patient in bay 4 deteriorating";

/**
 * A real client with the Lambda's config whose calls are answered by a middleware at the first step, so
 * they run the SDK's real send() and middleware stack (logger middleware included) without a network.
 */
function answeredClient(answer: (entries: { Detail?: string }[]) => unknown) {
  const logs = captureLogs();
  const client = new EventBridgeClient({
    ...awsClientConfig(createLogger({ level: "debug" }, logs.destination)),
    region: "eu-west-2",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  let resolutions = 0;
  client.middlewareStack.add(
    () => {
      resolutions += 1; // once per resolved stack, not per call
      return async (args) => {
        await new Promise((resolve) => setImmediate(resolve)); // let concurrent calls interleave
        const input = args.input as { Entries: { Detail?: string }[] };
        return { output: { $metadata: {}, ...(answer(input.Entries) as object) }, response: {} };
      };
    },
    { step: "initialize", name: "answerInTest" },
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
