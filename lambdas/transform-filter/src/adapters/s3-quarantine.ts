import { createHash } from "node:crypto";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { ODS_CODE_PATTERN } from "@trust-callbacks/schemas";
import type { QuarantineSink, QuarantinedRecord } from "../core/ports.ts";
import { classifyAwsError } from "@trust-callbacks/runtime/aws";

/**
 * Where a quarantined record is stored: `${prefix}YYYY/MM/DD/<trust or _unknown>/<eventID>.json`.
 * Day first so support staff can list a day; the Kinesis eventID makes the key unique and idempotent.
 */
export function quarantineKey(prefix: string, entry: QuarantinedRecord): string {
  const day = entry.quarantinedAt.slice(0, 10).replaceAll("-", "/");
  const trust = entry.trustId && ODS_CODE_PATTERN.test(entry.trustId) ? entry.trustId : "_unknown";
  const id = /^[A-Za-z0-9:._-]{1,200}$/.test(entry.eventID)
    ? entry.eventID.replaceAll(":", "_")
    : createHash("sha256").update(JSON.stringify(entry.record) ?? "").digest("hex");
  return `${prefix}${day}/${trust}/${id}.json`;
}

export class S3QuarantineSink implements QuarantineSink {
  constructor(
    private readonly s3: S3Client,
    private readonly options: { bucket: string; prefix: string },
  ) {}

  async put(entry: QuarantinedRecord): Promise<void> {
    const key = quarantineKey(this.options.prefix, entry);
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.options.bucket,
          Key: key,
          Body: JSON.stringify(entry),
          ContentType: "application/json",
        }),
      );
    } catch (error) {
      throw classifyAwsError(error, `S3 PutObject ${key}`, { ownConfiguration: true });
    }
  }
}
