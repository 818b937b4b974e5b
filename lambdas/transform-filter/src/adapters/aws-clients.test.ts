import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { describe, expect, it } from "vitest";
import { createLogger } from "../logger.ts";
import { captureLogs } from "../testing/fixtures.ts";
import { answerAtSdkLevel } from "../testing/sdk-answers.ts";
import { awsClientConfig } from "./aws-clients.ts";

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
