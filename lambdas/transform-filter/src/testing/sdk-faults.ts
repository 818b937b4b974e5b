import { Readable } from "node:stream";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { DecryptCommand, KMSClient } from "@aws-sdk/client-kms";
import { GetObjectCommand, PutObjectCommand, S3Client, type GetObjectCommandOutput } from "@aws-sdk/client-s3";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { sdkStreamMixin } from "@smithy/util-stream";
import { mockClient } from "aws-sdk-client-mock";
import type { TrustConfig } from "@trust-callbacks/schemas";
import type { LocalKeyProvider } from "../adapters/local-key-provider.ts";
import { newSigningSecret } from "./fixtures.ts";

/** What an AWS call does in one run: answer, or fail the way the SDK reports it after its own retries. */
export type SdkFault = "ok" | "throttled" | "timeout" | "server" | "denied";
export const SDK_FAULTS: readonly SdkFault[] = ["ok", "ok", "ok", "throttled", "timeout", "server", "denied"];

/** The error the SDK throws for `fault`, shaped as the SDK shapes it. */
export function sdkError(fault: Exclude<SdkFault, "ok">): Error {
  const error = new Error(fault);
  if (fault === "throttled") Object.assign(error, { name: "ThrottlingException", $fault: "client", $metadata: { httpStatusCode: 400 } });
  if (fault === "timeout") Object.assign(error, { name: "TimeoutError" }); // no HTTP answer at all
  if (fault === "server") Object.assign(error, { name: "InternalFailure", $fault: "server", $metadata: { httpStatusCode: 500 } });
  if (fault === "denied") Object.assign(error, { name: "AccessDeniedException", $fault: "client", $metadata: { httpStatusCode: 400 } });
  return error;
}

/** A GetObject answer holding `text`, as the SDK streams it. */
export const s3Object = (text: string, etag: string): GetObjectCommandOutput => ({
  Body: sdkStreamMixin(Readable.from([Buffer.from(text)])) as GetObjectCommandOutput["Body"],
  ETag: etag,
  $metadata: {},
});

export interface FaultyAwsOptions {
  /** The subscription documents in S3 (`subscriptions/<trust>.json`). */
  configs: TrustConfig[];
  /** The key provider that wrapped the events' data keys: KMS answers with it. */
  keyProvider: LocalKeyProvider;
  /** What each AWS call does, in turn (cycled). */
  calls: readonly SdkFault[];
  /** Each PutEvents entry's answer, in turn (cycled): "ok" or an EventBridge error code. */
  entries: readonly string[];
}

/**
 * KMS, S3, Secrets Manager and EventBridge clients mocked at the SDK, failing the way `calls` and `entries`
 * say, and what reached the edges: the CloudEvent ids PutEvents accepted, the quarantine keys written and
 * the Detail of every entry sent. `restore()` when done.
 */
export function faultyAws(options: FaultyAwsOptions) {
  const kms = mockClient(KMSClient);
  const s3 = mockClient(S3Client);
  const sm = mockClient(SecretsManagerClient);
  const eb = mockClient(EventBridgeClient);
  let call = 0;
  const next = () => options.calls[call++ % options.calls.length]!;
  const maybeFail = <T>(answer: () => T) => () => {
    const fault = next();
    if (fault !== "ok") throw sdkError(fault);
    return answer();
  };
  kms.on(DecryptCommand).callsFake(async (input: { CiphertextBlob: Uint8Array; EncryptionContext: Record<string, string> }) => {
    const fault = next();
    if (fault !== "ok") throw sdkError(fault);
    return { Plaintext: await options.keyProvider.unwrap(Buffer.from(input.CiphertextBlob).toString("base64"), input.EncryptionContext) };
  });
  for (const config of options.configs) {
    s3.on(GetObjectCommand, { Key: `subscriptions/${config.trustId}.json` }).callsFake(maybeFail(() => s3Object(JSON.stringify(config), '"1"')));
  }
  s3.on(PutObjectCommand).callsFake(maybeFail(() => ({})));
  sm.on(GetSecretValueCommand).callsFake(maybeFail(() => ({ SecretString: newSigningSecret() })));
  const published: string[] = [];
  let entry = 0;
  eb.on(PutEventsCommand).callsFake((input: { Entries: { Detail: string }[] }) => {
    const fault = next();
    if (fault !== "ok") throw sdkError(fault);
    return {
      Entries: input.Entries.map((e) => {
        const outcome = options.entries[entry++ % options.entries.length]!;
        if (outcome !== "ok") return { ErrorCode: outcome, ErrorMessage: "injected" };
        published.push(JSON.parse(e.Detail).event.id);
        return { EventId: `e${entry}` };
      }),
    };
  });
  return {
    clients: {
      kms: kms as unknown as KMSClient,
      s3: s3 as unknown as S3Client,
      secretsManager: sm as unknown as SecretsManagerClient,
      eventBridge: eb as unknown as EventBridgeClient,
    },
    /** CloudEvent ids of the entries PutEvents accepted. */
    published,
    quarantineKeys: () => s3.commandCalls(PutObjectCommand).map((c) => String(c.args[0].input.Key)),
    sentDetails: () => eb.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries ?? []).map((e) => JSON.parse(e.Detail!)),
    restore: () => [kms, s3, sm, eb].forEach((client) => client.restore()),
  };
}
