import { createHash } from "node:crypto";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { Logger } from "pino";
import { z } from "zod";
import { TransientError, describeError } from "../core/errors.ts";
import type { Subscription, SubscriptionLookup, SubscriptionSource } from "../core/ports.ts";
import { failed, found, notFound, type Failed, type Found } from "../core/result.ts";
import { classifyAwsError, httpStatusOf, isMissingObject } from "./aws-errors.ts";
import { jitteredTtl } from "./refreshing-cache.ts";
import { DEFAULT_MAX_STALE_MS, readSubscriptionDocument } from "./s3-subscriptions.ts";

/** subscriptions/index.json as Terraform writes it (infrastructure/terraform/root/main.tf). */
const SubscriptionIndex = z.object({
  version: z.literal(1),
  trusts: z.record(z.string(), z.object({ key: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/), eventBus: z.string().min(1) })),
});
type IndexEntry = z.infer<typeof SubscriptionIndex>["trusts"][string];

export interface S3IndexedSubscriptionSourceOptions {
  bucket: string;
  /** Key of the index object, e.g. subscriptions/index.json. */
  indexKey: string;
  /** How long the index is used before it is revalidated (in the background, jittered ±20%). */
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
  trusts: Map<string, IndexEntry>;
  etag?: string;
  expiresAt: number;
}

/**
 * Subscription documents through the deployment's index: one object lists every trust's document with its
 * SHA-256 and bus. Freshness costs one conditional GET of the index per TTL per container, whatever the number of
 * trusts, and it is revalidated in the background while batches use the current one (stale-while-revalidate);
 * a document is fetched only when its digest in the index changes. Only a cold container waits for the index.
 */
export class S3IndexedSubscriptionSource implements SubscriptionSource {
  private index?: CachedIndex;
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
        throw new TransientError(`subscription index ${this.options.indexKey} is stale past its bound and could not be revalidated: ${describeError(error)}`);
      }
      if (this.now() >= this.index!.expiresAt) throw new TransientError(`subscription index ${this.options.indexKey} could not be revalidated`);
      return this.index!;
    }
    if (this.now() >= this.index.expiresAt && !this.loading) {
      this.loading = this.loadIndex()
        .catch((error: unknown) => this.options.logger.warn({ key: this.options.indexKey, error: String(error) }, "subscription index not revalidated; using the cached one"))
        .finally(() => (this.loading = undefined));
    }
    return this.index;
  }

  private async loadIndex(): Promise<void> {
    const { bucket, indexKey, ttlMs } = this.options;
    const expiresAt = this.now() + jitteredTtl(ttlMs, this.random);
    try {
      const response = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: indexKey, ...(this.index?.etag ? { IfNoneMatch: this.index.etag } : {}) }));
      const text = (await response.Body?.transformToString("utf8")) ?? "";
      let parsed: z.infer<typeof SubscriptionIndex>;
      try {
        parsed = SubscriptionIndex.parse(JSON.parse(text));
      } catch (error) {
        // A broken index is a deployment fault: keep the one in use; a cold container hands its records back.
        this.options.logger.error({ key: indexKey, error: String(error) }, "subscription index is invalid");
        if (this.index) return void (this.index.expiresAt = expiresAt);
        throw new TransientError(`subscription index ${indexKey} is invalid`);
      }
      this.index = { trusts: new Map(Object.entries(parsed.trusts)), etag: response.ETag, expiresAt };
    } catch (error) {
      if (httpStatusOf(error) === 304 && this.index) {
        this.index.expiresAt = expiresAt;
        return;
      }
      throw classifyAwsError(error, `S3 GetObject ${indexKey}`, { ownConfiguration: true });
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
