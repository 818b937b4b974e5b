import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { createLogger } from "@trust-callbacks/runtime";
import { awsClientConfig } from "@trust-callbacks/runtime/aws";
import { powertoolsMetrics, type Metrics } from "@trust-callbacks/runtime/metrics";
import { Writable } from "node:stream";
import type { DestinationStream, Logger } from "pino";
import { EventBridgeConnections } from "./adapters/eventbridge-connections.ts";
import { S3Deployment } from "./adapters/s3-deployment.ts";
import { SecretsManagerSecrets } from "./adapters/secrets-manager-secrets.ts";
import { readSyncEnvironment, type SyncEnvironment } from "./config.ts";
import type { ConnectionState, OutcomeStatus } from "./core/model.ts";
import { SyncUnavailable, syncConnections, type SyncDeps, type SyncReport } from "./core/sync.ts";
import { parseTrigger } from "./core/trigger.ts";
import { METRICS_SERVICE_NAME, publishSyncMetrics } from "./metrics.ts";

/**
 * What the function answers. Terraform keeps the answer of the apply-time invocation in its state, so it holds
 * connection names, outcomes and states only (and reasons, which name secrets, never their values).
 */
export interface SyncResponse {
  action: SyncReport["action"] | "ignored";
  trigger: string;
  counts?: Record<OutcomeStatus, number>;
  connections?: { name: string; status: OutcomeStatus; state: ConnectionState }[];
  ignored?: string;
}

export interface Runtime {
  env: SyncEnvironment;
  logger: Logger;
  deps: Omit<SyncDeps, "logger">;
  /** Powertools metrics: EMF on stdout in Lambda, always, whatever the log level. */
  metrics: Metrics;
}

/**
 * The EventBridge client's options: DescribeConnection and UpdateConnection share the account's control-plane quota
 * (50 calls/s, not adjustable: EventBridge User Guide, "Quotas",
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html) with Terraform's own calls during an
 * apply, so the client retries throttling more than the SDK's default 3 attempts and in adaptive mode, which also
 * slows its own sending rate after a throttle (AWS SDKs and Tools Reference Guide, "Retry behavior",
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html).
 */
export function controlPlaneClientConfig<T extends object>(base: T, maxAttempts: number): T & { retryMode: "adaptive"; maxAttempts: number } {
  return { ...base, retryMode: "adaptive", maxAttempts };
}

export function createRuntime(
  processEnv: NodeJS.ProcessEnv,
  options: { eventBridge?: EventBridgeClient; secretsManager?: SecretsManagerClient; s3?: S3Client; logDestination?: DestinationStream; writeMetrics?: (line: string) => void } = {},
): Runtime {
  const env = readSyncEnvironment(processEnv);
  const logger = createLogger({ level: env.LOG_LEVEL, base: { service: "connection-sync", environment: env.ENVIRONMENT } }, options.logDestination);
  // The same client options as transform-filter: the SDK logger never writes call inputs (UpdateConnection's
  // input holds credentials).
  const config = awsClientConfig(logger);
  const eventBridge = options.eventBridge ?? new EventBridgeClient(controlPlaneClientConfig(config, env.EVENTBRIDGE_MAX_ATTEMPTS));
  return {
    env,
    logger,
    deps: {
      connections: new EventBridgeConnections(eventBridge),
      secrets: new SecretsManagerSecrets(options.secretsManager ?? new SecretsManagerClient(config)),
      deployment: new S3Deployment(options.s3 ?? new S3Client(config), { bucket: env.CREDENTIALS_MAP_BUCKET, key: env.CREDENTIALS_MAP_KEY }),
      connectionNamePrefix: env.CONNECTION_NAME_PREFIX,
      concurrency: env.CONCURRENCY,
      connectionKmsKey: env.CONNECTION_KMS_KEY_ARN,
    },
    metrics: powertoolsMetrics({
      namespace: env.METRICS_NAMESPACE,
      serviceName: METRICS_SERVICE_NAME,
      environment: env.ENVIRONMENT,
      logger,
      ...(options.writeMetrics ? { output: lineWriter(options.writeMetrics) } : {}),
    }),
  };
}

/** A stream that hands each line written to it to `write` (a test's or a benchmark's metrics sink). */
function lineWriter(write: (line: string) => void): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line) write(line);
      done();
    },
  });
}

/** An error whose message Lambda returns to the invoker (Terraform prints it): names and reasons only. */
export class SyncFailed extends Error {
  override readonly name = "SyncFailed";
}

const MAX_LISTED_FAILURES = 20;

export function createHandler(runtime: Runtime) {
  return async (event: unknown, context: { awsRequestId: string }): Promise<SyncResponse> => {
    const logger = runtime.logger.child({ correlationId: context.awsRequestId });
    const trigger = parseTrigger(event);
    if ("ignored" in trigger) {
      logger.info({ trigger: trigger.source, reason: trigger.ignored }, "invocation filtered: nothing to sync");
      return { action: "ignored", trigger: trigger.source, ignored: trigger.ignored };
    }
    let report: SyncReport;
    try {
      report = await syncConnections(trigger.request, { ...runtime.deps, logger });
    } catch (error) {
      if (error instanceof SyncUnavailable) {
        logger.error({ trigger: trigger.source, retry: error.retry, reason: error.message }, "connection sync could not run");
        throw new SyncFailed(error.message);
      }
      throw error;
    }
    publishSyncMetrics(runtime.metrics, report, trigger.source.split(":")[0] ?? trigger.source);
    logger.info({ trigger: trigger.source, action: report.action, counts: report.counts, states: report.states }, "connection sync finished");

    const failures = report.outcomes.filter((outcome) => outcome.status === "failed");
    // A named sync (apply time, the support CLI) fails as a whole when a connection could not be synced: the apply
    // stops before the endpoint's target is created, so no delivery leaves with placeholder credentials.
    // A secret event is handed back to Lambda's retries only for failures worth retrying; the reconcile never
    // fails for one connection (its metrics and alarm report them).
    const fail =
      (report.action === "sync" && failures.length > 0) ||
      (report.action === "secret-changed" && failures.some((outcome) => outcome.status === "failed" && outcome.retry !== "never"));
    if (fail) {
      const listed = failures.slice(0, MAX_LISTED_FAILURES).map((outcome) => `${outcome.connection}: ${outcome.why}`);
      const more = failures.length > MAX_LISTED_FAILURES ? `; and ${failures.length - MAX_LISTED_FAILURES} more` : "";
      throw new SyncFailed(`${failures.length} of ${report.outcomes.length} connection(s) not synced: ${listed.join("; ")}${more}`);
    }
    return {
      action: report.action,
      trigger: trigger.source,
      counts: report.counts,
      ...(report.action === "reconcile"
        ? {}
        : { connections: report.outcomes.map((outcome) => ({ name: outcome.connection, status: outcome.status, state: outcome.status === "updated" ? outcome.stateAfter : outcome.stateBefore })) }),
    };
  };
}

let lambdaHandler: ReturnType<typeof createHandler> | undefined;

/** Entry point named in Terraform (`index.handler` of the bundle). */
export const handler = (event: unknown, context: { awsRequestId: string }): Promise<SyncResponse> => {
  lambdaHandler ??= createHandler(createRuntime(process.env));
  return lambdaHandler(event, context);
};
