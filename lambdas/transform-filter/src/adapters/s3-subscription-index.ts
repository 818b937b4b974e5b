import { createHash } from "node:crypto";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { Logger } from "pino";
import { z } from "zod";
import { TransientError, describeError } from "@trust-callbacks/runtime";
import type { Subscription, SubscriptionLookup, SubscriptionSource } from "../core/ports.ts";
import { failed, found, notFound, type Failed, type Found } from "@trust-callbacks/runtime";
import { classifyAwsError, httpStatusOf, isMissingObject } from "@trust-callbacks/runtime/aws";
import { jitteredTtl } from "./refreshing-cache.ts";
import { DEFAULT_MAX_STALE_MS, readSubscriptionDocument } from "./s3-subscriptions.ts";

/** One bus's index shard as its trusts stack writes it (infrastructure/terraform/stacks/trusts/main.tf). */
const SubscriptionIndex = z.object({
  version: z.literal(1),
  trusts: z.record(z.string(), z.object({ key: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/), eventBus: z.string().min(1) })),
});
type IndexEntry = z.infer<typeof SubscriptionIndex>["trusts"][string];

export interface S3IndexedSubscriptionSourceOptions {
  bucket: string;
  /** Keys of the index shards, one per callbacks bus (the pipeline stack lists them), e.g. subscriptions/index/bus-0.json. */
  indexKeys: readonly string[];
  /** How long the shards are used before they are revalidated (in the background, jittered ±20%). */
  ttlMs: number;
  /**
   * How long past its TTL an index that cannot be revalidated is still served (default 5 minutes). Past it, `get`
   * waits for a revalidation and, if S3 still does not answer, fails transient: records are handed back, never
   * routed on an index that may have switched a trust off since (docs/guarantees.md 1.6).
   */
  maxStaleMs?: number;
  logger: Logger;
  now?: () => number;
  random?: () => number;
}

interface CachedIndex {
  /** Every shard's trusts, merged: a trust listed in two shards (a move under way) keeps the first listed shard's entry. */
  trusts: Map<string, IndexEntry>;
  expiresAt: number;
}

/** What one shard held when last read; absent: not written yet (a bus whose trusts stack has not applied). */
interface CachedShard {
  trusts: Map<string, IndexEntry>;
  etag?: string;
}

/**
 * Subscription documents through the deployment's index, one shard per callbacks bus (docs/guarantees.md 8.11):
 * each lists its bus's trusts' documents with their SHA-256 and bus. Freshness costs one conditional GET per shard
 * per TTL per container, whatever the number of trusts, revalidated in the background while batches use the current
 * ones (stale-while-revalidate); a document is fetched only when its digest changes. Only a cold container waits.
 */
