import {
  BatchGetItemCommand,
  DeleteItemCommand,
  PutItemCommand,
  ScanCommand,
  type AttributeValue,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import { LRUCache } from "lru-cache";
import type { Logger } from "pino";
import { HOLD_STATE_MAX_AGE_SECONDS, HoldState, holdKey } from "@trust-callbacks/schemas";
import { failed, found, notFound, TransientError, type Failed, type Result } from "@trust-callbacks/runtime";
import { classifyAwsError } from "@trust-callbacks/runtime/aws";
import type { EndpointRef, HoldStateStore } from "../core/hold-ports.ts";
import { MAX_KEYS_PER_BATCH_GET } from "./dynamodb-bindings.ts";
import { jitteredTtl } from "./refreshing-cache.ts";

/**
 * The holds table's items (docs/adr/0002-holds.md; Terraform `<prefix>-holds`): key `pk` (S) = `holdKey(ODS,
 * endpoint)`; the other attributes are the `HoldState` fields, strings as S and the integers (`drained`, `version`)
 * as N. Every write is conditional on `version`, so two writers never both win.
 */
export const HOLD_KEY_ATTRIBUTE = "pk";

export interface DynamoDbHoldStatesOptions {
  client: DynamoDBClient;
  tableName: string;
  /**
   * The oldest answer `getMany` and `cached` give without asking DynamoDB (seconds, default
   * `HOLD_STATE_MAX_AGE_SECONDS`): an ad-hoc hold or resume reaches every container within it.
   */
  maxAgeSeconds?: number;
  /** Endpoints whose state a container keeps (least recently used go first); 1,000 trusts x 3 endpoints fit. */
  maxCached?: number;
  /** BatchGetItem calls for keys DynamoDB leaves unprocessed before those endpoints answer `failed`. */
  unprocessedAttempts?: number;
  logger?: Logger;
  /** Milliseconds clock (tests pass their own). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

interface Cached {
  answer: Result<HoldState>;
  /** Until when (ms) the answer is used without asking DynamoDB. */
  until: number;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Hold states in DynamoDB (port `HoldStateStore`).
 *
 * Reads: one strongly consistent BatchGetItem per 100 endpoints not cached (BatchGetItem takes at most 100 keys:
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html), keys DynamoDB leaves in
 * `UnprocessedKeys` (throttling, size: same page) asked again with backoff, then answered `failed`. Found items and
 * absences are cached together, each until a jittered age that never passes `maxAgeSeconds`: unlike
 * `refreshingCache`, whose stale-while-revalidate would serve an entry past its age, an entry here is never used
 * older than the bound the ADR promises (a `hold` reaches every container within 20 s). A failed read is never cached.
 *
 * Writes: PutItem conditional on the version read (`attribute_not_exists(pk)` for a new item), DeleteItem
 * conditional on it; a failed condition answers `not-found` (someone else wrote first), and every answer updates
 * this container's cache. `list`: a paginated consistent Scan (`LastEvaluatedKey`:
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html).
 *
 * Errors: `classifyAwsError(..., { ownConfiguration: true })` (a refusal by our own IAM or key policy is retried);
 * transient answers `failed("now")`, anything else `failed("later")`: nothing DynamoDB says about our own table is
 * a reason to give up a delivery. A malformed item answers `failed("later")` (and is logged): the core does not
 * send a delivery on a guess about its endpoint's hold.
 */
export class DynamoDbHoldStates implements HoldStateStore {
  private readonly cache: LRUCache<string, Cached>;
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly options: DynamoDbHoldStatesOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.maxAgeMs = (options.maxAgeSeconds ?? HOLD_STATE_MAX_AGE_SECONDS) * 1000;
    this.cache = new LRUCache({ max: options.maxCached ?? 10_000 });
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? sleepFor;
    this.random = options.random ?? Math.random;
  }

  cached(endpoint: EndpointRef): Result<HoldState> | undefined {
    const entry = this.cache.get(holdKey(endpoint.trustId, endpoint.endpointId));
    return entry && entry.until > this.now() ? entry.answer : undefined;
  }

  async getMany(endpoints: readonly EndpointRef[]): Promise<Map<string, Result<HoldState>>> {
    const answers = new Map<string, Result<HoldState>>();
    const uncached = new Set<string>();
    for (const endpoint of endpoints) {
      const key = holdKey(endpoint.trustId, endpoint.endpointId);
      if (answers.has(key) || uncached.has(key)) continue;
      const hit = this.cached(endpoint);
      if (hit) answers.set(key, hit);
      else uncached.add(key);
    }
    const toRead = [...uncached];
    const chunks = Array.from({ length: Math.ceil(toRead.length / MAX_KEYS_PER_BATCH_GET) }, (_, i) =>
      toRead.slice(i * MAX_KEYS_PER_BATCH_GET, (i + 1) * MAX_KEYS_PER_BATCH_GET),
    );
    for (const chunkAnswers of await Promise.all(chunks.map((chunk) => this.readChunk(chunk)))) {
      for (const [key, answer] of chunkAnswers) answers.set(key, answer);
    }
    return answers;
  }

  async put(state: HoldState, expectedVersion: number | undefined): Promise<Result<HoldState>> {
    const key = holdKey(state.trustId, state.endpointId);
    const parsed = HoldState.safeParse({ ...state, version: (expectedVersion ?? 0) + 1 });
    if (!parsed.success) return failed("never", `hold state of ${key} is not valid: ${parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}`);
    const written = parsed.data;
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toItem(written),
          ...(expectedVersion === undefined
            ? { ConditionExpression: "attribute_not_exists(#pk)", ExpressionAttributeNames: { "#pk": HOLD_KEY_ATTRIBUTE } }
            : {
                ConditionExpression: "#version = :expected",
                ExpressionAttributeNames: { "#version": "version" },
                ExpressionAttributeValues: { ":expected": { N: String(expectedVersion) } },
              }),
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) {
        this.cache.delete(key); // someone else wrote: the next read asks DynamoDB
        return notFound(expectedVersion === undefined ? `${key} has a hold already` : `${key} is no longer at version ${expectedVersion}`);
      }
      return this.failure(error, `DynamoDB PutItem ${this.tableName}`);
    }
    return this.remember(key, found(written));
  }

  async delete(endpoint: EndpointRef, expectedVersion: number): Promise<Result<EndpointRef>> {
    const key = holdKey(endpoint.trustId, endpoint.endpointId);
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: { [HOLD_KEY_ATTRIBUTE]: { S: key } },
          ConditionExpression: "#version = :expected",
          ExpressionAttributeNames: { "#version": "version" },
          ExpressionAttributeValues: { ":expected": { N: String(expectedVersion) } },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) {
        this.cache.delete(key);
        return notFound(`${key} is not at version ${expectedVersion}`);
      }
      return this.failure(error, `DynamoDB DeleteItem ${this.tableName}`);
    }
    this.remember(key, notFound(`no hold for ${key}`));
    return found(endpoint);
  }

  async list(): Promise<Result<HoldState[]>> {
    const states: HoldState[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new ScanCommand({ TableName: this.tableName, ConsistentRead: true, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
        );
      } catch (error) {
        return this.failure(error, `DynamoDB Scan ${this.tableName}`);
      }
      for (const item of page.Items ?? []) {
        const state = fromItem(item);
        if (state.status === "found") states.push(state.value);
        else this.options.logger?.warn({ holdKey: item[HOLD_KEY_ATTRIBUTE]?.S, reason: state.reason }, "hold state item is malformed; left out of the list");
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return found(states);
  }

  private async readChunk(keys: string[]): Promise<Map<string, Result<HoldState>>> {
    const answers = new Map<string, Result<HoldState>>();
    let pending: Record<string, AttributeValue>[] = keys.map((key) => ({ [HOLD_KEY_ATTRIBUTE]: { S: key } }));
    const attempts = this.options.unprocessedAttempts ?? 3;
    for (let attempt = 0; attempt < attempts && pending.length > 0; attempt++) {
      if (attempt > 0) await this.sleep(Math.min(25 * 2 ** attempt, 500) * (0.5 + this.random() / 2));
      let response;
      try {
        response = await this.client.send(
          new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }),
        );
      } catch (error) {
        const failure = this.failure(error, `DynamoDB BatchGetItem ${this.tableName}`);
        for (const key of keys) if (!answers.has(key)) answers.set(key, failure);
        return answers;
      }
      for (const item of response.Responses?.[this.tableName] ?? []) {
        const key = item[HOLD_KEY_ATTRIBUTE]?.S;
        if (!key) continue;
        const state = fromItem(item);
        if (state.status === "failed") this.options.logger?.warn({ holdKey: key, reason: state.reason }, "hold state item is malformed; its deliveries are retried");
        answers.set(key, state.status === "found" ? this.remember(key, state) : state);
      }
      // Partial results are normal (throttling, 16 MB): DynamoDB lists what it did not read in UnprocessedKeys.
      pending = response.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    const unprocessed = new Set(pending.map((key) => key[HOLD_KEY_ATTRIBUTE]?.S));
    for (const key of keys) {
      if (answers.has(key)) continue;
      answers.set(
        key,
        unprocessed.has(key)
          ? failed("now", `DynamoDB BatchGetItem ${this.tableName} left ${key} unprocessed after ${attempts} attempts`)
          : this.remember(key, notFound(`no hold for ${key}`)),
      );
    }
    return answers;
  }

  /** Caches an answer for a jittered age within [2/3, 1] x the bound: never served older than `maxAgeSeconds`. */
  private remember<T extends Result<HoldState>>(key: string, answer: T): T {
    this.cache.set(key, { answer, until: this.now() + jitteredTtl(this.maxAgeMs / 1.2, this.random) });
    return answer;
  }

  private failure(error: unknown, what: string): Failed {
    const classified = classifyAwsError(error, what, { ownConfiguration: true });
    return failed(classified instanceof TransientError ? "now" : "later", classified.message);
  }
}

