import { dirname, join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Notice } from "@trust-callbacks/schemas";
import { DynamoDbNoticeLog } from "@trust-callbacks/runtime/notices";
import type { NoticeLog } from "@trust-callbacks/transform-filter";
import { FileNoticeOutbox } from "../lib/local-holds.ts";
import type { SecretTargetOptions } from "./args.ts";

/**
 * Where the support CLI records notices for the trust (docs/guarantees.md 10.35): the notices table on AWS (the
 * operator may write it; only the notifier publishes, 10.34), or the local outbox beside the local secrets file.
 */
export function openNoticeLog(target: SecretTargetOptions): NoticeLog {
  return target.kind === "aws"
    ? new DynamoDbNoticeLog({ client: new DynamoDBClient({}), tableName: `${target.namePrefix}-notices` })
    : new FileNoticeOutbox(join(dirname(target.secretsFile), "notices.ndjson"));
}

/** Records each notice; answers the ids recorded and, when one could not be, why (the caller warns and audits it). */
export async function recordNotices(log: NoticeLog, notices: readonly Notice[]): Promise<{ recorded: string[]; failed?: string }> {
  const recorded: string[] = [];
  for (const notice of notices) {
    let answer;
    try {
      answer = await log.record(notice);
    } catch (error) {
      return { recorded, failed: `${notice.kind}: ${(error as Error).message}` };
    }
    if (answer.status !== "found") return { recorded, failed: `${notice.kind}: ${answer.reason}` };
    recorded.push(answer.value.id);
  }
  return { recorded };
}
