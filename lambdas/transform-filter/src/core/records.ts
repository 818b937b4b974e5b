import { PlatformEvent, decodeBase64, formatIssues } from "@trust-callbacks/schemas";

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

export type DecodedRecord =
  | { ok: true; event: PlatformEvent }
  | { ok: false; reason: string; trustId?: string; eventId?: string };

/** Kinesis caps a record at 1 MiB; anything larger did not come from the stream. */
const MAX_DATA_BASE64_LENGTH = Math.ceil((1024 * 1024) / 3) * 4;

/** base64 → UTF-8 JSON → a validated PlatformEvent, or the reason it is not one. */
export function decodeRecord(record: PipeKinesisRecord): DecodedRecord {
  const { data } = record;
  if (typeof data !== "string" || data.length === 0) return { ok: false, reason: "record has no data" };
  if (data.length > MAX_DATA_BASE64_LENGTH) return { ok: false, reason: "record data exceeds 1 MiB" };
  const bytes = decodeBase64(data);
  if (!bytes) return { ok: false, reason: "record data is not base64" };

  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch {
    // Not the parser's message: it quotes the input, which may be clinical text, into logs and the quarantine reason.
    return { ok: false, reason: "record data is not valid JSON" };
  }
  const parsed = PlatformEvent.safeParse(json);
  if (!parsed.success) {
    const hint = json !== null && typeof json === "object" ? (json as Record<string, unknown>) : {};
    return {
      ok: false,
      reason: `event does not match the schema: ${formatIssues(parsed.error)}`.slice(0, 2000),
      ...(typeof hint.trustId === "string" ? { trustId: hint.trustId.slice(0, 16) } : {}),
      ...(typeof hint.eventId === "string" ? { eventId: hint.eventId.slice(0, 64) } : {}),
    };
  }
  return { ok: true, event: parsed.data };
}
