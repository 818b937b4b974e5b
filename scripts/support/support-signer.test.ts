/**
 * docs/guarantees.md 7.41: the CLI classifies the support signer's invoke at the edge. Throttling and 5xx are retried
 * with backoff (at most `attempts` calls); a function error, an access denial or an unknown function is a failure
 * with its reason, not retried; an answer that is no signer answer is a failure. Lambda is mocked at the SDK.
 */
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import type { SupportSignerAnswer, SupportSignerRequestInput } from "@trust-callbacks/schemas";
import { LambdaSupportSigner, SupportSignerUnavailable } from "./support-signer.ts";

const request = {
  kind: "redrive",
  trustId: "RYJ",
  endpointId: "legacy",
  cloudEvents: [{ specversion: "1.0", id: "ce-1", type: "t", trustid: "RYJ", endpointid: "legacy" }],
  operator: "alice",
  correlationId: "corr-1",
} satisfies SupportSignerRequestInput;
const accepted: SupportSignerAnswer = {
  kind: "redrive",
  correlationId: "corr-1",
  deliveries: [{ status: "accepted", endpointId: "legacy", cloudEventId: "ce-1", busEventId: "bus-1" }],
};
const payload = (value: unknown) => new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value)) as never;
const awsError = (name: string, status: number, fault: "client" | "server" = status >= 500 ? "server" : "client") =>
  Object.assign(new Error(`${name} happened`), { name, $fault: fault, $metadata: { httpStatusCode: status } });

describe("LambdaSupportSigner", () => {
  const lambda = mockClient(LambdaClient);
  let sleeps: number[];
  const signer = () =>
    new LambdaSupportSigner(lambda as unknown as LambdaClient, "trust-callbacks-prod-support-signer", {
      attempts: 3,
      backoffMs: 100,
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 1,
    });
  beforeEach(() => {
    lambda.reset();
    sleeps = [];
  });

  it("invokes the function RequestResponse with the request as its payload, and returns the parsed answer", async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload(accepted) });

    expect(await signer().sign(request)).toEqual(accepted);

    const [call] = lambda.commandCalls(InvokeCommand);
    expect(call!.args[0].input).toMatchObject({ FunctionName: "trust-callbacks-prod-support-signer", InvocationType: "RequestResponse" });
    expect(JSON.parse(new TextDecoder().decode(call!.args[0].input.Payload as Uint8Array))).toEqual(request);
  });

  // Fault → calls made, and the one end state: the answer, or SupportSignerUnavailable with a reason.
  const faults: [string, () => void, number, SupportSignerAnswer | RegExp][] = [
    ["throttled twice, then answered", () => lambda.on(InvokeCommand).rejectsOnce(awsError("TooManyRequestsException", 429)).rejectsOnce(awsError("TooManyRequestsException", 429)).resolves({ Payload: payload(accepted) }), 3, accepted],
    ["a 5xx, then answered", () => lambda.on(InvokeCommand).rejectsOnce(awsError("ServiceException", 500)).resolves({ Payload: payload(accepted) }), 2, accepted],
    ["throttled past the attempts", () => lambda.on(InvokeCommand).rejects(awsError("TooManyRequestsException", 429)), 3, /TooManyRequestsException.*after 3 attempts/],
    ["a function error", () => lambda.on(InvokeCommand).resolves({ FunctionError: "Unhandled", Payload: payload({ errorType: "Error", errorMessage: "invalid support signer environment: EVENT_BUS_NAME" }) }), 1, /support signer failed \(Unhandled\): Error: invalid support signer environment/],
    ["access denied (the viewer, or a missing grant)", () => lambda.on(InvokeCommand).rejects(awsError("AccessDeniedException", 403)), 1, /Lambda Invoke trust-callbacks-prod-support-signer: AccessDeniedException/],
    ["an unknown function", () => lambda.on(InvokeCommand).rejects(awsError("ResourceNotFoundException", 404)), 1, /ResourceNotFoundException/],
    ["an answer that is no signer answer", () => lambda.on(InvokeCommand).resolves({ Payload: payload({ batchItemFailures: [] }) }), 1, /not a support signer answer/],
    ["an answer that is not JSON", () => lambda.on(InvokeCommand).resolves({ Payload: payload("null}") }), 1, /no JSON/],
    ["a replay answer to a redrive", () => lambda.on(InvokeCommand).resolves({ Payload: payload({ kind: "replay", correlationId: "c", records: [], counts: { published: 0, filtered: 0, quarantined: 0, retried: 0 } }) }), 1, /answered a replay/],
  ];
  it.each(faults)("%s", async (_case, arrange, calls, outcome) => {
    arrange();
    const result = signer().sign(request);
    if (outcome instanceof RegExp) {
      await expect(result).rejects.toThrow(SupportSignerUnavailable);
      await expect(result).rejects.toThrow(outcome);
    } else {
      await expect(result).resolves.toEqual(outcome);
    }
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(calls);
    // Exponential backoff between calls (full jitter at its top here): 100 ms, then 200 ms.
    expect(sleeps).toEqual([100, 200].slice(0, calls - 1));
  });
});

describe("LambdaSupportSigner.forFunction", () => {
  it("uses a client that does not retry by itself, so the attempts are this class's alone", async () => {
    const signer = LambdaSupportSigner.forFunction("trust-callbacks-prod-support-signer");
    const client = (signer as unknown as { lambda: LambdaClient }).lambda;
    expect(await client.config.maxAttempts()).toBe(1);
  });
});
