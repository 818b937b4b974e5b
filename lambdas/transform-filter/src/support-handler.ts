/**
 * The support signer function (docs/guarantees.md 5.20): a second Lambda function bundled from this workspace
 * (`scripts/build/build-lambdas.ts` builds `.build/lambdas/support-signer.zip` from this file): it runs this
 * workspace's own signing and publishing core; what every function shares is `@trust-callbacks/runtime`. Only the support operator role may invoke it; it holds the signing
 * permissions so that support staff never do. The support CLI invokes it RequestResponse with one
 * `SupportSignerRequest` and reads one `SupportSignerAnswer`.
 */
import type { Context } from "aws-lambda";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { KMSClient } from "@aws-sdk/client-kms";
import { S3Client } from "@aws-sdk/client-s3";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { DestinationStream, Logger } from "pino";
import { formatIssues, type SupportSignerAnswer } from "@trust-callbacks/schemas";
import { awsClientConfig, awsTimeoutsFor } from "@trust-callbacks/runtime/aws";
import { EventBridgePublisher } from "./adapters/eventbridge-publisher.ts";
import { LambdaEnvironment } from "./config.ts";
import { DEFAULT_SETTINGS } from "./core/process-batch.ts";
import { holdAdapters } from "./hold-adapters.ts";
import { lookupAdapters } from "./lookup-adapters.ts";
import { createLogger } from "@trust-callbacks/runtime";
import { handleSupportRequest, type SupportSignerDeps, type SupportSignerSettings } from "./support-signer.ts";

/** The transform function's environment less what the signer never uses: it quarantines nothing and binds nothing. */
export const SupportSignerEnvironment = LambdaEnvironment.omit({
  QUARANTINE_BUCKET: true,
  QUARANTINE_PREFIX: true,
  BINDINGS_TABLE: true,
  BINDING_TTL_DAYS: true,
});
export type SupportSignerEnvironment = ReturnType<typeof SupportSignerEnvironment.parse>;

export interface SupportRuntime {
  deps: Omit<SupportSignerDeps, "remainingTimeMs">;
  settings: SupportSignerSettings;
  logger: Logger;
}

/** Wires the AWS adapters once per container (the same adapters the transform function uses). */
export function createSupportRuntime(
  processEnv: NodeJS.ProcessEnv,
  clients?: {
    kms?: KMSClient;
    s3?: S3Client;
    secretsManager?: SecretsManagerClient;
    eventBridge?: EventBridgeClient;
    dynamoDb?: DynamoDBClient;
    sqs?: SQSClient;
    logDestination?: DestinationStream;
  },
): SupportRuntime {
  const parsed = SupportSignerEnvironment.safeParse(processEnv);
  if (!parsed.success) throw new Error(`invalid support signer environment: ${formatIssues(parsed.error)}`);
  const env = parsed.data;
  const logger = createLogger({ level: env.LOG_LEVEL, base: { service: "support-signer", environment: env.ENVIRONMENT } }, clients?.logDestination);
  // Every AWS call's timeouts sized to this function's own (docs/guarantees.md 1.5), as the transform function's are.
  const clientConfig = awsClientConfig(logger, awsTimeoutsFor(env.LAMBDA_TIMEOUT_SECONDS * 1000));
  const s3 = clients?.s3 ?? new S3Client(clientConfig);
  return {
    logger,
    settings: {
      ...DEFAULT_SETTINGS,
      eventBusName: env.EVENT_BUS_NAME,
      busSource: env.BUS_SOURCE,
      cloudEventSource: env.CLOUDEVENT_SOURCE ?? `/trust-callbacks/${env.ENVIRONMENT}`,
      maxPutEventsBytes: env.MAX_PUT_EVENTS_BYTES,
      publishAttempts: env.PUBLISH_ATTEMPTS,
    },
    deps: {
      logger,
      ...lookupAdapters(env, s3, clientConfig, logger, clients),
      publisher: new EventBridgePublisher(clients?.eventBridge ?? new EventBridgeClient(clientConfig)),
      // A redrive or replay to a held endpoint is held (docs/guarantees.md 10.8).
      ...holdAdapters(env, clientConfig, logger, clients),
    },
  };
}

/** The handler for a runtime: one request in, one answer out; a caller's mistake is an answer, never a throw. */
export function createSupportHandler(runtime: SupportRuntime) {
  return (event: unknown, context: Pick<Context, "awsRequestId" | "getRemainingTimeInMillis">): Promise<SupportSignerAnswer> =>
    handleSupportRequest(
      event,
      { ...runtime.deps, logger: runtime.logger.child({ requestId: context.awsRequestId }), remainingTimeMs: () => context.getRemainingTimeInMillis() },
      runtime.settings,
    );
}

let supportHandler: ReturnType<typeof createSupportHandler> | undefined;

/** Entry point named in Terraform (`index.handler` of the support-signer bundle). */
export const handler = (event: unknown, context: Context): Promise<SupportSignerAnswer> => {
  supportHandler ??= createSupportHandler(createSupportRuntime(process.env));
  return supportHandler(event, context);
};
