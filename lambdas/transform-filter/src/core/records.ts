import { isUtf8 } from "node:buffer";
import { PlatformEvent, decodeBase64, issueField } from "@trust-callbacks/schemas";
import type { z } from "zod";
import { loneSurrogatePath, replacementCharacterPath } from "./i-json.ts";
import { failed, found, type Failed, type Found } from "@trust-callbacks/runtime";

/** One Kinesis record as an EventBridge Pipe hands it to its Lambda target (a flat object, no `kinesis` wrapper). */
export interface PipeKinesisRecord {
  eventID: string;
  data: string;
  partitionKey?: string;
  sequenceNumber?: string;
  approximateArrivalTimestamp?: number;
  eventSourceARN?: string;
  [other: string]: unknown;
}

/** A record that is no platform event, with what could be read of its trust and event ids, for the quarantine. */
export type UndecodableRecord = Failed & { trustId?: string; sourceEventId?: string };
/** What decoding one record's data gives: its platform event, or why it holds none (`decodeRecord`). */
export type RecordDecoding = Found<PlatformEvent> | UndecodableRecord;

const undecodable = (reason: string, hints: { trustId?: string; sourceEventId?: string } = {}): UndecodableRecord => ({
  ...failed("never", reason),
  ...hints,
});

/** Kinesis caps a record at 1 MiB; anything larger did not come from the stream. */
const MAX_DATA_BASE64_LENGTH = Math.ceil((1024 * 1024) / 3) * 4;

/** base64 → UTF-8 JSON → a validated PlatformEvent, or the reason it is not one (a failure that retrying cannot cure). */
export function decodeRecord(record: PipeKinesisRecord): RecordDecoding {
  const { data } = record;
  if (typeof data !== "string" || data.length === 0) return undecodable("record has no data");
  if (data.length > MAX_DATA_BASE64_LENGTH) return undecodable("record data exceeds 1 MiB");
  const bytes = decodeBase64(data);
  if (!bytes) return undecodable("record data is not base64");

  // Never a U+FFFD in place of bytes that are not UTF-8 (docs/guarantees.md 3.1): such a record is quarantined.
  if (!isUtf8(bytes)) return undecodable(`record data is not valid UTF-8${invalidUtf8Where(bytes)}`);
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch {
    // Not the parser's message: it quotes the input, which may be clinical text, into logs and the quarantine reason.
    return undecodable("record data is not valid JSON");
  }
  const parsed = PlatformEvent.safeParse(json);
  if (!parsed.success) {
    const hint = json !== null && typeof json === "object" ? (json as Record<string, unknown>) : {};
    return undecodable(`event does not match the schema: ${describeEventIssues(parsed.error)}`.slice(0, 2000), {
      ...(typeof hint.trustId === "string" ? { trustId: hint.trustId.slice(0, 16) } : {}),
      ...(typeof hint.eventId === "string" ? { sourceEventId: hint.eventId.slice(0, 64) } : {}),
    });
  }
  // A lone surrogate (a JSON escape like \ud800) is valid JSON but not I-JSON: no body may carry one.
  const surrogate = loneSurrogatePath(parsed.data);
  if (surrogate) return undecodable(`event holds a lone surrogate (not I-JSON) in ${surrogate}`, { trustId: parsed.data.trustId, sourceEventId: parsed.data.eventId });
  return found(parsed.data);
}

/**
 * The schema's issues, one per field, as `formatIssues` words them, except that an unrecognised key is counted, never
 * named: a bad event's key names may be clinical text (docs/guarantees.md 6.2).
 */
function describeEventIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issueField(issue) || "(root)";
      if (issue.code === "unrecognized_keys") return `${field}: ${issue.keys.length} unrecognised key${issue.keys.length === 1 ? "" : "s"}`;
      return `${field}: ${issue.message}`;
    })
    .join("; ");
}

/** Where the bytes that are not UTF-8 sit, as ` (in data.text)`, when the event can still be read; else nothing. */
function invalidUtf8Where(bytes: Buffer): string {
  try {
    // Read leniently only to name the field: the schema's own fields, so no key name from a bad event is echoed.
    const parsed = PlatformEvent.safeParse(JSON.parse(bytes.toString("utf8")));
    const path = parsed.success ? replacementCharacterPath(parsed.data) : undefined;
    return path ? ` (in ${path})` : "";
  } catch {
    return "";
  }
}
