import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { Logger } from "pino";
import { TrustConfig, formatIssues } from "@trust-callbacks/schemas";
import type { SubscriptionLookup, SubscriptionSource } from "../core/ports.ts";
import { classifyAwsError, httpStatusOf } from "./aws-errors.ts";

/** Parses and validates a subscription document (a trust config file) for the trust it is stored under. */
export function parseSubscriptionDocument(text: string, trustId: string): SubscriptionLookup & { kind: "found" | "invalid" } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { kind: "invalid", reason: `not JSON: ${(error as Error).message}` };
  }
  const parsed = TrustConfig.safeParse(json);
  if (!parsed.success) return { kind: "invalid", reason: formatIssues(parsed.error) };
  if (parsed.data.trustId !== trustId) {
    return { kind: "invalid", reason: `document is for trust ${parsed.data.trustId}, stored under ${trustId}` };
  }
  return { kind: "found", config: parsed.data, version: "" };
}

interface CachedDocument {
  lookup: SubscriptionLookup;
  etag?: string;
  checkedAt: number;
  /** The last valid version, kept serving if a later upload is broken. */
  lastGood?: SubscriptionLookup & { kind: "found" };
}

export interface S3SubscriptionSourceOptions {
  bucket: string;
  /** Key prefix; a trust's document is `${prefix}${trustId}.json`. */
  prefix: string;
  /** How long a document is used without asking S3 again. */
  ttlMs: number;
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
      const parsed = parseSubscriptionDocument(text, trustId);
      const etag = response.ETag;
      if (parsed.kind === "found") {
        const found = { ...parsed, version: etag ?? "" };
        this.documents.set(trustId, { lookup: found, etag, checkedAt: now, lastGood: found });
        return found;
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
      if (status === 404 || (error as { name?: string }).name === "NoSuchKey") {
        const unknown: SubscriptionLookup = { kind: "unknown" };
        this.documents.set(trustId, { lookup: unknown, checkedAt: now });
        return unknown;
      }
      const classified = classifyAwsError(error, `S3 GetObject ${key}`);
      if (cached?.lastGood && classified.name === "TransientError") {
        // Serve the stale good version rather than stall the shard; try S3 again on the next batch.
        this.options.logger.warn({ trustId, key, error: classified.message }, "S3 unavailable; using cached subscription");
        return cached.lastGood;
      }
      throw classified;
    }
  }
}
