import {
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import type { Logger } from "pino";
import { failureOf, found, notFound, type Result } from "@trust-callbacks/runtime";
import { classifyAwsError } from "@trust-callbacks/runtime/aws";
import { NOTICE_KEY_ATTRIBUTE, isConditionFailure, noticeFromItem } from "@trust-callbacks/runtime/notices";
import { episodeKey, type Cause, type Episode } from "../core/model.ts";
import type { DueNotice, EpisodeStore, NoticeTable } from "../core/ports.ts";

/**
 * The notices table (`<prefix>-notices`, key `id`) as the notifier reads and marks it. Items are written by
 * `DynamoDbNoticeLog` (`@trust-callbacks/runtime/notices`): the `Notice` fields, `due` (UTC ISO 8601) and
 * `expiresAt` (TTL). The notifier adds:
 * - `claimedUntil` (N, epoch ms): a sweep is publishing the notice until then (a conditional write, so two sweeps never
 *   both publish it); removed when it is marked sent or the publish failed;
 * - `sentAt` (S, ISO 8601): the trust's topic accepted it; written once (conditional on its absence), never removed;
 * - episode items (`id` = `episode#<ODS>#<endpoint>#<cause>`; `phase`, `since`, `changedAt`, `version`): one
 *   endpoint's last known health per cause. They have no `due`, so the sweep's filter never lists them.
 * The sweep reads with a consistent Scan filtered to due, unsent, unclaimed items (Amazon DynamoDB Developer Guide,
 * "Scanning tables", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Scan.html: a filter is applied
 * after each page of at most 1 MB is read, so pages may come back empty while LastEvaluatedKey is set); the table
 * holds state changes only and TTL removes them 90 days after they were due, so it stays small. Every SDK error is
 * classified here (`classifyAwsError`, our own configuration's refusals transient) and answered as `failed`.
 */

export interface DynamoDbNoticesOptions {
  client: DynamoDBClient;
  tableName: string;
  logger?: Logger;
  /** Scan pages one sweep reads at most. */
  maxPages?: number;
  /** Items a Scan page evaluates at most (`Limit`); unset: DynamoDB's 1 MB page. */
  pageSize?: number;
}

export class DynamoDbNotices implements NoticeTable, EpisodeStore {
  constructor(private readonly options: DynamoDbNoticesOptions) {}

  private fail(error: unknown, call: string) {
    return failureOf(classifyAwsError(error, `DynamoDB ${call} ${this.options.tableName}`, { ownConfiguration: true }));
  }

  async due(now: Date, limit: number): Promise<Result<DueNotice[]>> {
    const { client, tableName } = this.options;
    const notices: { notice: DueNotice["notice"]; due: string }[] = [];
    let start: Record<string, AttributeValue> | undefined;
    let pages = 0;
    do {
      let page;
      try {
        page = await client.send(
          new ScanCommand({
            TableName: tableName,
            ConsistentRead: true,
            FilterExpression: "#due <= :now AND attribute_not_exists(#sentAt) AND (attribute_not_exists(#claimedUntil) OR #claimedUntil < :nowMs)",
            ExpressionAttributeNames: { "#due": "due", "#sentAt": "sentAt", "#claimedUntil": "claimedUntil" },
            ExpressionAttributeValues: { ":now": { S: now.toISOString() }, ":nowMs": { N: String(now.getTime()) } },
            ...(this.options.pageSize ? { Limit: this.options.pageSize } : {}),
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
      } catch (error) {
        return this.fail(error, "Scan");
      }
      for (const item of page.Items ?? []) {
        const stored = noticeFromItem(item);
        if (!stored) {
          this.options.logger?.warn({ id: item[NOTICE_KEY_ATTRIBUTE]?.S }, "notices table item is not a notice; left alone");
          continue;
        }
        notices.push({ notice: stored.notice, due: item.due?.S ?? "" });
      }
      start = page.LastEvaluatedKey;
    } while (start && ++pages < (this.options.maxPages ?? 20));
    // Oldest due first, then by when the change happened, then by id: the order a trust is told in.
    notices.sort((a, b) => (a.due < b.due ? -1 : a.due > b.due ? 1 : Date.parse(a.notice.at) - Date.parse(b.notice.at) || (a.notice.id < b.notice.id ? -1 : 1)));
    return found(notices.slice(0, limit).map(({ notice }) => ({ notice })));
  }

  claim(id: string, now: Date, until: Date): Promise<Result<string>> {
    return this.update(id, {
      UpdateExpression: "SET #claimedUntil = :until",
      ConditionExpression: "attribute_exists(#id) AND attribute_not_exists(#sentAt) AND (attribute_not_exists(#claimedUntil) OR #claimedUntil < :nowMs)",
      ExpressionAttributeNames: { "#id": NOTICE_KEY_ATTRIBUTE, "#sentAt": "sentAt", "#claimedUntil": "claimedUntil" },
      ExpressionAttributeValues: { ":until": { N: String(until.getTime()) }, ":nowMs": { N: String(now.getTime()) } },
    });
  }

  markSent(id: string, at: Date): Promise<Result<string>> {
    return this.update(id, {
      UpdateExpression: "SET #sentAt = :at REMOVE #claimedUntil",
      ConditionExpression: "attribute_exists(#id) AND attribute_not_exists(#sentAt)",
      ExpressionAttributeNames: { "#id": NOTICE_KEY_ATTRIBUTE, "#sentAt": "sentAt", "#claimedUntil": "claimedUntil" },
      ExpressionAttributeValues: { ":at": { S: at.toISOString() } },
    });
  }

  release(id: string): Promise<Result<string>> {
    return this.update(id, {
      UpdateExpression: "REMOVE #claimedUntil",
      ConditionExpression: "attribute_exists(#id) AND attribute_not_exists(#sentAt)",
      ExpressionAttributeNames: { "#id": NOTICE_KEY_ATTRIBUTE, "#sentAt": "sentAt", "#claimedUntil": "claimedUntil" },
    });
  }

  private async update(
    id: string,
    input: Pick<ConstructorParameters<typeof UpdateItemCommand>[0], "UpdateExpression" | "ConditionExpression" | "ExpressionAttributeNames" | "ExpressionAttributeValues">,
  ): Promise<Result<string>> {
    try {
      await this.options.client.send(new UpdateItemCommand({ TableName: this.options.tableName, Key: { [NOTICE_KEY_ATTRIBUTE]: { S: id } }, ...input }));
      return found(id);
    } catch (error) {
      if (isConditionFailure(error)) return notFound(`notice ${id} is sent, claimed or gone`);
      return this.fail(error, "UpdateItem");
    }
  }

  async get(key: { trustId: string; endpointId: string; cause: Cause }): Promise<Result<Episode>> {
    let item: Record<string, AttributeValue> | undefined;
    try {
      item = (
        await this.options.client.send(
          new GetItemCommand({ TableName: this.options.tableName, Key: { [NOTICE_KEY_ATTRIBUTE]: { S: episodeKey(key) } }, ConsistentRead: true }),
        )
      ).Item;
    } catch (error) {
      return this.fail(error, "GetItem");
    }
    if (!item) return notFound("no episode");
    const phase = item.phase?.S;
    const since = item.since?.S;
    const changedAt = item.changedAt?.S;
    const version = Number(item.version?.N);
    if ((phase !== "failing" && phase !== "healthy") || !since || !changedAt || !Number.isInteger(version)) {
      // Unreadable: written again from scratch would lose the race guard, so it is a failure to look at.
      return failureOf(new Error(`episode ${episodeKey(key)} is malformed`));
    }
    return found({ ...key, phase, since, changedAt, told: item.told?.BOOL ?? true, version });
  }

  async put(episode: Episode, expectedVersion: number | undefined): Promise<Result<Episode>> {
    try {
      await this.options.client.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: {
            [NOTICE_KEY_ATTRIBUTE]: { S: episodeKey(episode) },
            trustId: { S: episode.trustId },
            endpointId: { S: episode.endpointId },
            cause: { S: episode.cause },
            phase: { S: episode.phase },
            since: { S: episode.since },
            changedAt: { S: episode.changedAt },
            told: { BOOL: episode.told },
            version: { N: String(episode.version) },
          },
          ...(expectedVersion === undefined
            ? { ConditionExpression: "attribute_not_exists(#id)", ExpressionAttributeNames: { "#id": NOTICE_KEY_ATTRIBUTE } }
            : { ConditionExpression: "#version = :expected", ExpressionAttributeNames: { "#version": "version" }, ExpressionAttributeValues: { ":expected": { N: String(expectedVersion) } } }),
        }),
      );
      return found(episode);
    } catch (error) {
      if (isConditionFailure(error)) return notFound(`episode ${episodeKey(episode)} changed`);
      return this.fail(error, "PutItem");
    }
  }
}
