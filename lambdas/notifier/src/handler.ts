import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SNSClient } from "@aws-sdk/client-sns";
import { createLogger } from "@trust-callbacks/runtime";
import { awsClientConfig, awsTimeoutsFor } from "@trust-callbacks/runtime/aws";
import { DynamoDbNoticeLog } from "@trust-callbacks/runtime/notices";
import type { DestinationStream, Logger } from "pino";
import { DynamoDbNotices } from "./adapters/dynamodb-notices.ts";
import { SnsTopicPublisher } from "./adapters/sns-publisher.ts";
import { readNotifierEnvironment, type NotifierEnvironment } from "./config.ts";
import { recordObservation } from "./core/episodes.ts";
import { observationOf } from "./core/observe.ts";
import type { EpisodeStore, NoticeRecorder, NoticeTable, TopicPublisher } from "./core/ports.ts";
import { sweepNotices, type SweepReport } from "./core/sweep.ts";

/**
 * The notifier (docs/guarantees.md 10.30-10.34). One function, two triggers:
 * - an AWS event on the default bus (a dead-letter alarm's state change, a connection's state change): turned into an
 *   observation and, when it is a change, into a notice written to the notices table. It never publishes.
 * - the schedule (EventBridge `Scheduled Event`, every minute): the sweep publishes due notices to the trusts' topics.
 * An event that cannot be recorded now is thrown back, so Lambda's asynchronous retries deliver it again (the same
 * observation makes the same notice).
 */

export interface NotifierDeps {
  env: NotifierEnvironment;
  logger: Logger;
  notices: NoticeRecorder;
  episodes: EpisodeStore;
  table: NoticeTable;
  publisher: TopicPublisher;
  now: () => Date;
}

export type NotifierResponse =
  | { action: "observed"; notice?: string; why?: string }
  | { action: "ignored"; why: string }
  | { action: "swept"; sent: number; failed: number; skipped: number; unreadable?: string };

export class NoticeNotRecorded extends Error {
  override readonly name = "NoticeNotRecorded";
}

export function createDeps(processEnv: NodeJS.ProcessEnv, options: { dynamo?: DynamoDBClient; sns?: SNSClient; logDestination?: DestinationStream } = {}): NotifierDeps {
  const env = readNotifierEnvironment(processEnv);
  const logger = createLogger({ level: env.LOG_LEVEL, base: { service: "notifier" } }, options.logDestination);
  const config = awsClientConfig(logger, awsTimeoutsFor(env.LAMBDA_TIMEOUT_SECONDS * 1000));
  const dynamo = options.dynamo ?? new DynamoDBClient(config);
  const table = new DynamoDbNotices({ client: dynamo, tableName: env.NOTICES_TABLE_NAME, logger });
  return {
    env,
    logger,
    notices: new DynamoDbNoticeLog({ client: dynamo, tableName: env.NOTICES_TABLE_NAME }),
    episodes: table,
    table,
    publisher: new SnsTopicPublisher(options.sns ?? new SNSClient(config)),
    now: () => new Date(),
  };
}

/**
 * The sweep's trigger: an EventBridge rule's schedule (`source: aws.events`, `detail-type: Scheduled Event`: EventBridge
 * User Guide, "Amazon EventBridge events detail reference", https://docs.aws.amazon.com/eventbridge/latest/userguide/event-reference.html),
 * or `{ "sweep": true }` (an EventBridge Scheduler schedule's input, or an operator's invocation).
 */
const isSchedule = (event: unknown): boolean => {
  const raw = event as { source?: unknown; "detail-type"?: unknown; sweep?: unknown } | null;
  return (raw?.source === "aws.events" && raw["detail-type"] === "Scheduled Event") || raw?.sweep === true;
};

export function createHandler(deps: NotifierDeps) {
  return async (event: unknown, context: { awsRequestId: string; getRemainingTimeInMillis?: () => number }): Promise<NotifierResponse> => {
    const logger = deps.logger.child({ correlationId: context.awsRequestId });
    if (isSchedule(event)) {
      const report: SweepReport = await sweepNotices({
        table: deps.table,
        publisher: deps.publisher,
        topicArnPrefix: deps.env.NOTICE_TOPIC_ARN_PREFIX,
        now: deps.now,
        logger,
        maxNotices: deps.env.MAX_NOTICES_PER_RUN,
        outOfTime: () => (context.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY) < 10_000,
      });
      const summary = { sent: report.sent.length, failed: report.failed.length, skipped: report.skipped, ...(report.unreadable ? { unreadable: report.unreadable } : {}) };
      logger.info(summary, "notices sweep finished");
      return { action: "swept", ...summary };
    }
    const observed = observationOf(event, deps.env.NAME_PREFIX);
    if ("ignored" in observed) {
      logger.info({ why: observed.ignored }, "event tells no state change");
      return { action: "ignored", why: observed.ignored };
    }
    const { observation } = observed;
    const recorded = await recordObservation(observation, { episodes: deps.episodes, notices: deps.notices });
    const where = { trustId: observation.trustId, endpointId: observation.endpointId, cause: observation.cause, health: observation.health, at: observation.at };
    if (recorded.status !== "found") {
      logger.error({ ...where, reason: recorded.reason }, "observation not recorded; handed back for retry");
      throw new NoticeNotRecorded(`${observation.trustId}/${observation.endpointId} ${observation.health} (${observation.cause}) not recorded: ${recorded.reason}`);
    }
    const { notice, why } = recorded.value;
    logger.info({ ...where, noticeId: notice?.id, why }, notice ? "notice recorded" : "observation changes nothing");
    return { action: "observed", ...(notice ? { notice: notice.id } : {}), ...(why ? { why } : {}) };
  };
}

let lambdaHandler: ReturnType<typeof createHandler> | undefined;

/** Entry point named in Terraform (`index.handler` of `.build/lambdas/notifier.zip`). */
export const handler = (event: unknown, context: { awsRequestId: string; getRemainingTimeInMillis?: () => number }): Promise<NotifierResponse> => {
  lambdaHandler ??= createHandler(createDeps(process.env));
  return lambdaHandler(event, context);
};
