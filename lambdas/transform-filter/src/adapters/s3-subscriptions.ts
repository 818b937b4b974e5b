import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { Logger } from "pino";
import { describeTrustFileIssue, parseTrustFile, type TrustFileIssue } from "@trust-callbacks/schemas";
import type { Subscription, SubscriptionLookup, SubscriptionSource } from "../core/ports.ts";
import { failed, found, notFound, type Failed, type Found } from "@trust-callbacks/runtime";
import { classifyAwsError, httpStatusOf, isMissingObject } from "@trust-callbacks/runtime/aws";

/**
 * A subscription document (a trust config file, uploaded unchanged) read with the one trust-file parser,
 * for the trust it is stored under: found, or failed for good with the problems in one line.
 */
export function readSubscriptionDocument(text: string, key: string, trustId: string): Found<Subscription> | Failed {
  const parsed = parseTrustFile(text, { file: key, expectedTrustId: trustId });
  if (parsed.status === "valid") return found({ config: parsed.config, version: "" });
  return failed("never", parsed.issues.map(describeIssue).join("; "));
}

/** How the Lambda words a document's problem (a reason in the quarantine and the log). */
function describeIssue(issue: TrustFileIssue): string {
  if (issue.code === "not-json") return `not JSON: ${issue.message}`;
  if (issue.code === "wrong-trust" && issue.trustIds) return `document is for trust ${issue.trustIds.inFile}, stored under ${issue.trustIds.expected}`;
  return describeTrustFileIssue(issue);
}

/** How long past its TTL a subscription document or index that cannot be revalidated is still served, by default. */
export const DEFAULT_MAX_STALE_MS = 5 * 60_000;

interface CachedDocument {
  lookup: SubscriptionLookup;
  etag?: string;
  checkedAt: number;
  /** The last valid version, kept serving if a later upload is broken. */
  lastGood?: Found<Subscription>;
}

export interface S3SubscriptionSourceOptions {
  bucket: string;
  /** Key prefix; a trust's document is `${prefix}${trustId}.json`. */
  prefix: string;
  /** How long a document is used without asking S3 again. */
  ttlMs: number;
  /** How long past `ttlMs` the last good version is served while S3 cannot be read (default 5 minutes). */
  maxStaleMs?: number;
  logger: Logger;
  now?: () => number;
}

/**
 * Subscription documents from S3, cached per trust. After the TTL it revalidates with a conditional
 * GET (If-None-Match), so an unchanged document costs a 304 and no body. A broken upload never
 * replaces a good version already in use; it is reported instead.
 */
export class S3SubscriptionSource implements SubscriptionSource {
  private readonly documents = new Map<string, CachedDocument>();
  private readonly now: () => number;

  constructor(
    private readonly s3: S3Client,
    private readonly options: S3SubscriptionSourceOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async get(trustId: string): Promise<SubscriptionLookup> {
    const cached = this.documents.get(trustId);
    const now = this.now();
    if (cached && now - cached.checkedAt < this.options.ttlMs) return cached.lookup;

    const key = `${this.options.prefix}${trustId}.json`;
    try {
      const response = await this.s3.send(
        new GetObjectCommand({
          Bucket: this.options.bucket,
          Key: key,
          ...(cached?.etag ? { IfNoneMatch: cached.etag } : {}),
        }),
      );
      const text = (await response.Body?.transformToString("utf8")) ?? "";
      const parsed = readSubscriptionDocument(text, key, trustId);
      const etag = response.ETag;
      if (parsed.status === "found") {
        const current = found({ ...parsed.value, version: etag ?? "" });
        this.documents.set(trustId, { lookup: current, etag, checkedAt: now, lastGood: current });
        return current;
      }
      this.options.logger.error({ trustId, key, reason: parsed.reason }, "subscription document is invalid");
      const lookup = cached?.lastGood ?? parsed;
      this.documents.set(trustId, { lookup, etag, checkedAt: now, ...(cached?.lastGood ? { lastGood: cached.lastGood } : {}) });
      return lookup;
    } catch (error) {
      const status = httpStatusOf(error);
      if (status === 304 && cached) {
        cached.checkedAt = now;
        return cached.lookup;
      }
      if (isMissingObject(error)) {
        const unknown = notFound("no subscription document");
        this.documents.set(trustId, { lookup: unknown, checkedAt: now });
        return unknown;
      }
      const classified = classifyAwsError(error, `S3 GetObject ${key}`, { ownConfiguration: true });
      // Stale service is bounded (docs/guarantees.md 1.6): past it, the records are handed back instead.
      const withinBound = cached !== undefined && now - cached.checkedAt < this.options.ttlMs + (this.options.maxStaleMs ?? DEFAULT_MAX_STALE_MS);
      if (cached?.lastGood && classified.name === "TransientError" && withinBound) {
        // Serve the stale good version rather than stall the shard; try S3 again on the next batch.
        this.options.logger.warn({ trustId, key, error: classified.message }, "S3 unavailable; using cached subscription");
        return cached.lastGood;
      }
      throw classified;
    }
  }
}
