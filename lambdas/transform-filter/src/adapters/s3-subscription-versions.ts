import { createHash } from "node:crypto";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { LRUCache } from "lru-cache";
import type { Subscription, SubscriptionLookup, SubscriptionVersionSource } from "../core/ports.ts";
import { failed, found, notFound, type Failed, type Found } from "@trust-callbacks/runtime";
import { classifyAwsError, isMissingObject } from "@trust-callbacks/runtime/aws";
import { readSubscriptionDocument } from "./s3-subscriptions.ts";

export interface S3SubscriptionVersionsOptions {
  bucket: string;
  /** Key prefix of the documents; a trust's is `${prefix}${trustId}.json` (as Terraform uploads it). */
  prefix: string;
  /** How many versions a container keeps (least recently used go first). */
  maxVersions?: number;
}

/**
 * Past versions of subscription documents, read by S3 version id (GetObject with VersionId, which needs
 * s3:GetObjectVersion: Amazon S3 API Reference, GetObject, https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html).
 * A version's bytes never change, so each is read once per container and kept (bounded) without revalidation.
 * The bytes must hash to the digest the binding recorded; anything else is refused for good.
 */
export class S3SubscriptionVersions implements SubscriptionVersionSource {
  private readonly cache: LRUCache<string, Found<Subscription> | Failed>;

  constructor(
    private readonly s3: S3Client,
    private readonly options: S3SubscriptionVersionsOptions,
  ) {
    this.cache = new LRUCache({ max: options.maxVersions ?? 200 });
  }

  async getVersion(trustId: string, version: string, digest: string): Promise<SubscriptionLookup> {
    const cacheKey = `${trustId}#${version}#${digest}`;
    const cached = this.cache.get(cacheKey);
    if (cached) return cached;
    const key = `${this.options.prefix}${trustId}.json`;
    try {
      const response = await this.s3.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key, VersionId: version }));
      const text = (await response.Body?.transformToString("utf8")) ?? "";
      const actual = createHash("sha256").update(text).digest("hex");
      const parsed = readSubscriptionDocument(text, key, trustId);
      const lookup: Found<Subscription> | Failed =
        actual !== digest
          ? failed("never", `version ${version} of ${key} does not have the bound digest`)
          : parsed.status === "found"
            ? found({ ...parsed.value, version, digest })
            : parsed;
      this.cache.set(cacheKey, lookup);
      return lookup;
    } catch (error) {
      // The version was deleted (lifecycle: config_noncurrent_version_days) or never existed: not found, for good.
      if (isMissingObject(error)) return notFound(`version ${version} of ${key} no longer exists`);
      throw classifyAwsError(error, `S3 GetObject ${key} version ${version}`, { ownConfiguration: true });
    }
  }
}
