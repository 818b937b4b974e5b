import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import { Notice } from "@trust-callbacks/schemas";
import { classifyAwsError } from "./aws-errors.ts";
import { failed, failureOf, found, type Result } from "./result.ts";

/**
 * The notices table (`<prefix>-notices`, docs/adr/0002-holds.md), shared by every producer (the drain, the support CLI,
 * the notifier's handlers of AWS events) and the notifier, which alone publishes. One item per notice:
 * - `id` (S, the partition key): the notice's id, which names one occurrence of one state change;
 * - the other `Notice` fields: strings as S, `counts` as a map of N;
 * - `due` (S, ISO 8601): when to send it, always written (the notice's `due`, or its `at` when unset: at once), so
 *   the notifier finds unsent due notices by one condition (`due <= now AND attribute_not_exists(sentAt)`);
 * - `sentAt` (S, ISO 8601): written by the notifier once the trust's topic accepted the notice, never by a producer;
 * - `expiresAt` (N, epoch seconds): 90 days after `due`, for the table's TTL, so the notifier's sweep reads a table
 *   that does not grow without bound. DynamoDB's TTL takes epoch seconds and deletes in the background
 *   (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html); nothing depends on when.
 */
export const NOTICE_KEY_ATTRIBUTE = "id";
export const NOTICE_RETENTION_SECONDS = 90 * 86_400;

/** A notice as the table keeps it: the document, and when the notifier published it (unset: not yet). */
export interface StoredNotice {
  notice: Notice;
  sentAt?: string;
}

export interface DynamoDbNoticeLogOptions {
  client: DynamoDBClient;
  tableName: string;
}

/**
 * `NoticeLog` (lambdas/transform-filter/src/core/hold-ports.ts) on the notices table. `record` is one conditional
 * PutItem (`attribute_not_exists(id)`): the first write of an id wins, and a later one answers the notice in force
 * (from the refusal, ReturnValuesOnConditionCheckFailure, or one consistent GetItem) — or the notice given, when the
 * item is unreadable or gone in between (the occurrence is recorded either way). A producer never overwrites `sentAt`,
 * so a notice once sent is never sent again by a repeated observation. SDK errors are classified here
 * (`classifyAwsError`, a refusal by our own deployment transient) and answered as `failed`, never thrown.
 */
export class DynamoDbNoticeLog {
  constructor(private readonly options: DynamoDbNoticeLogOptions) {}

  async record(notice: Notice): Promise<Result<Notice>> {
    const parsed = Notice.safeParse(notice);
    if (!parsed.success) return failed("never", `notice ${notice.id} is malformed: ${parsed.error.issues.map((i) => i.path.join(".") || "notice").join(", ")}`);
    const { client, tableName } = this.options;
    try {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: noticeToItem(parsed.data),
          ConditionExpression: "attribute_not_exists(#id)",
          ExpressionAttributeNames: { "#id": NOTICE_KEY_ATTRIBUTE },
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      return found(parsed.data);
    } catch (error) {
      if (!isConditionFailure(error)) return failureOf(classifyAwsError(error, `DynamoDB PutItem ${tableName}`, { ownConfiguration: true }));
      const refused = (error as ConditionalCheckFailedException).Item;
      let item: Record<string, AttributeValue> | undefined = refused;
      if (!item) {
        try {
          const response = await client.send(
            new GetItemCommand({ TableName: tableName, Key: { [NOTICE_KEY_ATTRIBUTE]: { S: parsed.data.id } }, ConsistentRead: true }),
          );
          item = response.Item;
        } catch (readError) {
          return failureOf(classifyAwsError(readError, `DynamoDB GetItem ${tableName}`, { ownConfiguration: true }));
        }
      }
      const existing = item && noticeFromItem(item);
      return found(existing ? existing.notice : parsed.data);
    }
  }
}

export const isConditionFailure = (error: unknown): boolean =>
  error instanceof ConditionalCheckFailedException || (error as { name?: string } | undefined)?.name === "ConditionalCheckFailedException";

/**
 * When a notice is to be sent, in UTC (`toISOString`, so items compare as strings whatever offset a producer wrote):
 * its `due`, or its `at` (at once).
 */
export const dueOf = (notice: Notice): string => new Date(notice.due ?? notice.at).toISOString();

const OPTIONAL_STRINGS = ["endpointId", "cause", "reason", "until"] as const;

export function noticeToItem(notice: Notice): Record<string, AttributeValue> {
  const due = dueOf(notice);
  const item: Record<string, AttributeValue> = {
    [NOTICE_KEY_ATTRIBUTE]: { S: notice.id },
    kind: { S: notice.kind },
    trustId: { S: notice.trustId },
    at: { S: notice.at },
    due: { S: due },
    expiresAt: { N: String(Math.floor(Date.parse(due) / 1000) + NOTICE_RETENTION_SECONDS) },
  };
  for (const field of OPTIONAL_STRINGS) {
    const value = notice[field];
    if (value !== undefined) item[field] = { S: value };
  }
  if (notice.counts) item.counts = { M: Object.fromEntries(Object.entries(notice.counts).map(([name, count]) => [name, { N: String(count) }])) };
  return item;
}

/**
 * The notice an item holds, or `undefined` when it is not a valid `Notice` (never guessed at). An item's `due` at the
 * same instant as its `at` is the notice without `due` (sent at once), so a notice recorded without one reads back as
 * it was. Items of other kinds in the table (the notifier's episodes) have no `kind` and read as `undefined`.
 */
export function noticeFromItem(item: Record<string, AttributeValue>): StoredNotice | undefined {
  const document: Record<string, unknown> = {};
  for (const field of ["id", "kind", "trustId", "at", ...OPTIONAL_STRINGS] as const) {
    const value = item[field]?.S;
    if (value !== undefined) document[field] = value;
  }
  const due = item.due?.S;
  if (due !== undefined && Date.parse(due) !== Date.parse(String(document.at))) document.due = due;
  if (item.counts?.M) document.counts = Object.fromEntries(Object.entries(item.counts.M).map(([name, count]) => [name, Number(count.N)]));
  const parsed = Notice.safeParse(document);
  if (!parsed.success) return undefined;
  const sentAt = item.sentAt?.S;
  return sentAt === undefined ? { notice: parsed.data } : { notice: parsed.data, sentAt };
}
