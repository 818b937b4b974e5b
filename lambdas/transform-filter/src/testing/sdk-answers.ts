import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { KMSClient } from "@aws-sdk/client-kms";
import type { S3Client } from "@aws-sdk/client-s3";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

/** A command's output (without $metadata) for its input; throwing fails the call as the SDK would. */
export type SdkAnswer = (input: Record<string, unknown>) => unknown;

/**
 * Answers a real client's calls at the SDK's first step (initialize), by command name: each call runs the
 * real client.send() and middleware stack (logger middleware included) but is never serialized, signed or
 * sent. Unlike aws-sdk-client-mock, which replaces send(), this keeps the SDK's own per-call work, so the
 * benchmark measures it and tests can check client options. `onResolve` runs each time the SDK resolves
 * the middleware stack.
 */
export function answerAtSdkLevel<C extends KMSClient | S3Client | SecretsManagerClient | EventBridgeClient>(
  client: C,
  answers: Record<string, SdkAnswer>,
  onResolve: () => void = () => {},
): C {
  // The four clients' stacks differ only in their input and output types, which answers do not rely on.
  (client.middlewareStack as unknown as { add: (middleware: unknown, options: unknown) => void }).add(
    (_next: unknown, context: { commandName: string }) => {
      onResolve();
      return async (args: { input: Record<string, unknown> }) => {
        const answer = answers[context.commandName];
        if (!answer) throw new Error(`no answer for ${context.commandName}`);
        return { output: { $metadata: { httpStatusCode: 200 }, ...((await answer(args.input)) as object) }, response: {} };
      };
    },
    { step: "initialize", name: "answerAtSdkLevel" },
  );
  return client;
}