export class S3IndexedSubscriptionSource implements SubscriptionSource {
  private index?: CachedIndex;
  private readonly shards = new Map<string, CachedShard>();
  private loading?: Promise<void>;
  private readonly documents = new Map<string, { sha256: string; lookup: Found<Subscription> | Failed }>();
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(
    private readonly s3: S3Client,
    private readonly options: S3IndexedSubscriptionSourceOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  async get(trustId: string): Promise<SubscriptionLookup> {
    const index = await this.currentIndex();
    const entry = index.trusts.get(trustId);
    if (!entry) return notFound("no subscription document");
    const cached = this.documents.get(trustId);
    if (cached?.sha256 === entry.sha256) return cached.lookup;
    return this.fetchDocument(trustId, entry);
  }

  /** The lookup `get` would answer, while the index is fresh and the trust's document is cached; undefined otherwise. */
  cached(trustId: string): SubscriptionLookup | undefined {
    // A cold or stale index: `get` loads it or starts its revalidation.
    if (!this.index || this.now() >= this.index.expiresAt) return undefined;
    const entry = this.index.trusts.get(trustId);
    if (!entry) return notFound("no subscription document");
    const cached = this.documents.get(trustId);
    return cached?.sha256 === entry.sha256 ? cached.lookup : undefined;
  }

  /**
   * The index to use now: a cold container waits for it; a stale one starts a background revalidation; one stale
   * past `maxStaleMs` is waited for like a cold one, and its failure is the caller's.
   */
  private async currentIndex(): Promise<CachedIndex> {
    const tooStale = this.index && this.now() >= this.index.expiresAt + (this.options.maxStaleMs ?? DEFAULT_MAX_STALE_MS);
    if (!this.index || tooStale) {
      this.loading ??= this.loadIndex().finally(() => (this.loading = undefined));
      try {
        await this.loading;
      } catch (error) {
        if (!tooStale) throw error;
        throw new TransientError(`subscription index ${this.options.indexKeys.join(", ")} is stale past its bound and could not be revalidated: ${describeError(error)}`);
      }
      if (this.now() >= this.index!.expiresAt) throw new TransientError(`subscription index ${this.options.indexKeys.join(", ")} could not be revalidated`);
      return this.index!;
    }
    if (this.now() >= this.index.expiresAt && !this.loading) {
      this.loading = this.loadIndex()
        .catch((error: unknown) => this.options.logger.warn({ keys: this.options.indexKeys, error: String(error) }, "subscription index not revalidated; using the cached one"))
        .finally(() => (this.loading = undefined));
    }
    return this.index;
  }

  /** Reads every shard (each conditionally on its ETag) and merges them; rejects if any shard could not be read. */
  private async loadIndex(): Promise<void> {
    const { indexKeys, ttlMs } = this.options;
    const expiresAt = this.now() + jitteredTtl(ttlMs, this.random);
    const results = await Promise.allSettled(indexKeys.map((key) => this.loadShard(key)));
    const failure = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
    // A warm container keeps what it holds of a shard it could not read; a cold one hands its records back.
    if (failure && !this.index) throw failure.reason;
    const trusts = new Map<string, IndexEntry>();
    for (const key of indexKeys) {
      for (const [trustId, entry] of this.shards.get(key)?.trusts ?? []) {
        const kept = trusts.get(trustId);
        if (kept) {
          if (kept.eventBus !== entry.eventBus) this.options.logger.warn({ trustId, kept: kept.eventBus, ignored: entry.eventBus, key }, "trust listed in two index shards; using the first");
          continue;
        }
        trusts.set(trustId, entry);
      }
    }
    // A shard that could not be read keeps the old expiry: the next batch tries again (in the background).
    this.index = { trusts, expiresAt: failure ? this.index!.expiresAt : expiresAt };
    if (failure) throw failure.reason;
  }

  private async loadShard(key: string): Promise<void> {
    const cached = this.shards.get(key);
    try {
      const response = await this.s3.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key, ...(cached?.etag ? { IfNoneMatch: cached.etag } : {}) }));
      const text = (await response.Body?.transformToString("utf8")) ?? "";
      let parsed: z.infer<typeof SubscriptionIndex>;
      try {
        parsed = SubscriptionIndex.parse(JSON.parse(text));
      } catch (error) {
        // A broken shard is a deployment fault: keep the one in use; a cold container hands its records back.
        this.options.logger.error({ key, error: String(error) }, "subscription index is invalid");
        throw new TransientError(`subscription index ${key} is invalid`);
      }
      this.shards.set(key, { trusts: new Map(Object.entries(parsed.trusts)), etag: response.ETag });
    } catch (error) {
      if (error instanceof TransientError) throw error;
      if (httpStatusOf(error) === 304 && cached) return;
      // Not written yet: that bus's trusts stack has not applied, so none of its trusts has rules or a document yet.
      // S3 answers 404 for a missing key only because the Lambda may list the subscriptions prefix (s3:ListBucket;
      // otherwise 403): https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html ("Permissions").
      if (isMissingObject(error)) return void this.shards.delete(key);
      throw classifyAwsError(error, `S3 GetObject ${key}`, { ownConfiguration: true });
    }
  }

  private async fetchDocument(trustId: string, entry: IndexEntry): Promise<SubscriptionLookup> {
    try {
      const response = await this.s3.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: entry.key }));
      const text = (await response.Body?.transformToString("utf8")) ?? "";
      const parsed = readSubscriptionDocument(text, entry.key, trustId);
      const digest = createHash("sha256").update(text).digest("hex");
      // A conversation binding names the S3 version id and the digest of what was read (see core/stages/route.ts);
      // without a version id (an unversioned bucket) there is nothing to bind to, so no digest is given.
      const lookup =
        parsed.status === "found"
          ? found({ ...parsed.value, version: response.VersionId ?? response.ETag ?? "", eventBus: entry.eventBus, ...(response.VersionId ? { digest } : {}) })
          : parsed;
      if (lookup.status === "failed") this.options.logger.error({ trustId, key: entry.key, reason: lookup.reason }, "subscription document is invalid");
      // Remembered under the digest of what was read: a document newer than the index is read again once the index catches up.
      this.documents.set(trustId, { sha256: digest, lookup });
      return lookup;
    } catch (error) {
      // Listed but absent: the index and the documents are mid-deploy. Retry; never filter on a guess.
      if (isMissingObject(error)) return failed("later", `subscription document ${entry.key} is listed in the index but missing`);
      throw classifyAwsError(error, `S3 GetObject ${entry.key}`, { ownConfiguration: true });
    }
  }
}
