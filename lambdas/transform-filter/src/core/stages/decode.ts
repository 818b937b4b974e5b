import { decodeRecord, type PipeKinesisRecord } from "../records.ts";
import { decide, type EventRecord, type ReceivedRecord, type RepeatedRecord, type StageResult } from "./batch.ts";

export interface DecodeResult extends StageResult<EventRecord> {
  /** Later records of an event already in the batch; they ride on the first and are not processed again. */
  repeats: RepeatedRecord[];
}

/** The Pipe's records with their place in the batch and their Kinesis record id ("" when it has none). */
export const receive = (records: readonly PipeKinesisRecord[]): ReceivedRecord[] =>
  records.map((record, position) => ({
    position,
    recordId: typeof record?.eventID === "string" ? record.eventID : "",
    record,
  }));

/**
 * Decode: base64 → JSON → a valid platform event. A record that is not one is bound for quarantine with
 * what could be read of it; a repeat of an event earlier in the batch is set aside to share its fate.
 */
export function decode(received: readonly ReceivedRecord[]): DecodeResult {
  const result: DecodeResult = { decided: [], next: [], repeats: [] };
  const firstBySourceEventId = new Map<string, EventRecord>();
  for (const item of received) {
    const decoded = decodeRecord(item.record ?? ({} as PipeKinesisRecord));
    if (decoded.status !== "found") {
      result.decided.push({
        ...decide(item, "quarantined", decoded.reason),
        ...(decoded.trustId ? { trustId: decoded.trustId } : {}),
        ...(decoded.sourceEventId ? { sourceEventId: decoded.sourceEventId } : {}),
      });
      continue;
    }
    // Field by field, not a spread: once per record on the hot path.
    const record: EventRecord = { position: item.position, recordId: item.recordId, record: item.record, event: decoded.value };
    const first = firstBySourceEventId.get(record.event.eventId);
    if (first) {
      result.repeats.push({ ...record, firstPosition: first.position });
      continue;
    }
    firstBySourceEventId.set(record.event.eventId, record);
    result.next.push(record);
  }
  return result;
}
