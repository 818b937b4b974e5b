import {
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import { LRUCache } from "lru-cache";
import type { Logger } from "pino";
import { conversationKey, type ConversationBinding, type ConversationBindingStore, type ConversationKey } from "../core/ports.ts";
import { failed, found, notFound, type Result } from "@trust-callbacks/runtime";
import { classifyAwsError } from "@trust-callbacks/runtime/aws";

/**
 * The bindings table's items (modules/pipeline/dynamodb.tf):
 * - `conversation` (S, the partition key): `<trustId>#<conversationId>`, one hashed key per conversation so the
 *   table spreads evenly whatever the number of trusts;
 * - `trustId`, `conversationId`, `documentVersion` (the S3 version id), `documentDigest` (SHA-256 hex): S;
 * - `createdAt` (S, ISO 8601), for people reading the table;
 * - `expiresAt` (N, epoch seconds): the table's TTL attribute. DynamoDB's TTL takes epoch seconds and deletes
 *   expired items in the background, typically within a few days, and reads return them until then (Amazon
 *   DynamoDB Developer Guide, "Working with expired items and time to live (TTL)",
 *   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ttl-expired-items.html, and the
 *   UpdateTimeToLive API reference). So the core compares `expiresAt` with its own clock; this adapter does not.
 */
export const BINDING_KEY_ATTRIBUTE = "conversation";

/** BatchGetItem takes at most 100 keys a call (Amazon DynamoDB API Reference, BatchGetItem). */
export const MAX_KEYS_PER_BATCH_GET = 100;

export interface DynamoDbConversationBindingsOptions {
  tableName: string;
  /** Bindings a container keeps (least recently used go first). A binding never changes once written. */
  maxCached?: number;
  /**
   * How long "no binding" is remembered (ms). Conversations that never get one (created before bindings existed,
   * `conversation.created` lost) would otherwise cost a read in every batch; a binding made meanwhile by another
   * container is seen at most this late. 0 turns it off.
   */
  absentTtlMs?: number;
  /** BatchGetItem calls for keys DynamoDB leaves unprocessed (throttling, size) before the records are handed back. */
  unprocessedAttempts?: number;
  logger?: Logger;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface Cached {
  answer: Result<ConversationBinding>;
  /** Until when (ms) the answer is used without asking DynamoDB. */
  until: number;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Conversation bindings in DynamoDB. Reads: one BatchGetItem per 100 conversations not already cached (strongly
 * consistent, so a binding written a moment ago by another container is seen), unprocessed keys retried with
 * backoff, then handed back as failed. Writes: one conditional PutItem; the first binding wins, and the binding in
 * force comes back with the refusal (ReturnValuesOnConditionCheckFailure), or from one consistent GetItem where
 * the answer does not carry it. Every SDK error is classified here (`classifyAwsError`).
 */
export class DynamoDbConversationBindings implements ConversationBindingStore {
  private readonly cache: LRUCache<string, Cached>;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly options: DynamoDbConversationBindingsOptions,
  ) {
    this.cache = new LRUCache({ max: options.maxCached ?? 20_000 });
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? sleepFor;
  }

  async getMany(keys: readonly ConversationKey[]): Promise<Map<string, Result<ConversationBinding>>> {
    const now = this.now();
    const answers = new Map<string, Result<ConversationBinding>>();
    const toRead = new Map<string, ConversationKey>();
    for (const key of keys) {
      const id = conversationKey(key);
      const cached = this.cache.get(id);
      if (cached && cached.until > now) answers.set(id, cached.answer);
      else toRead.set(id, key);
    }
    const ids = [...toRead.keys()];
    const chunks = Array.from({ length: Math.ceil(ids.length / MAX_KEYS_PER_BATCH_GET) }, (_, i) =>
      ids.slice(i * MAX_KEYS_PER_BATCH_GET, (i + 1) * MAX_KEYS_PER_BATCH_GET),
    );
    for (const chunkAnswers of await Promise.all(chunks.map((chunk) => this.readChunk(chunk)))) {
      for (const [id, answer] of chunkAnswers) answers.set(id, answer);
    }
    return answers;
  }

  async bind(binding: ConversationBinding): Promise<Result<ConversationBinding>> {
    const id = conversationKey(binding);
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: toItem(binding),
          // The first binding wins; an expired one (TTL not yet run) may be replaced.
          ConditionExpression: "attribute_not_exists(#key) OR #expiresAt <= :now",
          ExpressionAttributeNames: { "#key": BINDING_KEY_ATTRIBUTE, "#expiresAt": "expiresAt" },
          ExpressionAttributeValues: { ":now": { N: String(Math.floor(binding.createdAt / 1000)) } },
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      return this.remember(id, found(binding));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException) && (error as { name?: string })?.name !== "ConditionalCheckFailedException") {
        throw classifyAwsError(error, `DynamoDB PutItem ${this.options.tableName}`, { ownConfiguration: true });
      }
      const item = (error as ConditionalCheckFailedException).Item ?? (await this.readOne(id));
      const existing = item && fromItem(item);
      // Refused, yet nothing readable is there: TTL deleted it in between. Another attempt will write.
      if (!existing) return failed("now", `binding of ${id} changed while it was written`);
      return this.remember(id, found(existing));
    }
  }

  private async readChunk(ids: string[]): Promise<Map<string, Result<ConversationBinding>>> {
    const { tableName } = this.options;
    const answers = new Map<string, Result<ConversationBinding>>();
    let pending: Record<string, AttributeValue>[] = ids.map((id) => ({ [BINDING_KEY_ATTRIBUTE]: { S: id } }));
    const attempts = this.options.unprocessedAttempts ?? 3;
    for (let attempt = 0; attempt < attempts && pending.length > 0; attempt++) {
      if (attempt > 0) await this.sleep(Math.min(25 * 2 ** attempt, 500) * (0.5 + Math.random() / 2));
      let response;
      try {
        response = await this.client.send(new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }));
      } catch (error) {
        throw classifyAwsError(error, `DynamoDB BatchGetItem ${tableName}`, { ownConfiguration: true });
      }
      for (const item of response.Responses?.[tableName] ?? []) {
        const id = item[BINDING_KEY_ATTRIBUTE]?.S;
        if (!id) continue;
        const binding = fromItem(item);
        if (!binding) this.options.logger?.warn({ conversation: id }, "conversation binding item is malformed; treated as absent");
        answers.set(id, this.remember(id, binding ? found(binding) : notFound("binding item is malformed")));
      }
      // Partial results are normal (throttling, 16 MB): DynamoDB lists what it did not read in UnprocessedKeys.
      pending = response.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
    const unprocessed = new Set(pending.map((key) => key[BINDING_KEY_ATTRIBUTE]?.S));
    for (const id of ids) {
      if (answers.has(id)) continue;
      answers.set(
        id,
        unprocessed.has(id)
          ? failed("later", `DynamoDB BatchGetItem ${tableName} left the key unprocessed after ${attempts} attempts`)
          : this.remember(id, notFound("no binding")),
      );
    }
    return answers;
  }

  private async readOne(id: string): Promise<Record<string, AttributeValue> | undefined> {
    try {
      const response = await this.client.send(
        new GetItemCommand({ TableName: this.options.tableName, Key: { [BINDING_KEY_ATTRIBUTE]: { S: id } }, ConsistentRead: true }),
      );
      return response.Item;
    } catch (error) {
      throw classifyAwsError(error, `DynamoDB GetItem ${this.options.tableName}`, { ownConfiguration: true });
    }
  }

  /** Caches an answer: a binding until it expires (it never changes before), an absence for `absentTtlMs`. */
  private remember(id: string, answer: Result<ConversationBinding>): Result<ConversationBinding> {
    const until = answer.status === "found" ? answer.value.expiresAt : this.now() + (this.options.absentTtlMs ?? 60_000);
    if (until > this.now()) this.cache.set(id, { answer, until });
    return answer;
  }
}

function toItem(binding: ConversationBinding): Record<string, AttributeValue> {
  return {
    [BINDING_KEY_ATTRIBUTE]: { S: conversationKey(binding) },
    trustId: { S: binding.trustId },
    conversationId: { S: binding.conversationId },
    documentVersion: { S: binding.documentVersion },
    documentDigest: { S: binding.documentDigest },
    createdAt: { S: new Date(binding.createdAt).toISOString() },
    expiresAt: { N: String(Math.floor(binding.expiresAt / 1000)) },
  };
}

function fromItem(item: Record<string, AttributeValue>): ConversationBinding | undefined {
  const trustId = item.trustId?.S;
  const conversationId = item.conversationId?.S;
  const documentVersion = item.documentVersion?.S;
  const documentDigest = item.documentDigest?.S;
  const createdAt = Date.parse(item.createdAt?.S ?? "");
  const expiresAt = Number(item.expiresAt?.N) * 1000;
  if (!trustId || !conversationId || !documentVersion || !documentDigest || !Number.isFinite(createdAt) || !Number.isFinite(expiresAt)) return undefined;
  return { trustId, conversationId, documentVersion, documentDigest, createdAt, expiresAt };
}