const isConditionFailure = (error: unknown): boolean => (error as { name?: string } | undefined)?.name === "ConditionalCheckFailedException";

function toItem(state: HoldState): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = { [HOLD_KEY_ATTRIBUTE]: { S: holdKey(state.trustId, state.endpointId) } };
  for (const [name, value] of Object.entries(state)) {
    if (typeof value === "number") item[name] = { N: String(value) };
    else if (typeof value === "string") item[name] = { S: value };
  }
  return item;
}

function fromItem(item: Record<string, AttributeValue>): Result<HoldState> {
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) {
    if (name === HOLD_KEY_ATTRIBUTE) continue;
    if (value.S !== undefined) fields[name] = value.S;
    else if (value.N !== undefined) fields[name] = Number(value.N);
    else fields[name] = value; // an attribute of another type: the schema refuses it
  }
  const parsed = HoldState.safeParse(fields);
  if (!parsed.success) return failed("later", `hold state item is malformed: ${parsed.error.issues.map((issue) => issue.path.join(".") || "item").join(", ")}`);
  if (holdKey(parsed.data.trustId, parsed.data.endpointId) !== item[HOLD_KEY_ATTRIBUTE]?.S) return failed("later", "hold state item's key does not match its trust and endpoint");
  return found(parsed.data);
}
