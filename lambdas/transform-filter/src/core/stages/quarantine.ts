import type pLimit from "p-limit";
import { describeError } from "@trust-callbacks/runtime";
import type { QuarantineSink, QuarantinedRecord } from "../ports.ts";
import type { DecidedRecord } from "./batch.ts";

/**
 * Quarantine: every record bound for quarantine is written, with its reason, to the sink. One that cannot
 * be written is retried instead, so nothing is dropped. Returns every record, in the order given.
 */
export async function quarantine(
  records: readonly DecidedRecord[],
  sink: QuarantineSink,
  limit: ReturnType<typeof pLimit>,
  now: () => Date,
): Promise<DecidedRecord[]> {
  const writes = records.filter((record) => record.state === "quarantined");
  if (writes.length === 0) return [...records];
  const written = new Map(
    await Promise.all(
      writes.map((record) =>
        limit(async (): Promise<[DecidedRecord, DecidedRecord]> => {
          try {
            await sink.put(quarantineEntry(record, now()));
            return [record, record];
          } catch (error) {
            return [record, { ...record, state: "retry", reason: `quarantine write failed (${describeError(error)}) for: ${record.reason}` }];
          }
        }),
      ),
    ),
  );
  return records.map((record) => written.get(record) ?? record);
}

/** The stored form of a quarantined record. */
function quarantineEntry(record: DecidedRecord, at: Date): QuarantinedRecord {
  const trustId = record.event?.trustId ?? record.trustId;
  const sourceEventId = record.event?.eventId ?? record.sourceEventId;
  return {
    reason: record.reason ?? "quarantined",
    eventID: record.recordId,
    ...(trustId ? { trustId } : {}),
    ...(sourceEventId ? { eventId: sourceEventId } : {}),
    publishedEndpoints: record.deliveries.filter((d) => d.state === "published").map((d) => d.endpoint.id),
    endpointFailures: record.deliveries
      .filter((d) => d.state === "quarantined")
      .map((d) => ({ endpointId: d.endpoint.id, reason: d.reason ?? "" })),
    quarantinedAt: at.toISOString(),
    record: record.record,
  };
}
