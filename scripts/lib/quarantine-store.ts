import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { writePrivateFile } from "./private-files.ts";
import { join, relative } from "node:path";
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import type { QuarantinedRecord } from "@trust-callbacks/transform-filter";
import { quarantineKey } from "@trust-callbacks/transform-filter/aws";

/** A quarantined object and where it is kept (S3 key, or a path under the local quarantine directory). */
export interface QuarantinedObject {
  key: string;
  entry: QuarantinedRecord;
}

/** Which quarantined records to look at: a trust's, quarantined in the window, optionally with a reason containing `reason`. */
export interface QuarantineSelection {
  trustId: string;
  since: Date;
  until: Date;
  reason?: string;
}

/** The quarantine as the replay sees it: list what is selected, remove one object once its record is back on the stream. */
export interface QuarantineStore {
  readonly location: string;
  list(selection: QuarantineSelection): AsyncIterable<QuarantinedObject>;
  remove(key: string): Promise<void>;
}

/** The day folders (`YYYY/MM/DD/`) a window spans: the quarantine key starts with the day (adapters/s3-quarantine.ts). */
export function dayPrefixes(since: Date, until: Date): string[] {
  const days: string[] = [];
  const day = new Date(Date.UTC(since.getUTCFullYear(), since.getUTCMonth(), since.getUTCDate()));
  for (; day.getTime() <= until.getTime(); day.setUTCDate(day.getUTCDate() + 1)) days.push(`${day.toISOString().slice(0, 10).replaceAll("-", "/")}/`);
  return days;
}

export const selectsQuarantinedObject = (entry: QuarantinedRecord, selection: QuarantineSelection): boolean => {
  const at = Date.parse(entry.quarantinedAt);
  return (
    entry.trustId === selection.trustId &&
    at >= selection.since.getTime() &&
    at <= selection.until.getTime() &&
    (!selection.reason || entry.reason.toLowerCase().includes(selection.reason.toLowerCase()))
  );
};

/**
 * The deployed quarantine: `s3://<bucket>/<prefix>YYYY/MM/DD/<trust>/<eventID>.json`. ListObjectsV2 per day of
 * the window (continuation tokens followed), GetObject for each, DeleteObject after its record was accepted.
 * S3 API Reference, "ListObjectsV2": https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 */
export class S3QuarantineStore implements QuarantineStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly prefix = "quarantine/",
  ) {}

  get location(): string {
    return `s3://${this.bucket}/${this.prefix}`;
  }

  async *list(selection: QuarantineSelection): AsyncIterable<QuarantinedObject> {
    for (const day of dayPrefixes(selection.since, selection.until)) {
      let ContinuationToken: string | undefined;
      do {
        const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${this.prefix}${day}${selection.trustId}/`, ContinuationToken }));
        for (const object of page.Contents ?? []) {
          const body = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: object.Key! }));
          const entry = JSON.parse(await body.Body!.transformToString()) as QuarantinedRecord;
          if (selectsQuarantinedObject(entry, selection)) yield { key: object.Key!, entry };
        }
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
    }
  }

  async remove(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }
}

/** The local pipeline's quarantine directory (`.local/quarantine/`), laid out like the S3 prefix. */
export class FileQuarantineStore implements QuarantineStore {
  constructor(readonly location: string) {}

  /**
   * Writes one quarantined record where the S3 sink would (the local pipeline's quarantine sink), and never over
   * another: the local stream numbers its records from 1 on each run, so a record quarantined again (or by a later
   * run) has the key of one perhaps not yet replayed. The second takes `<key>-2.json`, and so on (promise 7.1).
   */
  static write(dir: string, entry: QuarantinedRecord): string {
    const base = quarantineKey("", entry).replace(/\.json$/, "");
    for (let n = 1; ; n++) {
      const key = n === 1 ? `${base}.json` : `${base}-${n}.json`;
      try {
        writePrivateFile(join(dir, key), JSON.stringify(entry, null, 2), { exclusive: true }); // docs/guarantees.md 6.1
        return key;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
    }
  }

  async *list(selection: QuarantineSelection): AsyncIterable<QuarantinedObject> {
    for (const day of dayPrefixes(selection.since, selection.until)) {
      const dir = join(this.location, day, selection.trustId);
      if (!existsSync(dir)) continue;
      for (const name of readdirSync(dir).filter((n) => n.endsWith(".json")).sort()) {
        const file = join(dir, name);
        const entry = JSON.parse(readFileSync(file, "utf8")) as QuarantinedRecord;
        if (selectsQuarantinedObject(entry, selection)) yield { key: relative(this.location, file), entry };
      }
    }
  }

  async remove(key: string): Promise<void> {
    rmSync(join(this.location, key));
  }
}
